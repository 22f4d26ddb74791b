"""Tables of the small_groups kind (Alembic revision 0004_small_groups).

Membership (`sg_member`) and the writer link say who is in which group: they are
never exported, logged or sent to anyone but the phone itself. A group's notes are
the group's: their `participant_id` only lets a phone change its own note.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ...models import TZDateTime, utcnow


class SgRound(db.Model):
    """The current round of a small-groups phase in one session."""

    __tablename__ = "sg_round"
    __table_args__ = (UniqueConstraint("workshop_id", "phase_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer, default=0)


class SgGroup(db.Model):
    """One group (table) of a round; a rotation round keeps the groups of the round before."""

    __tablename__ = "sg_group"
    __table_args__ = (UniqueConstraint("workshop_id", "phase_id", "round", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[int] = mapped_column(Integer)
    question: Mapped[int | None] = mapped_column(Integer)
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))
    timer_ends_at: Mapped[datetime | None] = mapped_column(TZDateTime())


class SgMember(db.Model):
    """A phone in a group in one round (never exported)."""

    __tablename__ = "sg_member"
    __table_args__ = (
        UniqueConstraint("participant_id", "phase_id", "round"),
        Index("ix_sg_member_group", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int] = mapped_column(ForeignKey("sg_group.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))


class SgNote(db.Model):
    """A note on a group's wall; the group is its author."""

    __tablename__ = "sg_note"
    __table_args__ = (
        UniqueConstraint("workshop_id", "client_id"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        Index("ix_sg_note_group", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[int] = mapped_column(ForeignKey("sg_group.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
