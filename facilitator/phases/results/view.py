"""What screens see of a results phase: the unit's results (already thresholded at
import), the helper questions and, when allowed, the focus tally. No phone's choice."""

from __future__ import annotations

from ...models import Workshop
from ...qwl import store
from ..answers import revealed
from ..base import FACILITATOR, ROLES
from . import ops


def tally_payload(workshop: Workshop, current, phase, role: str) -> dict:
    """Return the focus tally as one audience may see it now."""
    shown = revealed(workshop, current, phase)
    result = ops.tally(workshop, phase)
    if not (role == FACILITATOR or shown):
        result = {**result, "counts": None}
    return {"phase_id": phase.id, **result, "revealed": shown}


def block(workshop: Workshop, current, phase, role: str, lang: str, fallback: str) -> dict:
    """Return the `results` key of a snapshot."""
    s = phase.settings
    return {
        "phase_id": phase.id,
        "summary": store.summary(workshop),
        "helpers": ops.helper_questions(phase, lang, fallback),
        "focus_votes": s.focus_votes,
        "show_results": s.show_results,
        "min_responses": ops.threshold(phase),
        "tally": tally_payload(workshop, current, phase, role) if s.focus_votes else None,
    }


def results_payloads(workshop: Workshop) -> dict[str, dict]:
    """Return the `results.tally` event of the current phase for each audience."""
    from ... import operations as core

    current = core.current_phase(workshop)
    if current.kind != ops.KIND or not current.settings.focus_votes:
        return {}
    return {role: tally_payload(workshop, current, current, role) for role in ROLES}
