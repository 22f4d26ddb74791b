"""Settings of the `actions` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...workshop_models import ActionsSettings as _BaseActionsSettings
from ...workshop_models import Slug

__all__ = ["ActionsSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("vote", "ideas", "classify")


class ActionsSettings(_BaseActionsSettings):
    """Settings of an actions phase: the candidates come from `source`."""

    # A classify `source`: offer only the items decided into these categories.
    categories: list[Slug] | None = Field(default=None, min_length=1, max_length=6)

    def check_references(self, model: Any, index: int) -> list[tuple[tuple, str, Any]]:
        """Check `categories` against the classify phase named by `source`."""
        if self.categories is None:
            return []
        source = model.phases[model.phase_index(self.source)] if self.source else None
        if source is None or source.kind != "classify":
            return [
                (("categories",), "categories only apply when source is a classify phase", None)
            ]
        known = [c.id for c in source.settings.categories]
        return [
            (("categories", i), f"no category {c!r} in {self.source!r}", c)
            for i, c in enumerate(self.categories)
            if c not in known
        ]


SETTINGS = ActionsSettings
