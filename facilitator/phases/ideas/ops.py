"""Ideas: a phone's writes (add, edit, delete) and the facilitator's moderation.

Operations change rows and queue what to publish (`base.publication()`); the edge
commits once and then publishes. Tables: `idea` (models.Idea).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Idea, Participant, Workshop
from ..base import publication
from ..writes import add_once, first_write, first_write_within_cap, own_row, soft_delete
from . import view

IDEA_MAX_CHARS = 500
# Ideas a participant may have posted in a phase, deleted ones included: this times the cap.
DELETED_IDEAS_FACTOR = 2
KIND = "ideas"


@dataclass
class IdeaResult:
    idea: Idea
    created: bool


def add_idea(
    workshop: Workshop, participant: Participant, client_id: str, text: str, column: str | None
) -> IdeaResult:
    """Post an anonymous idea; a retried client id returns the idea made the first time."""
    try:
        phase = core._require_input(workshop, KIND)
    except OperationError:
        # A retry after the phase closed still gets the idea it posted.
        existing = first_write(Idea, workshop, participant, client_id)
        if existing is not None:
            return IdeaResult(existing, created=False)
        raise
    existing = first_write_within_cap(
        Idea,
        workshop,
        participant,
        client_id,
        phase.settings.max_ideas_per_person,
        DELETED_IDEAS_FACTOR,
        Idea.phase_id == phase.id,
        Idea.participant_id == participant.id,
    )
    if existing is not None:
        return IdeaResult(existing, created=False)
    text = core._clean_text(text, IDEA_MAX_CHARS)
    column = _check_column(workshop, phase, column)
    idea, created = add_once(
        Idea(
            workshop_id=workshop.id,
            phase_id=phase.id,
            participant_id=participant.id,
            client_id=client_id,
            column=column,
            text=text,
        )
    )
    if created:
        announce(workshop, idea, "idea.added")
    return IdeaResult(idea, created)


def phase_columns(workshop: Workshop, phase, lang: str = "fi", fallback: str = "fi") -> list:
    """Return an ideas phase's columns `{id, title}`: its own, or with `columns_from` one
    per item an earlier vote or classify chose (id "theme-3", the item's text as title)."""
    from ...workshop_models import localize

    selection = getattr(phase.settings, "columns_from", None)
    if selection is None:
        return [
            {"id": c.id, "title": localize(c.title, lang, fallback)} for c in phase.settings.columns
        ]
    from ..selection import column_id, selected

    items = selected(workshop, core.workshop_model(workshop), selection)
    return [{"id": column_id(i["key"]), "title": i["title"]} for i in items]


def _check_column(workshop: Workshop, phase, column: str | None) -> str | None:
    """Return a valid column id for the phase (None when the phase has no columns)."""
    columns = [c["id"] for c in phase_columns(workshop, phase)]
    if not columns:
        return None
    if column not in columns:
        raise OperationError("invalid")
    return column


def _own_idea(workshop: Workshop, participant: Participant, idea_id: int) -> Idea | None:
    """Return the participant's own idea, or None if it is gone."""
    return own_row(Idea, workshop, participant, idea_id)


def edit_idea(
    workshop: Workshop, participant: Participant, idea_id: int, text: str, column: str | None
) -> Idea:
    """Change the text (and column) of one's own idea while its phase is open."""
    idea = _own_idea(workshop, participant, idea_id)
    if idea is None:
        raise OperationError("not_found")
    phase = core._require_input(workshop, KIND)
    if idea.phase_id != phase.id:
        raise OperationError("phase_closed")
    idea.text = core._clean_text(text, IDEA_MAX_CHARS)
    idea.column = _check_column(workshop, phase, column) if column is not None else idea.column
    announce(workshop, idea)
    return idea


def delete_idea(workshop: Workshop, participant: Participant, idea_id: int) -> Idea | None:
    """Delete one's own idea while its phase is open; deleting twice is harmless."""
    idea = _own_idea(workshop, participant, idea_id)
    if idea is None:
        return None
    phase = core._require_input(workshop, KIND)
    if idea.phase_id != phase.id:
        raise OperationError("phase_closed")
    soft_delete(idea)
    announce(workshop, idea)
    return idea


# --- facilitator moderation -------------------------------------------------


def _session_idea(workshop: Workshop, idea_id: int) -> Idea:
    """Return a non-deleted idea of this session."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.workshop_id != workshop.id or idea.deleted:
        raise OperationError("not_found")
    return idea


UNCHANGED = object()


def moderate_idea(
    workshop: Workshop, idea_id: int, hidden: bool | None = None, theme_id=UNCHANGED
) -> Idea:
    """Hide or show an idea and/or put it under a theme, all or nothing."""
    from ..group import ops as group_ops

    idea = _session_idea(workshop, idea_id)
    if theme_id is not UNCHANGED:
        group_ops.check_theme_for(workshop, idea, theme_id)
        idea.theme_id = theme_id
        group_ops.announce_themes(workshop)
    if hidden is not None:
        idea.hidden = hidden
    announce(workshop, idea)
    return idea


def merge_ideas(workshop: Workshop, idea_id: int, into_id: int) -> tuple[Idea, Idea]:
    """Merge one idea into another; its votes move with it."""
    from ..group import ops as group_ops
    from ..vote import ops as vote_ops

    if idea_id == into_id:
        raise OperationError("invalid")
    idea = _session_idea(workshop, idea_id)
    target = _session_idea(workshop, into_id)
    if target.merged_into_id is not None or idea.phase_id != target.phase_id:
        raise OperationError("invalid")
    idea.merged_into_id = target.id
    # Ideas merged earlier into this one follow it to the new target.
    for child in db.session.scalars(select(Idea).filter_by(merged_into_id=idea.id)):
        child.merged_into_id = target.id
    if target.theme_id is None:
        target.theme_id = idea.theme_id
    vote_ops.move_votes(workshop, f"idea:{idea.id}", f"idea:{target.id}")
    announce(workshop, idea)
    announce(workshop, target)
    group_ops.announce_themes(workshop)
    return idea, target


# --- reading -------------------------------------------------------------------


def visible_ideas(workshop: Workshop, phase_id: str) -> list[Idea]:
    """Return the ideas of a phase that show on the wall, oldest first."""
    return list(
        db.session.scalars(
            select(Idea)
            .filter_by(workshop_id=workshop.id, phase_id=phase_id, deleted=False, hidden=False)
            .where(Idea.merged_into_id.is_(None))
            .order_by(Idea.id)
        )
    )


def merged_texts(workshop: Workshop, phase_id: str) -> dict[int, list[str]]:
    """Return, per idea, the texts of the ideas merged into it."""
    rows = db.session.scalars(
        select(Idea)
        .filter_by(workshop_id=workshop.id, phase_id=phase_id, deleted=False, hidden=False)
        .where(Idea.merged_into_id.is_not(None))
        .order_by(Idea.id)
    )
    merged: dict[int, list[str]] = {}
    for idea in rows:
        merged.setdefault(idea.merged_into_id, []).append(idea.text)
    return merged


# --- publishing ----------------------------------------------------------------


def announce(workshop: Workshop, idea: Idea, event: str = "idea.updated") -> None:
    """Queue an idea change for the screens that show it (sent after the commit)."""
    from ..base import FACILITATOR, PARTICIPANT, PROJECTOR

    pub = publication()
    if idea.deleted:
        # A deleted idea is gone for everyone, the facilitator included.
        pub.emit(workshop.id, "idea.removed", {"id": idea.id}, (FACILITATOR,))
    else:
        pub.emit(workshop.id, event, view.idea_dict(idea, FACILITATOR), (FACILITATOR,))
    visible = idea.visible
    name = event if visible else "idea.removed"
    body = view.idea_dict(idea, PROJECTOR) if visible else {"id": idea.id}
    pub.emit(workshop.id, name, body, (PROJECTOR,))
    if view.participants_see_wall(workshop) == idea.phase_id:
        pub.emit(workshop.id, name, body, (PARTICIPANT,))
