"""Polls: each phone chooses one or several options (or "don't know"); the counts,
withheld below the anonymity threshold for every audience.

Operations change rows and queue what to publish; the edge commits once.
Tables: `poll_answer` (tables.py), unique per participant and phase ("set" semantics).
"""

from __future__ import annotations

from sqlalchemy import select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Participant, Workshop
from ..answers import retrying, store, threshold
from ..base import publication
from .tables import PollAnswer

KIND = "poll"


def _answer_dict(row: PollAnswer | None) -> dict | None:
    if row is None:
        return None
    return {"choices": row.choices.split() if row.choices else [], "dont_know": row.dont_know}


def my_answer(participant: Participant, phase_id: str) -> dict | None:
    """Return the participant's own answer (`{choices, dont_know}`), or None."""
    row = db.session.scalar(
        select(PollAnswer).filter_by(participant_id=participant.id, phase_id=phase_id)
    )
    return _answer_dict(row)


@retrying
def set_answer(
    workshop: Workshop, participant: Participant, choices: list[str], dont_know: bool
) -> dict | None:
    """Set the participant's answer; no choices and no "don't know" takes it back."""
    phase = core._require_input(workshop, KIND)
    settings = phase.settings
    ids = [o.id for o in settings.options]
    if len(set(choices)) != len(choices):
        raise OperationError("invalid")
    if any(c not in ids for c in choices):
        raise OperationError("not_found")
    if dont_know and (choices or not settings.dont_know):
        raise OperationError("invalid")
    if len(choices) > settings.choice_limit():
        raise OperationError("too_many_choices", max=settings.choice_limit())
    key = {"participant_id": participant.id, "phase_id": phase.id}
    values = {"choices": " ".join(c for c in ids if c in choices), "dont_know": dont_know}
    store(PollAnswer, key, values if choices or dont_know else None, workshop_id=workshop.id)
    publication().mark(workshop.id, KIND)
    return my_answer(participant, phase.id)


def results(workshop: Workshop, phase) -> dict:
    """Return `{responses, counts, dont_know}`; counts and dont_know are None below the
    threshold (`responses` counts every answer, "don't know" included)."""
    rows = db.session.execute(
        select(PollAnswer.choices, PollAnswer.dont_know).where(
            PollAnswer.workshop_id == workshop.id, PollAnswer.phase_id == phase.id
        )
    ).all()
    ids = [o.id for o in phase.settings.options]
    responses = len(rows)
    if responses < threshold(phase):
        return {"responses": responses, "counts": None, "dont_know": None}
    counts = dict.fromkeys(ids, 0)
    unsure = 0
    for choices, dont_know in rows:
        if dont_know:
            unsure += 1
        for choice in choices.split():
            if choice in counts:
                counts[choice] += 1
    return {
        "responses": responses,
        "counts": counts,
        "dont_know": unsure if phase.settings.dont_know else None,
    }
