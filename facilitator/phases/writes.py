"""What the kinds whose phones (or facilitators) post rows with a client id share:
ideas, small-group notes and agreed actions.

A retried client id returns the row made the first time (`first_write`, `add_once`),
a writer's cap counts deleted rows too (`check_cap`), and a phone may change only its
own rows (`own_row`). No commit here: the edge commits once.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..errors import OperationError
from ..extensions import db

UNREAD = object()


def by_client_id(table, workshop_id: int, client_id: str):
    """Return the session's row that this client id made, or None."""
    return db.session.scalar(select(table).filter_by(workshop_id=workshop_id, client_id=client_id))


def first_write(table, workshop, participant, client_id: str, existing=UNREAD):
    """Return the row a retried client id made the first time, or None for a new one.

    Refuses a client id another phone used (invalid) and a row its writer has since
    deleted (idea_deleted: a late retry must not post it again). `existing`: that row
    (or None) when the caller has already read it.
    """
    if existing is UNREAD:
        existing = by_client_id(table, workshop.id, client_id)
    if existing is None:
        return None
    if existing.participant_id != participant.id:
        raise OperationError("invalid")
    if existing.deleted:
        raise OperationError("idea_deleted")
    return existing


def check_cap(table, cap: int, deleted_factor: int, *where) -> None:
    """Refuse a new row when the writer has `cap` live rows (too_many_ideas), or, deleted
    ones included, `cap * deleted_factor` (too_many_deleted): fixing typos by deleting
    and re-posting is fine, add-then-delete cannot fill the table with rows."""
    live, deleted = db.session.execute(
        select(
            func.count(table.id).filter(table.deleted.is_(False)),
            func.count(table.id).filter(table.deleted.is_(True)),
        ).where(*where)
    ).one()
    _refuse_over_cap(live, deleted, cap, deleted_factor)


def first_write_within_cap(
    table, workshop, participant, client_id: str, cap: int, deleted_factor: int, *where
):
    """`first_write` and `check_cap` in one query: the row a retried client id made
    the first time, or None when the writer (rows matching `where`) may add one more."""
    mine = and_(*where)
    live, deleted, existing_id = db.session.execute(
        select(
            func.count(table.id).filter(mine, table.deleted.is_(False)),
            func.count(table.id).filter(mine, table.deleted.is_(True)),
            func.max(table.id).filter(table.client_id == client_id),
        ).where(table.workshop_id == workshop.id, or_(mine, table.client_id == client_id))
    ).one()
    if existing_id is not None:
        existing = db.session.get(table, existing_id)
        return first_write(table, workshop, participant, client_id, existing)
    _refuse_over_cap(live, deleted, cap, deleted_factor)
    return None


def _refuse_over_cap(live: int, deleted: int, cap: int, deleted_factor: int) -> None:
    """Refuse a new row over the writer's caps (`check_cap`)."""
    if live >= cap:
        raise OperationError("too_many_ideas", max=cap)
    if live + deleted >= cap * deleted_factor:
        raise OperationError("too_many_deleted")


def add_once(row) -> tuple[object, bool]:
    """Add a new row with a client id: (row, True), or when a twin raced in at the same
    moment (two sockets of one phone, a double click) the first one: (first, False)."""
    table, workshop_id, client_id = type(row), row.workshop_id, row.client_id
    db.session.add(row)
    try:
        # The insert goes out now: a twin racing in hits the unique constraint here.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return by_client_id(table, workshop_id, client_id), False
    return row, True


def own_row(table, workshop, participant, row_id: int):
    """Return the phone's own live row of this session, None if it is gone; refuse
    someone else's (not_yours)."""
    row = db.session.get(table, row_id)
    if row is None or row.workshop_id != workshop.id or row.deleted:
        return None
    if row.participant_id != participant.id:
        raise OperationError("not_yours")
    return row


def soft_delete(row) -> None:
    """Delete a posted row but keep it: its client id stays, so a late retry cannot
    resurrect it."""
    row.deleted = True
    row.text = "-"
