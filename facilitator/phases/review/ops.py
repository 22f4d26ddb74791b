"""Review: the team's open agreed items from earlier sessions, checked by the room.

Phones give an anonymous progress check per item (done / partly / not started /
don't know, plus an optional short note); the facilitator sets the item's status on
the spot, records what was learned, carries it forward into this session (a new item
with `carried_from_id`; the old one becomes `carried_forward`) or drops it with a
reason. Operations change rows and queue what to publish; the edge commits once.
Tables: `review_answer`, `review_outcome` (tables.py), `action.carried_from_id`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ... import operations as core
from ... import teams
from ...errors import OperationError
from ...extensions import db
from ...models import Action, ActionStatus, ItemKind, Participant, Workshop, utcnow
from ..answers import phase_of_kind, retrying, store, threshold
from ..base import publication
from ..writes import add_once
from .settings import NOTE_MAX
from .tables import PROGRESS, ReviewAnswer, ReviewOutcome

KIND = "review"
LEARNED_MAX = 1000
REASON_MAX = 500
# Statuses the facilitator sets on the spot (dropping needs a reason: `drop`).
SETTABLE = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE)


# --- which items a review brings in ------------------------------------------------


def team_open_items(workshop: Workshop, phase) -> list[tuple[Action, Workshop]]:
    """Return the open items (not started, in progress) of every other session of the
    session's team, of the kinds the phase reviews, oldest session first.

    A closed session's review keeps to the items that existed while it ran: items made
    after it closed (a later session's) never join its list or its export.
    """
    if workshop.team_id is None:
        return []
    kinds = [ItemKind(k) for k in phase.settings.item_kinds]
    query = (
        select(Action, Workshop)
        .join(Workshop, Action.workshop_id == Workshop.id)
        .where(
            Workshop.team_id == workshop.team_id,
            Workshop.id != workshop.id,
            Action.status.in_(teams.OPEN_STATUSES),
            Action.item_kind.in_(kinds),
        )
        .order_by(Workshop.created_at, Action.id)
    )
    if workshop.closed_at is not None:
        query = query.where(Action.created_at <= workshop.closed_at)
    rows = db.session.execute(query)
    return [tuple(r) for r in rows]


# `scope` setting -> the rule that finds a review's items; a series may add its own.
def series_open_items(workshop: Workshop, phase) -> list[tuple[Action, Workshop]]:
    """Return the open items of the earlier sessions of the session's series (series.py)."""
    from ...series import open_items

    return open_items(workshop, phase, team_open_items)


SCOPES: dict[str, Callable[[Workshop, object], list[tuple[Action, Workshop]]]] = {
    "team": team_open_items,
    "series": series_open_items,
}


def items(workshop: Workshop, phase) -> list[tuple[Action, Workshop]]:
    """Return the items a review phase shows: what its scope brings in now, plus those
    the review already touched (answered or decided), which stay after being closed,
    carried or dropped. Items of other teams never show."""
    found = {a.id: (a, w) for a, w in SCOPES[phase.settings.scope](workshop, phase)}
    touched = set(
        db.session.scalars(
            select(ReviewOutcome.action_id).where(
                ReviewOutcome.workshop_id == workshop.id, ReviewOutcome.phase_id == phase.id
            )
        )
    ) | set(
        db.session.scalars(
            select(ReviewAnswer.action_id).where(
                ReviewAnswer.workshop_id == workshop.id, ReviewAnswer.phase_id == phase.id
            )
        )
    )
    missing = touched - set(found)
    if missing and workshop.team_id is not None:
        for a, w in db.session.execute(
            select(Action, Workshop)
            .join(Workshop, Action.workshop_id == Workshop.id)
            .where(Action.id.in_(missing), Workshop.team_id == workshop.team_id)
        ):
            found[a.id] = (a, w)
    return sorted(found.values(), key=lambda aw: (aw[1].created_at, aw[1].id, aw[0].id))


def refresh_reviews(team_id: int) -> None:
    """Queue a fresh `review.results` for the team's live sessions now in a review phase
    (an item they show changed on the board)."""
    from ...models import SessionStatus

    live = db.session.scalars(
        select(Workshop).where(Workshop.team_id == team_id, Workshop.status == SessionStatus.LIVE)
    )
    for workshop in live:
        if core.current_phase(workshop).kind == KIND:
            publication().mark(workshop.id, KIND)


def review_item(workshop: Workshop, phase, action_id: int) -> tuple[Action, Workshop]:
    """Return one item of the review, or refuse with not_found (another team's, or none)."""
    for action, source in items(workshop, phase):
        if action.id == action_id:
            return action, source
    raise OperationError("not_found")


# --- phones: the progress check ------------------------------------------------------


def _answer_dict(row: ReviewAnswer | None) -> dict | None:
    if row is None:
        return None
    return {"progress": row.progress, "note": row.note}


def my_answers(participant: Participant, phase_id: str) -> dict[str, dict]:
    """Return the participant's own checks: {item id (string): {progress, note}}."""
    rows = db.session.scalars(
        select(ReviewAnswer).filter_by(participant_id=participant.id, phase_id=phase_id)
    )
    return {str(r.action_id): _answer_dict(r) for r in rows}


def clean_note(note: str | None) -> str:
    """Return a stripped note, refusing one over NOTE_MAX characters (`too_long`)."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise OperationError("too_long", max=NOTE_MAX)
    return note


@retrying
def set_answer(
    workshop: Workshop,
    participant: Participant,
    action_id: int,
    progress: str | None,
    note: str | None = None,
) -> dict | None:
    """Set the participant's check of one item ("set": a retry changes nothing);
    `progress` None takes it back."""
    note = clean_note(note)
    phase = core._require_input(workshop, KIND)
    review_item(workshop, phase, action_id)
    if progress is not None and progress not in PROGRESS:
        raise OperationError("invalid")
    if note and (progress is None or not phase.settings.notes):
        raise OperationError("invalid")
    key = {"participant_id": participant.id, "phase_id": phase.id, "action_id": action_id}
    values = {"progress": progress, "note": note} if progress is not None else None
    store(ReviewAnswer, key, values, workshop_id=workshop.id)
    publication().mark(workshop.id, KIND)
    row = db.session.scalar(select(ReviewAnswer).filter_by(**key))
    return _answer_dict(row)


def results(workshop: Workshop, phase) -> dict[int, dict]:
    """Return per item id `{responses, counts, notes}`; counts and notes are None below
    the threshold. Notes are sorted by their text: their order tells nothing about who
    wrote them or when."""
    limit = threshold(phase)
    rows = db.session.execute(
        select(ReviewAnswer.action_id, ReviewAnswer.progress, ReviewAnswer.note).where(
            ReviewAnswer.workshop_id == workshop.id, ReviewAnswer.phase_id == phase.id
        )
    ).all()
    by_item: dict[int, list[tuple[str, str]]] = {}
    for action_id, progress, note in rows:
        by_item.setdefault(action_id, []).append((progress, note))
    out = {}
    for action_id, answers in by_item.items():
        if len(answers) < limit:
            out[action_id] = {"responses": len(answers), "counts": None, "notes": None}
            continue
        counts = dict.fromkeys(PROGRESS, 0)
        for progress, _note in answers:
            counts[progress] += 1
        notes = sorted(n for _p, n in answers if n) if phase.settings.notes else []
        out[action_id] = {"responses": len(answers), "counts": counts, "notes": notes}
    return out


# --- the facilitator: status, learned, carry forward, drop --------------------------


def _outcome(workshop: Workshop, phase, action: Action) -> ReviewOutcome | None:
    return db.session.scalar(
        select(ReviewOutcome).filter_by(
            workshop_id=workshop.id, phase_id=phase.id, action_id=action.id
        )
    )


def _decide(
    workshop: Workshop,
    phase,
    action: Action,
    decision: str,
    status: str | None = None,
    reason: str = "",
    carried_to_id: int | None = None,
) -> None:
    """Record the facilitator's latest decision on an item in this review."""
    key = {"workshop_id": workshop.id, "phase_id": phase.id, "action_id": action.id}
    values = {
        "decision": decision,
        "status": status,
        "reason": reason,
        "carried_to_id": carried_to_id,
        "updated_at": utcnow(),
    }
    store(ReviewOutcome, key, values)


def outcomes(workshop: Workshop, phase) -> dict[int, ReviewOutcome]:
    """Return the facilitator's decisions of a review phase by item id."""
    rows = db.session.scalars(
        select(ReviewOutcome).filter_by(workshop_id=workshop.id, phase_id=phase.id)
    )
    return {r.action_id: r for r in rows}


def carried_into(action: Action) -> Action | None:
    """Return the item that carries `action` forward, if any."""
    return db.session.scalar(select(Action).filter_by(carried_from_id=action.id))


def _announce(workshop: Workshop, source: Workshop, action: Action) -> None:
    """Queue the refreshes a change of a reviewed item needs (after the commit)."""
    publication().mark(workshop.id, KIND)
    if source.team_id is not None:
        teams.announce_item(source.team_id, action.id)
    from ..actions.ops import announce_actions

    announce_actions(source, board=False)


def _open_for_change(action: Action) -> None:
    if action.status is ActionStatus.CARRIED_FORWARD or carried_into(action) is not None:
        raise OperationError("already_carried")


@retrying
def set_status(
    workshop: Workshop,
    phase_id: str,
    action_id: int,
    who: str,
    version: int | None,
    status: ActionStatus | None = None,
    learned: str | None = None,
) -> Action:
    """Set an item's status on the spot and/or what was learned (experiments)."""
    phase = phase_of_kind(workshop, phase_id, KIND)
    action, source = review_item(workshop, phase, action_id)
    if status is not None and status not in SETTABLE:
        raise OperationError("invalid")
    if learned is not None:
        learned = learned.strip()
        if len(learned) > LEARNED_MAX:
            raise OperationError("too_long", max=LEARNED_MAX)
    _open_for_change(action)
    teams.claim_version(action, version)
    before = action.status
    if status is not None:
        action.status = status
        _decide(workshop, phase, action, "status", status=status.value)
    if learned is not None:
        action.learned = learned or None
    action.updated_at = utcnow()
    teams.record_update(action, who, before)
    db.session.flush()
    _announce(workshop, source, action)
    return action


@retrying
def carry(
    workshop: Workshop, phase_id: str, action_id: int, who: str, version: int | None = None
) -> Action:
    """Carry an item forward into this session: a new item linked to it by
    `carried_from_id` (its fields copied, status not started) and the old one
    `carried_forward`. Carrying again returns the same new item."""
    phase = phase_of_kind(workshop, phase_id, KIND)
    action, source = review_item(workshop, phase, action_id)
    existing = carried_into(action)
    if existing is not None:
        if existing.workshop_id != workshop.id:
            raise OperationError("already_carried")
        return existing
    teams.claim_version(action, version)
    before = action.status
    new = Action(
        workshop_id=workshop.id,
        client_id=f"carry-{action.id}",
        what=action.what,
        who=action.who,
        due=None,
        first_step=action.first_step,
        follow_up=None,
        status=ActionStatus.OPEN,
        source_item=None,
        item_kind=action.item_kind,
        why=action.why,
        how_know=action.how_know,
        learned=None,
        how_check=action.how_check,
        carried_from_id=action.id,
    )
    new, made = add_once(new)
    if not made:
        # A twin raced in: its item is the one (another session's carry refuses).
        if new is None or new.carried_from_id != action_id:
            raise OperationError("already_carried")
        return new
    action.status = ActionStatus.CARRIED_FORWARD
    action.updated_at = utcnow()
    _decide(workshop, phase, action, "carried", carried_to_id=new.id)
    teams.record_update(action, who, before)
    db.session.flush()
    _announce(workshop, source, action)
    from ..actions.ops import announce_actions

    announce_actions(workshop)
    return new


@retrying
def drop(
    workshop: Workshop,
    phase_id: str,
    action_id: int,
    who: str,
    reason: str,
    version: int | None = None,
) -> Action:
    """Drop an item with a reason (kept in the review and in the item's history)."""
    phase = phase_of_kind(workshop, phase_id, KIND)
    action, source = review_item(workshop, phase, action_id)
    reason = (reason or "").strip()
    if not reason:
        raise OperationError("empty")
    if len(reason) > REASON_MAX:
        raise OperationError("too_long", max=REASON_MAX)
    _open_for_change(action)
    row = _outcome(workshop, phase, action)
    if action.status is ActionStatus.DROPPED and row is not None and row.reason == reason:
        return action  # a retry
    teams.claim_version(action, version)
    before = action.status
    action.status = ActionStatus.DROPPED
    action.updated_at = utcnow()
    _decide(workshop, phase, action, "dropped", reason=reason)
    teams.record_update(action, who, before, note=reason)
    db.session.flush()
    _announce(workshop, source, action)
    return action
