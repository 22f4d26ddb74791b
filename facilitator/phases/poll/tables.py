"""Tables of the poll kind (revision 0006_poll_private_rate)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db


class PollAnswer(db.Model):
    """One participant's answer to one poll: the options chosen, or "don't know"."""

    __tablename__ = "poll_answer"
    __table_args__ = (
        UniqueConstraint("participant_id", "phase_id"),
        Index("ix_poll_answer_workshop_phase", "workshop_id", "phase_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    # None once the retention purge has unlinked the participant; the answer still counts.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE")
    )
    # The chosen option ids, space-separated in the template's order ("" for don't know).
    choices: Mapped[str] = mapped_column(String(700), default="")
    dont_know: Mapped[bool] = mapped_column(default=False)
