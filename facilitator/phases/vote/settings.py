"""Settings of the `vote` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from ..settings_base import Problems, Slug, Strict, StrictInt, category_problems, custom_error

__all__ = ["VoteSettings"]

# Which kinds this kind's `source` may name (check-models checks it).
SOURCE_KINDS: tuple[str, ...] = ("ideas", "group", "classify")


def ideas_phase_of(model: Any, phase: Any) -> Any:
    """Return the ideas phase a source chain ends in (ideas, group -> ideas, classify -> ...)."""
    seen = 0
    while phase is not None and phase.kind != "ideas" and seen < 5:
        source = getattr(phase.settings, "source", None)
        phase = model.phases[model.phase_index(source)] if source else None
        seen += 1
    return phase


class VoteSettings(Strict):
    """Settings of a vote phase, with the ballot restricted by column or by category."""

    source: Slug
    budget: StrictInt = Field(default=3, ge=1, le=20)
    per_item_cap: StrictInt = Field(default=1, ge=1, le=20)
    show_results: Literal["live", "after_close"] = "after_close"
    # Only the ideas of these columns of the ideas phase behind `source` (e.g. leave out
    # "keep"); a theme stays on the ballot if one of its ideas is in these columns.
    columns: list[Slug] | None = Field(default=None, min_length=1, max_length=6)
    # A classify `source`: only the items whose decided category (the facilitator's
    # final one, else the one people agree on) is one of these.
    categories: list[Slug] | None = Field(default=None, min_length=1, max_length=6)

    @field_validator("per_item_cap")
    @classmethod
    def _check_cap(cls, value: int, info: ValidationInfo) -> int:
        """Reject a cap that a participant could never reach with their dots."""
        budget = info.data.get("budget")
        if budget is not None and value > budget:
            raise custom_error(f"per_item_cap ({value}) must not exceed budget ({budget})")
        return value

    def check_references(self, model: Any, index: int) -> Problems:
        """Check `columns` and `categories` against the phases they name."""
        source = model.phases[model.phase_index(self.source)]
        errors = category_problems(source, self.categories, self.source)
        if self.columns is not None:
            ideas = ideas_phase_of(model, source)
            known = [c.id for c in ideas.settings.columns] if ideas is not None else []
            if not known:
                message = "columns need an ideas phase with columns behind the source"
                errors.append((("columns",), message, None))
            else:
                errors += [
                    (("columns", i), f"no column {c!r} in {ideas.id!r}", c)
                    for i, c in enumerate(self.columns)
                    if c not in known
                ]
        return errors


SETTINGS = VoteSettings
