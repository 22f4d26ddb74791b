"""Settings of the `ideas` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from ..settings_base import (
    Problems,
    Selection,
    Strict,
    StrictInt,
    Titled,
    check_unique_ids,
    limited_text,
    selection_problems,
)

__all__ = ["Column", "IdeasSettings"]

# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("columns",)

ColumnText = limited_text("columns")


class Column(Titled):
    """One column of an ideas wall, e.g. keep / change / give up."""

    title: ColumnText


class IdeasSettings(Strict):
    """Settings of an ideas phase; columns may come from an earlier vote or classify."""

    columns: list[Column] = Field(default_factory=list, max_length=6)
    wall: Literal["participants", "projector"] = "participants"
    max_ideas_per_person: StrictInt = Field(default=20, ge=1, le=50)
    # One column per chosen item of an earlier phase ("one theme at a time"): a vote's
    # top N items, or a classify phase's items of some categories.
    columns_from: Selection | None = None

    @model_validator(mode="after")
    def _check_unique_columns(self) -> IdeasSettings:
        """Reject repeated column ids, which would merge two columns' ideas."""
        check_unique_ids(type(self).__name__, "columns", [c.id for c in self.columns])
        return self

    def check_references(self, model: Any, index: int) -> Problems:
        """Check `columns_from` (and that it does not come with fixed columns)."""
        if self.columns_from is None:
            return []
        if self.columns:
            return [(("columns_from",), "use either columns or columns_from, not both", None)]
        return selection_problems(model, index, self.columns_from, ("columns_from",))


SETTINGS = IdeasSettings
