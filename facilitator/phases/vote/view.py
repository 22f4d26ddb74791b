"""What screens see of a vote: the ballot, who may see the counts when, the tally."""

from __future__ import annotations

from ...models import SessionStatus, Workshop
from ..base import FACILITATOR, ROLES
from . import ops

KIND = "vote"


def vote_phase_for(model, phase):
    """Return the vote phase whose results the given phase shows, or None."""
    from ..registry import shows

    return next((p for p in shows(model, phase) if p.kind == KIND), None)


def results_visible_to_participants(workshop: Workshop, phase, vote_phase) -> bool:
    """Tell whether the room (projector and phones) may see a vote's counts now.

    With `show_results: after_close` the counts stay hidden while input is open in the
    vote phase: closing input is the reveal. Only the facilitator sees them live.
    """
    if vote_phase is None:
        return False
    if phase.id != vote_phase.id or workshop.status is SessionStatus.CLOSED:
        return True
    return vote_phase.settings.show_results == "live" or not workshop.input_open


def counts_visible(workshop: Workshop, phase, vote_phase, role: str) -> bool:
    """Tell whether one audience may see a vote's counts now."""
    return role == FACILITATOR or results_visible_to_participants(workshop, phase, vote_phase)


def tally_results(items: list[dict], tally: dict[str, int]) -> list[dict]:
    """Return vote results in item order, biggest first."""
    results = [
        {"key": item["key"], "title": item["title"], "count": tally.get(item["key"], 0)}
        for item in items
    ]
    return sorted(results, key=lambda r: -r["count"])


def vote_block(workshop: Workshop, phase, vote_phase, role: str) -> dict:
    """Return the vote section of a snapshot as one audience sees it (no phone's own dots)."""
    revealed = results_visible_to_participants(workshop, phase, vote_phase)
    show = role == FACILITATOR or revealed
    tally, voters = ops.vote_tally(workshop, vote_phase.id)
    items = ops.vote_items(workshop, vote_phase)
    return {
        "phase_id": vote_phase.id,
        "budget": vote_phase.settings.budget,
        "per_item_cap": vote_phase.settings.per_item_cap,
        "items": items,
        "results": tally_results(items, tally) if show else None,
        # How many have voted, out of how many joined: every screen may see that.
        "voters": voters,
        "participants": _participants(workshop),
        "revealed": revealed,
    }


def _participants(workshop: Workshop) -> int:
    from ... import operations as core

    return core.participant_count(workshop.id)


def tally_payloads(workshop: Workshop) -> dict[str, dict]:
    """Return the `tally` event of the current phase's vote for each audience.

    Every audience gets how many have voted; the counts go only to those who may see
    them now (`counts_visible`), so a hidden tally never leaves the server.
    """
    from ... import operations as core

    model = core.workshop_model(workshop)
    phase = model.phases[workshop.phase_index]
    vote_phase = vote_phase_for(model, phase)
    if vote_phase is None:
        return {}
    tally, voters = ops.vote_tally(workshop, vote_phase.id)
    items = ops.vote_items(workshop, vote_phase)
    revealed = results_visible_to_participants(workshop, phase, vote_phase)
    base = {
        "phase_id": vote_phase.id,
        "voters": voters,
        "participants": _participants(workshop),
        "revealed": revealed,
    }
    results = tally_results(items, tally)
    return {
        role: {
            **base,
            "results": results if counts_visible(workshop, phase, vote_phase, role) else None,
        }
        for role in ROLES
    }


def personal_patches(ctx, phase, participants, data: dict) -> dict[int, dict]:
    """Return each phone's dots (`serializers.diff` form) from one query for all phones."""
    from sqlalchemy import select

    from ...extensions import db
    from ...models import Vote

    mine: dict[int, dict] = {p.id: {} for p in participants}
    query = select(Vote.participant_id, Vote.item_key, Vote.count).filter_by(
        workshop_id=ctx.workshop.id, phase_id=phase.id
    )
    for pid, key, count in db.session.execute(query):
        if pid in mine:
            mine[pid][key] = count
    return {
        pid: {"merge": {"vote": {"my_votes": m, "used": sum(m.values())}}}
        for pid, m in mine.items()
    }
