"""Tables of the rate kind beyond models.Rating (revision 0006_poll_private_rate)."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ..tables import SessionAnswer


class RateGrade(SessionAnswer, db.Model):
    """The grade a group agreed for one statement, entered by the facilitator."""

    __tablename__ = "rate_grade"
    __table_args__ = (UniqueConstraint("workshop_id", "phase_id", "statement_id"),)

    statement_id: Mapped[str] = mapped_column(String(64))
    # A point of the phase's scale.
    grade: Mapped[int] = mapped_column(Integer)
