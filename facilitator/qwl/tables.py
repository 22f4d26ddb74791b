"""Tables of the QWL results (revision 0010_qwl).

A round is one measurement of one unit, stored for a team (`scope` "team:<id>") or,
when the session has no team, for the session ("session:<id>"), so the next session
of the same team sees the earlier rounds: the index trend and each statement's change.
A statement with fewer than 5 answers is stored without scores (a CHECK keeps it so).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import TZDateTime, utcnow

MIN_ANSWERS = 5


class QwlRound(db.Model):
    """One QWL measurement round of one unit."""

    __tablename__ = "qwl_round"
    __table_args__ = (
        UniqueConstraint("scope", "label"),
        CheckConstraint("index_pct >= 0 AND index_pct <= 100", name="index_is_percent"),
        CheckConstraint(f"answers >= {MIN_ANSWERS}", name="unit_threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "team:<id>" or "session:<id>": whose rounds these are.
    scope: Mapped[str] = mapped_column(String(40), index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    # For a session without a team, the session that owns it (deleted with it); null for
    # a team's round, which stays when the session it was imported in is deleted.
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    unit: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(100))
    measured_on: Mapped[date | None] = mapped_column(Date)
    index_pct: Mapped[float] = mapped_column(Float)
    # The unit's answers: the most any statement got.
    answers: Mapped[int] = mapped_column(Integer)
    # "csv", "xlsx" or "form".
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    statements: Mapped[list[QwlStatement]] = relationship(
        back_populates="round",
        cascade="all, delete-orphan",
        order_by="QwlStatement.position",
    )


class QwlStatement(db.Model):
    """One statement's result in a round; no scores below the answer threshold."""

    __tablename__ = "qwl_statement"
    __table_args__ = (
        UniqueConstraint("round_id", "statement_id"),
        CheckConstraint(
            f"(score IS NULL AND previous IS NULL) OR answers >= {MIN_ANSWERS}",
            name="statement_threshold",
        ),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_is_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("qwl_round.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    statement_id: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(String(500))
    score: Mapped[float | None] = mapped_column(Float)
    previous: Mapped[float | None] = mapped_column(Float)
    answers: Mapped[int] = mapped_column(Integer)

    round: Mapped[QwlRound] = relationship(back_populates="statements")


class QwlFocusVote(db.Model):
    """A phone's choice of a focus statement in a results phase (set semantics)."""

    __tablename__ = "qwl_focus_vote"
    __table_args__ = (UniqueConstraint("participant_id", "phase_id", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    # Null once retention removed the participant: the choice still counts.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    phase_id: Mapped[str] = mapped_column(String(64))
    statement_id: Mapped[str] = mapped_column(String(32))
