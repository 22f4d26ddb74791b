"""Settings of the `vote` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...workshop_models import Slug
from ...workshop_models import VoteSettings as _BaseVoteSettings

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


class VoteSettings(_BaseVoteSettings):
    """Settings of a vote phase, with the ballot restricted by column or by category."""

    # Only the ideas of these columns of the ideas phase behind `source` (e.g. leave out
    # "keep"); a theme stays on the ballot if one of its ideas is in these columns.
    columns: list[Slug] | None = Field(default=None, min_length=1, max_length=6)
    # A classify `source`: only the items whose decided category (the facilitator's
    # final one, else the one people agree on) is one of these.
    categories: list[Slug] | None = Field(default=None, min_length=1, max_length=6)

    def check_references(self, model: Any, index: int) -> list[tuple[tuple, str, Any]]:
        """Check `columns` and `categories` against the phases they name."""
        errors: list[tuple[tuple, str, Any]] = []
        source = model.phases[model.phase_index(self.source)]
        if self.categories is not None:
            if source.kind != "classify":
                message = "categories only apply when source is a classify phase"
                errors.append((("categories",), message, None))
            else:
                known = [c.id for c in source.settings.categories]
                errors += [
                    (("categories", i), f"no category {c!r} in {self.source!r}", c)
                    for i, c in enumerate(self.categories)
                    if c not in known
                ]
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
