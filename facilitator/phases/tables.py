"""Columns the kinds' answer tables share (their own tables.py add the rest).

`PhoneAnswer`: one phone's answer in one phase of a session, kept after the retention
purge unlinks the participant; `SessionAnswer`: the facilitator's answer for one item
of a phase (classify finals, rate grades). App-level (SQLAlchemy).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class PhoneAnswer:
    """Mixin: the session, the phase and the phone an answer row belongs to."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), sort_order=-1
    )
    phase_id: Mapped[str] = mapped_column(String(64), sort_order=-1)
    # None once the retention purge has unlinked the participant; the answer still counts.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), sort_order=-1
    )


def phone_answer_args(table: str, *key: str) -> tuple:
    """Return the table args of a PhoneAnswer table: one row per phone, phase and `key`
    columns, and an index to read a phase's answers."""
    return (
        UniqueConstraint("participant_id", "phase_id", *key),
        Index(f"ix_{table}_workshop_phase", "workshop_id", "phase_id"),
    )


class SessionAnswer:
    """Mixin: the session and the phase of a facilitator's per-item answer row."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True, sort_order=-1
    )
    phase_id: Mapped[str] = mapped_column(String(64), sort_order=-1)
