"""Tables of the private kind (revision 0006_poll_private_rate)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db


class PrivateEntry(db.Model):
    """One participant is done with a private phase; with `answers`, they shared them.

    The link to the participant only makes "done" and sharing idempotent and lets a
    phone withdraw its share; no broadcast or export ever names it.
    """

    __tablename__ = "private_entry"
    __table_args__ = (
        UniqueConstraint("participant_id", "phase_id"),
        Index("ix_private_entry_workshop_phase", "workshop_id", "phase_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    phase_id: Mapped[str] = mapped_column(String(64))
    # None once the retention purge has unlinked the participant; still counted.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE")
    )
    # The shared answers {question id: text or scale point}; None = not shared.
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
