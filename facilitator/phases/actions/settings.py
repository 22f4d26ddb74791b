"""Settings of the `actions` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..settings_base import ItemKinds, Problems, Slug, Strict, category_problems

__all__ = ["ActionsSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("vote", "ideas", "classify")

# What an agreed item can be (models.ItemKind) and the fields each kind uses.
ITEM_KINDS: tuple[str, ...] = ("action", "experiment", "ground_rule")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "action": ("what", "who", "due", "first_step", "follow_up"),
    "experiment": ("what", "why", "how_know", "due", "learned"),
    "ground_rule": ("what", "how_check"),
}


class ActionsSettings(Strict):
    """Settings of an actions phase: the candidates come from `source`."""

    source: Slug | None = None
    # A classify `source`: offer only the items decided into these categories.
    categories: list[Slug] | None = Field(default=None, min_length=1, max_length=6)
    # Which kinds of agreed items the phase records: actions, experiments, ground rules.
    item_kinds: ItemKinds = Field(default_factory=lambda: ["action"], min_length=1, max_length=3)

    def check_references(self, model: Any, index: int) -> Problems:
        """Check `categories` against the classify phase named by `source`."""
        source = model.phases[model.phase_index(self.source)] if self.source else None
        return category_problems(source, self.categories, self.source)


SETTINGS = ActionsSettings
