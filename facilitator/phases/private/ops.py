"""Private reflection: the server counts who is done and, where the template allows,
keeps anonymously shared answers for a thresholded aggregate.

Operations change rows and queue what to publish; the edge commits once.
Tables: `private_entry` (tables.py), unique per participant and phase.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Participant, Workshop
from ..answers import retrying, scale_distribution, store, threshold
from ..base import publication
from .settings import ANSWER_MAX_CHARS
from .tables import PrivateEntry

KIND = "private"


def _entry(participant: Participant, phase_id: str) -> PrivateEntry | None:
    return db.session.scalar(
        select(PrivateEntry).filter_by(participant_id=participant.id, phase_id=phase_id)
    )


def my_state(participant: Participant, phase_id: str) -> dict:
    """Return `{done, shared}` for the participant (never the answers: the phone has them)."""
    row = _entry(participant, phase_id)
    return {"done": row is not None, "shared": row is not None and row.answers is not None}


def _save(workshop: Workshop, participant: Participant, phase, answers, change: bool) -> None:
    """Create the participant's entry, or change its shared answers if `change`.

    Another socket of the same phone writing first makes the operation run again.
    """
    if not change and _entry(participant, phase.id) is not None:
        return
    key = {"participant_id": participant.id, "phase_id": phase.id}
    store(PrivateEntry, key, {"answers": answers}, workshop_id=workshop.id)


@retrying
def mark_done(workshop: Workshop, participant: Participant) -> dict:
    """Count the participant as done (once, however often a phone says so)."""
    phase = core._require_input(workshop, KIND)
    _save(workshop, participant, phase, None, change=False)
    publication().mark(workshop.id, KIND)
    return my_state(participant, phase.id)


def _clean_answers(phase, answers: dict) -> dict:
    """Return the answers worth keeping, checked against the questions."""
    items = {item.id: item for item in phase.settings.items}
    kept = {}
    for item_id, value in answers.items():
        item = items.get(item_id)
        if item is None:
            raise OperationError("not_found")
        if item.type == "scale":
            if isinstance(value, bool) or not isinstance(value, int):
                raise OperationError("invalid")
            if not item.scale.min <= value <= item.scale.max:
                raise OperationError("invalid")
            kept[item_id] = value
        else:
            if not isinstance(value, str):
                raise OperationError("invalid")
            text = value.strip()
            if len(text) > ANSWER_MAX_CHARS:
                raise OperationError("too_long", max=ANSWER_MAX_CHARS)
            if text:
                kept[item_id] = text
    return kept


@retrying
def share(workshop: Workshop, participant: Participant, answers: dict | None) -> dict:
    """Share the participant's answers anonymously (None withdraws them); counts as done."""
    phase = core._require_input(workshop, KIND)
    if phase.settings.share != "optional":
        raise OperationError("not_shareable")
    kept = None if answers is None else _clean_answers(phase, answers)
    if kept == {}:
        raise OperationError("empty")
    _save(workshop, participant, phase, kept, change=True)
    publication().mark(workshop.id, KIND)
    return my_state(participant, phase.id)


def counts(workshop: Workshop, phase_id: str) -> tuple[int, int]:
    """Return (done, shared): how many are done, and how many of them shared."""
    done, shared = db.session.execute(
        select(func.count(PrivateEntry.id), func.count(PrivateEntry.answers)).where(
            PrivateEntry.workshop_id == workshop.id, PrivateEntry.phase_id == phase_id
        )
    ).one()
    return done or 0, shared or 0


def results(workshop: Workshop, phase) -> dict[str, dict] | None:
    """Return the shared answers per question, each withheld below the threshold.

    Text answers come as a list sorted alphabetically (never in the order they were
    shared, which could tell whose is whose); scale answers as a distribution and mean.
    None when the phase does not offer sharing.
    """
    if phase.settings.share != "optional":
        return None
    rows = db.session.scalars(
        select(PrivateEntry.answers).where(
            PrivateEntry.workshop_id == workshop.id,
            PrivateEntry.phase_id == phase.id,
            PrivateEntry.answers.is_not(None),
        )
    ).all()
    limit = threshold(phase)
    out = {}
    for item in phase.settings.items:
        values = [r[item.id] for r in rows if isinstance(r, dict) and item.id in r]
        enough = len(values) >= limit
        if item.type == "scale":
            points = Counter(v for v in values if isinstance(v, int))
            distribution = mean = None
            if enough:
                distribution, mean = scale_distribution(points, item.scale.min, item.scale.max, 1)
            out[item.id] = {
                "type": "scale",
                "responses": len(values),
                "distribution": distribution,
                "mean": mean,
            }
        else:
            texts = sorted((v for v in values if isinstance(v, str)), key=str.casefold)
            out[item.id] = {
                "type": "text",
                "responses": len(values),
                "answers": texts if enough else None,
            }
    return out
