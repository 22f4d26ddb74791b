"""Rating statements on a scale: a phone's answers and the thresholded distributions.

Operations change rows and queue what to publish; the edge commits once.
Tables: `rating` (models.Rating), unique per participant, phase and statement (a
"don't know" answer is a row with `dont_know` set); `rate_grade` (tables.py), the
facilitator's grade per session, phase and statement.
"""

from __future__ import annotations

import functools

from sqlalchemy import func, select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Participant, Rating, Workshop
from ..answers import (
    answers_by,
    facilitator_phase,
    phase_of_kind,
    retrying,
    scale_distribution,
    session_answers,
    set_session_answer,
    store,
    threshold,
)
from ..base import publication
from .tables import RateGrade

KIND = "rate"

# The session's rate phase with this id, or refuse with not_found.
rate_phase = functools.partial(phase_of_kind, kind=KIND)
# The answer a phone sends (and gets back in `my_ratings`) for "en osaa sanoa".
DONT_KNOW = "dont_know"


def my_ratings(participant: Participant, phase_id: str) -> dict[str, int | str]:
    """Return the participant's own answers in a rate phase ("dont_know" for don't know)."""
    return answers_by(
        Rating,
        "statement_id",
        lambda r: DONT_KNOW if r.dont_know else r.value,
        participant_id=participant.id,
        phase_id=phase_id,
    )


def _check_statement(settings, statement_id: str) -> None:
    """Refuse (not_found) a statement the phase does not have."""
    if statement_id not in {s.id for s in settings.statements}:
        raise OperationError("not_found")


@retrying
def set_rating(
    workshop: Workshop, participant: Participant, statement_id: str, value: int | str
) -> dict:
    """Set the participant's answer to one statement: a point of the scale or "dont_know"."""
    phase = core._require_input(workshop, KIND)
    settings = phase.settings
    _check_statement(settings, statement_id)
    dont_know = value == DONT_KNOW
    if dont_know:
        if not getattr(settings, "dont_know", False):
            raise OperationError("invalid")
        value = settings.scale.min
    elif not settings.scale.min <= value <= settings.scale.max:
        raise OperationError("invalid")
    key = {"participant_id": participant.id, "phase_id": phase.id, "statement_id": statement_id}
    values = {"value": value, "dont_know": dont_know}
    store(Rating, key, values, workshop_id=workshop.id)
    publication().mark(workshop.id, KIND)
    return my_ratings(participant, phase.id)


def rating_results(workshop: Workshop, phase) -> dict[str, dict]:
    """Return per-statement distributions, withheld below the anonymity threshold.

    `responses` counts the answers on the scale (always shown); the distribution and
    mean need `threshold` of them. With `dont_know` allowed, `dont_know` counts those
    answers apart, shown once the statement has `threshold` answers of either kind
    (else null); a "don't know" is never in the mean or the distribution.
    """
    settings = phase.settings
    rows = db.session.execute(
        select(Rating.statement_id, Rating.dont_know, Rating.value, func.count(Rating.id))
        .where(Rating.workshop_id == workshop.id, Rating.phase_id == phase.id)
        .group_by(Rating.statement_id, Rating.dont_know, Rating.value)
    ).all()
    counts: dict[str, dict[int, int]] = {s.id: {} for s in settings.statements}
    dont_know: dict[str, int] = dict.fromkeys(counts, 0)
    for statement_id, unsure, value, n in rows:
        if statement_id not in counts:
            continue
        if unsure:
            dont_know[statement_id] += n
        else:
            counts[statement_id][value] = n
    with_dont_know = getattr(settings, "dont_know", False)
    results = {}
    for statement_id, by_value in counts.items():
        responses = sum(by_value.values())
        distribution, mean = scale_distribution(
            by_value, settings.scale.min, settings.scale.max, threshold(phase)
        )
        result = {"responses": responses, "distribution": distribution, "mean": mean}
        if with_dont_know:
            unsure = dont_know[statement_id]
            result["dont_know"] = unsure if responses + unsure >= threshold(phase) else None
        results[statement_id] = result
    return results


# --- the facilitator's grades ------------------------------------------------------


def grades(workshop: Workshop, phase_id: str) -> dict[str, int]:
    """Return the facilitator's grade per statement of a rate phase."""
    return session_answers(RateGrade, "statement_id", "grade", workshop, phase_id)


@retrying
def set_grade(workshop: Workshop, phase_id: str, statement_id: str, grade: int | None) -> dict:
    """Set (or with None clear) the agreed grade of one statement; return all grades."""
    phase = facilitator_phase(workshop, phase_id, KIND)
    settings = phase.settings
    if not getattr(settings, "grades", False):
        raise OperationError("not_found")
    _check_statement(settings, statement_id)
    if grade is not None and not settings.scale.min <= grade <= settings.scale.max:
        raise OperationError("invalid")
    return set_session_answer(
        workshop, phase, RateGrade, "statement_id", statement_id, "grade", grade,
        "rate.grades", "grades",
    )  # fmt: skip
