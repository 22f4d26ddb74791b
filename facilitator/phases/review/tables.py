"""Tables of the review kind (revision 0009_review); the carry link is `action.carried_from_id`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ...models import TZDateTime, utcnow
from ..tables import PhoneAnswer, phone_answer_args

# A phone's progress check of an item.
PROGRESS = ("done", "partly", "not_started", "dont_know")
# What the facilitator decided about an item in a review: its status set on the spot,
# carried forward into this session, or dropped with a reason.
DECISIONS = ("status", "carried", "dropped")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReviewAnswer(PhoneAnswer, db.Model):
    """One participant's progress check of one agreed item in one review phase."""

    __tablename__ = "review_answer"
    __table_args__ = (
        *phone_answer_args("review_answer", "action_id"),
        CheckConstraint(_in("progress", PROGRESS), name="review_progress"),
    )

    # The item reviewed (an action of an earlier session of the team).
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    progress: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(300), default="")


class ReviewOutcome(db.Model):
    """What the facilitator decided about one item in one review phase (the latest)."""

    __tablename__ = "review_outcome"
    __table_args__ = (
        UniqueConstraint("workshop_id", "phase_id", "action_id"),
        CheckConstraint(_in("decision", DECISIONS), name="review_decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    # The status the item was given (decision "status"), the reason it was dropped, and
    # the new item of this session that carries it forward.
    status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    carried_to_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
