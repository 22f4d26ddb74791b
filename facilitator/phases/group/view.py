"""What screens see of a group phase: its themes, and which idea sits under which."""

from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ...models import Theme, Workshop

KIND = "group"


def theme_dict(theme: Theme) -> dict:
    """Serialise a theme."""
    return {
        "id": theme.id,
        "phase_id": theme.phase_id,
        "title": theme.title,
        "position": theme.position,
    }


def themes_of(workshop: Workshop, group_phase) -> list[dict]:
    """Return the themes of a group phase in display order."""
    query = (
        select(Theme)
        .filter_by(workshop_id=workshop.id, phase_id=group_phase.id)
        .order_by(Theme.position, Theme.id)
    )
    return [theme_dict(t) for t in db.session.scalars(query)]


def group_phase_for(model, phase):
    """Return the group phase whose themes the given phase shows, or None."""
    from ..registry import shows

    return next((p for p in shows(model, phase) if p.kind == KIND), None)


def themes_payload(workshop: Workshop) -> dict:
    """Return the current phase's themes and which visible idea sits under which."""
    from ... import operations as core
    from ..ideas.ops import visible_ideas
    from ..ideas.view import ideas_phase_for

    model = core.workshop_model(workshop)
    phase = model.phases[workshop.phase_index]
    group_phase = group_phase_for(model, phase)
    ideas_phase = ideas_phase_for(model, phase)
    if group_phase is None or ideas_phase is None:
        return {"themes": [], "ideas": []}
    ideas = visible_ideas(workshop, ideas_phase.id)
    return {
        "themes": themes_of(workshop, group_phase),
        "ideas": [{"id": i.id, "theme_id": i.theme_id} for i in ideas],
    }
