"""What screens see of a review: the items, their thresholded progress checks and the
facilitator's decisions. No participant identity: notes come without their writers."""

from __future__ import annotations

from datetime import date

from ...extensions import db
from ...models import Team, Workshop
from ..actions.view import action_dict
from ..answers import revealed
from ..base import FACILITATOR, ROLES
from . import ops


def session_dict(workshop: Workshop) -> dict:
    """Return the session an item comes from: id, title, date."""
    started = workshop.started_at or workshop.created_at
    return {"id": workshop.id, "title": workshop.title, "date": started.date().isoformat()}


def outcome_dict(row) -> dict | None:
    """Return the facilitator's decision on an item in this review, or None."""
    if row is None:
        return None
    return {
        "decision": row.decision,
        "status": row.status,
        "reason": row.reason or None,
        "carried_to": row.carried_to_id,
    }


def items_list(workshop: Workshop, phase, show_results: bool) -> list[dict]:
    """Return the review's items, each with its progress checks and decision."""
    today = date.today()
    found = ops.items(workshop, phase)
    results = ops.results(workshop, phase)
    decided = ops.outcomes(workshop, phase)
    out = []
    for action, source in found:
        data = action_dict(action)
        data["carried_from"] = action.carried_from_id
        data["session"] = session_dict(source)
        data["overdue"] = bool(
            action.due is not None
            and action.due < today
            and action.status in ops.teams.OPEN_STATUSES
        )
        data["outcome"] = outcome_dict(decided.get(action.id))
        result = results.get(action.id, {"responses": 0, "counts": None, "notes": None})
        if not show_results:
            result = {**result, "counts": None, "notes": None}
        data.update(result)
        out.append(data)
    return out


def review_block(workshop: Workshop, current, phase, role: str) -> dict:
    """Return the `review` key of a snapshot and the `review.results` event (no phone's
    own answers)."""
    from ... import operations as core

    shown = revealed(workshop, current, phase)
    team = db.session.get(Team, workshop.team_id) if workshop.team_id is not None else None
    s = phase.settings
    return {
        "phase_id": phase.id,
        "team": {"id": team.id, "name": team.name} if team is not None else None,
        "item_kinds": list(s.item_kinds),
        "notes_allowed": s.notes,
        "show_results": s.show_results,
        "min_responses": ops.threshold(phase),
        "items": items_list(workshop, phase, role == FACILITATOR or shown),
        "participants": core.participant_count(workshop.id),
        "revealed": shown,
    }


def results_payloads(workshop: Workshop) -> dict[str, dict]:
    """Return the `review.results` event of the current phase for each audience."""
    from ... import operations as core

    current = core.current_phase(workshop)
    if current.kind != ops.KIND:
        return {}
    return {role: review_block(workshop, current, current, role) for role in ROLES}
