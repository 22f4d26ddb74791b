"""What each audience sees of ideas. Never an author: a phone's own ideas carry `is_mine`."""

from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ...models import Idea, Participant, Workshop
from ..base import FACILITATOR, PARTICIPANT

KIND = "ideas"


def idea_dict(idea: Idea, role: str, participant: Participant | None = None, votes=None) -> dict:
    """Serialise an idea for one audience: never its author."""
    data = {
        "id": idea.id,
        "phase_id": idea.phase_id,
        "column": idea.column,
        "text": idea.text,
        "theme_id": idea.theme_id,
    }
    if role == PARTICIPANT and participant is not None:
        data["is_mine"] = idea.participant_id == participant.id
    if role == FACILITATOR:
        data["hidden"] = idea.hidden
        data["merged_into"] = idea.merged_into_id
    if votes is not None:
        data["votes"] = votes.get(f"idea:{idea.id}", 0)
    return data


def ideas_phase_for(model, phase):
    """Return the ideas phase whose ideas the given phase shows, or None."""
    from ..registry import shows

    return next((p for p in shows(model, phase) if p.kind == KIND), None)


def wall_hidden(current, ideas_phase) -> bool:
    """Tell whether phones see only their own ideas: the wall is on the projector only."""
    return current.id == ideas_phase.id and current.settings.wall != "participants"


def participants_see_wall(workshop: Workshop) -> str | None:
    """Return the ideas phase id whose whole wall phones see now, or None."""
    from ... import operations as core

    model = core.workshop_model(workshop)
    phase = model.phases[workshop.phase_index]
    ideas_phase = ideas_phase_for(model, phase)
    if ideas_phase is None or wall_hidden(phase, ideas_phase):
        return None
    return ideas_phase.id


def wall(workshop: Workshop, ideas_phase, role: str) -> list[dict]:
    """Return the ideas one audience sees on the wall (participants: without `is_mine`)."""
    query = (
        select(Idea)
        .filter_by(workshop_id=workshop.id, phase_id=ideas_phase.id, deleted=False)
        .order_by(Idea.id)
    )
    if role != FACILITATOR:
        query = query.filter_by(hidden=False).where(Idea.merged_into_id.is_(None))
    return [idea_dict(i, role) for i in db.session.scalars(query)]


def own_ideas(workshop: Workshop, ideas_phase, participant: Participant) -> list[dict]:
    """Return a phone's own ideas on the wall (hidden and merged ones left out)."""
    query = (
        select(Idea)
        .filter_by(
            workshop_id=workshop.id,
            phase_id=ideas_phase.id,
            deleted=False,
            hidden=False,
            participant_id=participant.id,
        )
        .where(Idea.merged_into_id.is_(None))
        .order_by(Idea.id)
    )
    return [idea_dict(i, PARTICIPANT, participant) for i in db.session.scalars(query)]


def own_idea_ids(workshop: Workshop, ideas_phase, participant: Participant) -> set[int]:
    """Return the ids of a phone's ideas in a phase."""
    query = select(Idea.id).filter_by(
        workshop_id=workshop.id, phase_id=ideas_phase.id, participant_id=participant.id
    )
    return set(db.session.scalars(query))


def personal_patches(ctx, phase, participants, data: dict) -> dict[int, dict]:
    """Return each phone's part of the snapshot (`serializers.diff` form), rows loaded once.

    The whole wall on phones: `is_mine` marks of its own ideas among the wall's. The
    wall on the projector only: the phone's own ideas replace the (empty) list.
    """
    workshop = ctx.workshop
    ids = {p.id for p in participants}
    if wall_hidden(ctx.phase, phase):
        query = (
            select(Idea)
            .filter_by(workshop_id=workshop.id, phase_id=phase.id, deleted=False, hidden=False)
            .where(Idea.merged_into_id.is_(None))
            .order_by(Idea.id)
        )
        own: dict[int, list] = {pid: [] for pid in ids}
        for idea in db.session.scalars(query):
            if idea.participant_id in own:
                own[idea.participant_id].append({**idea_dict(idea, PARTICIPANT), "is_mine": True})
        return {pid: {"set": {"ideas": ideas}} for pid, ideas in own.items()}
    on_wall = {i["id"] for i in data.get("ideas") or []}
    query = select(Idea.id, Idea.participant_id).filter_by(
        workshop_id=workshop.id, phase_id=phase.id
    )
    mine: dict[int, list] = {pid: [] for pid in ids}
    for idea_id, pid in db.session.execute(query):
        if pid in mine and idea_id in on_wall:
            mine[pid].append(idea_id)
    if not on_wall:
        return {pid: {} for pid in ids}
    return {pid: {"mark": {"ideas": {"is_mine": sorted(m)}}} for pid, m in mine.items()}
