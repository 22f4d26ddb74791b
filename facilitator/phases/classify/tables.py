"""Tables of the classify kind (revision 0004_classify)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db


class ClassifyChoice(db.Model):
    """The category one participant placed one item in, in one classify phase."""

    __tablename__ = "classify_choice"
    __table_args__ = (
        UniqueConstraint("participant_id", "phase_id", "item_key"),
        Index("ix_classify_choice_workshop_phase", "workshop_id", "phase_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    # None once the retention purge has unlinked the participant; the answer still counts.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE")
    )
    item_key: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(64))


class ClassifyFinal(db.Model):
    """The category the facilitator set for one item after the discussion."""

    __tablename__ = "classify_final"
    __table_args__ = (UniqueConstraint("workshop_id", "phase_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    phase_id: Mapped[str] = mapped_column(String(64))
    item_key: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(64))
