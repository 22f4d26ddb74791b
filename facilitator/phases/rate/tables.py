"""Tables of the rate kind beyond models.Rating (revision 0006_poll_private_rate)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db


class RateGrade(db.Model):
    """The grade a group agreed for one statement, entered by the facilitator."""

    __tablename__ = "rate_grade"
    __table_args__ = (UniqueConstraint("workshop_id", "phase_id", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    phase_id: Mapped[str] = mapped_column(String(64))
    statement_id: Mapped[str] = mapped_column(String(64))
    # A point of the phase's scale.
    grade: Mapped[int] = mapped_column(Integer)
