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
