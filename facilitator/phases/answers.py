"""What the kinds that collect answers share: one answer per key with "set" semantics
(`store` in an operation wrapped in `retrying`), reading answers back (`answers_by`),
the facilitator's own per-item answers (`facilitator_phase`, `set_session_answer`:
classify finals, rate grades), the anonymity threshold, and thresholded scale
distributions.

Used by vote, rate, classify, poll and private (ops.py). No commit here: the edge
commits once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import OperationError
from ..extensions import db
from ..models import SessionStatus
from .base import publication

# The smallest number of answers any distribution needs before it shows.
MIN_RESPONSES = 5


def threshold(phase) -> int:
    """Return how many answers a phase's results need before they show."""
    return max(MIN_RESPONSES, phase.settings.min_responses)


_UNREAD = object()


def set_answer(
    table, key: Mapping[str, Any], values: Mapping[str, Any] | None, row=_UNREAD, **new
) -> bool:
    """Set the one row of `table` that `key` names to `values` (None removes it).

    `new` gives the columns only a new row needs (its `workshop_id`); `row` is that row
    (or None) when the caller has already read it. Returns False when another write of
    the same key won the race (the unique constraint at the flush): the session is
    rolled back and the caller runs its operation again, which then finds and sets the
    winner's row.
    """
    if row is _UNREAD:
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


# How often an operation runs again after losing a race before it gives up (server_error).
MAX_RETRIES = 20


class LostRace(Exception):
    """Another write of the same key won (`set_answer` rolled back): run the operation again."""


def store(
    table, key: Mapping[str, Any], values: Mapping[str, Any] | None, row=_UNREAD, **new
) -> None:
    """`set_answer`, raising LostRace when another write of the key won (see `retrying`)."""
    if not set_answer(table, key, values, row, **new):
        raise LostRace


def retrying(operation: Callable) -> Callable:
    """Run an operation that `store`s again when it lost a race (another socket of the same
    phone answered at the same moment, a facilitator's double click): the second run
    checks everything again and finds and sets the winner's row."""

    @functools.wraps(operation)
    def run(*args, **kwargs):
        for _ in range(MAX_RETRIES):
            try:
                return operation(*args, **kwargs)
            except LostRace:
                continue
        return operation(*args, **kwargs)

    return run


def answers_by(table, item: str, value: str | Callable, **where) -> dict:
    """Return `{row.<item>: row.<value>}` of the rows of `table` that match `where`.

    `value` may be a function of the row instead of a column name.
    """
    get = value if callable(value) else (lambda row: getattr(row, value))
    rows = db.session.scalars(select(table).filter_by(**where))
    return {getattr(row, item): get(row) for row in rows}


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


def session_answers(table, item: str, column: str, workshop, phase_id: str) -> dict:
    """Return the facilitator's answers of a phase: `{row.<item>: row.<column>}`."""
    return answers_by(table, item, column, workshop_id=workshop.id, phase_id=phase_id)


def facilitator_phase(workshop, phase_id: str, kind: str):
    """Return a phase of `kind` the facilitator may still answer for; refuse when the
    session is closed (session_closed) or has no such phase (not_found)."""
    if workshop.status is SessionStatus.CLOSED:
        raise OperationError("session_closed")
    return phase_of_kind(workshop, phase_id, kind)


def set_session_answer(
    workshop, phase, table, item: str, key: str, column: str, value, event: str, name: str
) -> dict:
    """Set the facilitator's answer (`column` = `value`; None clears it) for the item
    whose `item` column is `key`; queue `event` as `{phase_id, <name>: every answer of
    the phase}` for all screens and return those answers. Run inside `retrying`."""
    values = None if value is None else {column: value}
    store(table, {"workshop_id": workshop.id, "phase_id": phase.id, item: key}, values)
    result = session_answers(table, item, column, workshop, phase.id)
    publication().emit(workshop.id, event, {"phase_id": phase.id, name: result})
    return result


def revealed(workshop, current, phase) -> bool:
    """Tell whether the room (projector and phones) may see a phase's results now.

    With `show_results: after_close` they stay hidden while input is open in that phase
    itself: closing input is the reveal (as for a vote). Another phase, or a closed
    session, always shows them. The facilitator sees them live; below the threshold
    nobody does (each kind's view applies that).
    """
    if current.id != phase.id or workshop.status is SessionStatus.CLOSED:
        return True
    return phase.settings.show_results == "live" or not workshop.input_open
