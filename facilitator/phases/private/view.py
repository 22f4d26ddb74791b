"""What screens see of a private phase: the questions, how many are done, and the
anonymously shared answers where allowed and over the threshold."""

from __future__ import annotations

from ...models import Workshop
from ..base import ROLES
from . import ops


def results_payload(workshop: Workshop, phase) -> dict:
    """Return what changes as phones finish or share (the same for every audience)."""
    from ... import operations as core

    done, shared = ops.counts(workshop, phase.id)
    return {
        "phase_id": phase.id,
        "done": done,
        "participants": core.participant_count(workshop.id),
        "shared": shared if phase.settings.share == "optional" else None,
        "results": ops.results(workshop, phase),
    }


def results_payloads(workshop: Workshop) -> dict[str, dict]:
    """Return the `private.results` event of the current phase for each audience."""
    from ... import operations as core

    current = core.current_phase(workshop)
    if current.kind != ops.KIND:
        return {}
    payload = results_payload(workshop, current)
    return dict.fromkeys(ROLES, payload)


def personal_patches(ctx, phase, participants, data: dict) -> dict[int, dict]:
    """Return each phone's `my_private` `{done, shared}` (`serializers.diff` form), one query."""
    from ...serializers import answers_by_phone
    from .tables import PrivateEntry

    rows = answers_by_phone(
        PrivateEntry,
        "phase_id",
        lambda row: row.answers is not None,
        participants,
        workshop_id=ctx.workshop.id,
        phase_id=phase.id,
    )
    return {
        pid: {
            "merge": {
                "private": {"my_private": {"done": phase.id in r, "shared": bool(r.get(phase.id))}}
            }
        }
        for pid, r in rows.items()
    }
