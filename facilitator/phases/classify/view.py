"""What screens see of a classify phase: the items, the categories, the matrix."""

from __future__ import annotations

from ...models import Workshop
from ..answers import revealed
from ..base import FACILITATOR, ROLES
from . import ops


def categories(phase, text) -> list[dict]:
    """Return the phase's categories with titles in the snapshot's language."""
    return [{"id": c.id, "title": text(c.title)} for c in phase.settings.categories]


def results_payload(workshop: Workshop, current, phase, role: str, item_list=None) -> dict:
    """Return what changes as phones answer, as one audience may see it now."""
    from ... import operations as core

    shown = revealed(workshop, current, phase)
    visible = role == FACILITATOR or shown
    return {
        "phase_id": phase.id,
        "results": ops.results(workshop, phase, item_list) if visible else None,
        "final": ops.finals(workshop, phase.id),
        # How many have answered, out of how many joined: every screen may see that.
        "classifiers": ops.classifiers(workshop, phase.id),
        "participants": core.participant_count(workshop.id),
        "revealed": shown,
    }


def classify_block(workshop: Workshop, current, phase, role: str, text) -> dict:
    """Return the `classify` key of a snapshot (no phone's own answers)."""
    item_list = ops.items(workshop, phase)
    return {
        "phase_id": phase.id,
        "categories": categories(phase, text),
        "items": item_list,
        "agreement": phase.settings.agreement,
        "min_responses": ops.threshold(phase),
        **results_payload(workshop, current, phase, role, item_list),
    }


def results_payloads(workshop: Workshop) -> dict[str, dict]:
    """Return the `classify.results` event of the current phase for each audience."""
    from ... import operations as core

    model = core.workshop_model(workshop)
    current = model.phases[workshop.phase_index]
    if current.kind != ops.KIND:
        return {}
    item_list = ops.items(workshop, current)
    return {role: results_payload(workshop, current, current, role, item_list) for role in ROLES}


def personal_patches(ctx, phase, participants, data: dict) -> dict[int, dict]:
    """Return each phone's `my_choices` (`serializers.diff` form) from one query."""
    from ...serializers import answers_by_phone
    from .tables import ClassifyChoice

    mine = answers_by_phone(
        ClassifyChoice,
        "item_key",
        "category",
        participants,
        workshop_id=ctx.workshop.id,
        phase_id=phase.id,
    )
    return {pid: {"merge": {"classify": {"my_choices": m}}} for pid, m in mine.items()}
