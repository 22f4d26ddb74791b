"""Rating statements on a scale: a phone's answers and the thresholded distributions.

Operations change rows and queue what to publish; the edge commits once.
Tables: `rating` (models.Rating), unique per participant, phase and statement.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Participant, Rating, Workshop
from ..base import publication

KIND = "rate"


def threshold(phase) -> int:
    """Return how many answers a statement needs before its distribution shows."""
    return max(5, phase.settings.min_responses)


def my_ratings(participant: Participant, phase_id: str) -> dict[str, int]:
    """Return the participant's own answers in a rate phase."""
    rows = db.session.scalars(
        select(Rating).filter_by(participant_id=participant.id, phase_id=phase_id)
    )
    return {r.statement_id: r.value for r in rows}


def set_rating(workshop: Workshop, participant: Participant, statement_id: str, value: int) -> dict:
    """Set the participant's answer to one statement."""
    phase = core._require_input(workshop, KIND)
    settings = phase.settings
    if statement_id not in {s.id for s in settings.statements}:
        raise OperationError("not_found")
    if not settings.scale.min <= value <= settings.scale.max:
        raise OperationError("invalid")
    rating = db.session.scalar(
        select(Rating).filter_by(
            participant_id=participant.id, phase_id=phase.id, statement_id=statement_id
        )
    )
    if rating is None:
        db.session.add(
            Rating(
                workshop_id=workshop.id,
                phase_id=phase.id,
                participant_id=participant.id,
                statement_id=statement_id,
                value=value,
            )
        )
    else:
        rating.value = value
    try:
        db.session.flush()
    except IntegrityError:
        # Another socket of the same phone answered at the same moment: set it again.
        db.session.rollback()
        return set_rating(workshop, participant, statement_id, value)
    publication().mark(workshop.id, KIND)
    return my_ratings(participant, phase.id)


def rating_results(workshop: Workshop, phase) -> dict[str, dict]:
    """Return per-statement distributions, withheld below the anonymity threshold."""
    settings = phase.settings
    rows = db.session.execute(
        select(Rating.statement_id, Rating.value, func.count(Rating.id))
        .where(Rating.workshop_id == workshop.id, Rating.phase_id == phase.id)
        .group_by(Rating.statement_id, Rating.value)
    ).all()
    counts: dict[str, dict[int, int]] = {s.id: {} for s in settings.statements}
    for statement_id, value, n in rows:
        if statement_id in counts:
            counts[statement_id][value] = n
    results = {}
    for statement_id, by_value in counts.items():
        responses = sum(by_value.values())
        if responses >= threshold(phase):
            distribution = {
                str(v): by_value.get(v, 0)
                for v in range(settings.scale.min, settings.scale.max + 1)
            }
            mean = round(sum(v * n for v, n in by_value.items()) / responses, 2)
        else:
            distribution, mean = None, None
        results[statement_id] = {"responses": responses, "distribution": distribution, "mean": mean}
    return results
