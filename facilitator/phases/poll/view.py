"""What screens see of a poll: the options and, when allowed, the thresholded counts."""

from __future__ import annotations

from ...models import Workshop
from ..answers import revealed
from ..base import FACILITATOR, ROLES
from . import ops


def results_payload(workshop: Workshop, current, phase, role: str) -> dict:
    """Return what changes as phones answer, as one audience may see it now."""
    from ... import operations as core

    shown = revealed(workshop, current, phase)
    result = ops.results(workshop, phase)
    if not (role == FACILITATOR or shown):
        result = {**result, "counts": None, "dont_know": None}
    return {
        "phase_id": phase.id,
        **result,
        "participants": core.participant_count(workshop.id),
        "revealed": shown,
    }


def poll_block(workshop: Workshop, current, phase, role: str, settings: dict) -> dict:
    """Return the `poll` key of a snapshot (no phone's own answer)."""
    return {
        "options": settings["options"],
        "multiple": settings["multiple"],
        "max_choices": settings["max_choices"],
        # (whether "don't know" is offered is the phase's settings; here it is the count)
        "show_results": settings["show_results"],
        "min_responses": settings["min_responses"],
        **results_payload(workshop, current, phase, role),
    }


def results_payloads(workshop: Workshop) -> dict[str, dict]:
    """Return the `poll.results` event of the current phase for each audience."""
    from ... import operations as core

    current = core.current_phase(workshop)
    if current.kind != ops.KIND:
        return {}
    return {role: results_payload(workshop, current, current, role) for role in ROLES}


def personal_patches(ctx, phase, participants, data: dict) -> dict[int, dict]:
    """Return each phone's `my_poll` (`serializers.diff` form) from one query."""
    from ...serializers import answers_by_phone
    from .ops import _answer_dict
    from .tables import PollAnswer

    rows = answers_by_phone(
        PollAnswer,
        "phase_id",
        _answer_dict,
        participants,
        workshop_id=ctx.workshop.id,
        phase_id=phase.id,
    )
    return {pid: {"merge": {"poll": {"my_poll": row.get(phase.id)}}} for pid, row in rows.items()}
