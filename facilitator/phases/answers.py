"""What the kinds that collect answers share: one answer per key with "set" semantics,
the anonymity threshold, and thresholded scale distributions.

Used by vote, rate, classify, poll and private (ops.py) and by the facilitator's own
per-item answers (classify finals, rate grades). No commit here: the edge commits once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import OperationError
from ..extensions import db

# The smallest number of answers any distribution needs before it shows.
MIN_RESPONSES = 5


def threshold(phase) -> int:
    """Return how many answers a phase's results need before they show."""
    return max(MIN_RESPONSES, phase.settings.min_responses)


def set_answer(table, key: Mapping[str, Any], values: Mapping[str, Any] | None, **new) -> bool:
    """Set the one row of `table` that `key` names to `values` (None removes it).

    `new` gives the columns only a new row needs (its `workshop_id`). Returns False when
    another write of the same key won the race (the unique constraint at the flush): the
    session is rolled back and the caller runs its operation again, which then finds
    and sets the winner's row.
    """
    row = db.session.scalar(select(table).filter_by(**key))
    if values is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(table(**new, **key, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def phase_of_kind(workshop, phase_id: str, kind: str):
    """Return the session's phase with this id if it is of `kind`, else refuse (not_found)."""
    from .. import operations as core

    model = core.workshop_model(workshop)
    try:
        phase = model.phases[model.phase_index(phase_id)]
    except KeyError:
        raise OperationError("not_found") from None
    if phase.kind != kind:
        raise OperationError("not_found")
    return phase


def scale_distribution(
    by_value: Mapping[int, int], low: int, high: int, limit: int
) -> tuple[dict[str, int] | None, float | None]:
    """Return (distribution, mean) of answers on a scale, both None below `limit` answers.

    `by_value` counts the answers per point; the distribution names every point from
    `low` to `high` (as strings, the wire format).
    """
    responses = sum(by_value.values())
    if not responses or responses < limit:
        return None, None
    distribution = {str(v): by_value.get(v, 0) for v in range(low, high + 1)}
    mean = round(sum(v * n for v, n in by_value.items()) / responses, 2)
    return distribution, mean
