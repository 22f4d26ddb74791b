"""Settings of the `ideas` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Any

from ...workshop_models import Column, Selection, selection_problems
from ...workshop_models import IdeasSettings as _BaseIdeasSettings

__all__ = ["Column", "IdeasSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ()


class IdeasSettings(_BaseIdeasSettings):
    """Settings of an ideas phase; columns may come from an earlier vote or classify."""

    # One column per chosen item of an earlier phase ("one theme at a time"): a vote's
    # top N items, or a classify phase's items of some categories.
    columns_from: Selection | None = None

    def check_references(self, model: Any, index: int) -> list[tuple[tuple, str, Any]]:
        """Check `columns_from` (and that it does not come with fixed columns)."""
        if self.columns_from is None:
            return []
        if self.columns:
            return [(("columns_from",), "use either columns or columns_from, not both", None)]
        return selection_problems(model, index, self.columns_from, ("columns_from",))


SETTINGS = IdeasSettings
