"""Tables of the private kind (revision 0006_poll_private_rate)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ..tables import PhoneAnswer, phone_answer_args


class PrivateEntry(PhoneAnswer, db.Model):
    """One participant is done with a private phase; with `answers`, they shared them.

    The link to the participant only makes "done" and sharing idempotent and lets a
    phone withdraw its share; no broadcast or export ever names it.
    """

    __tablename__ = "private_entry"
    __table_args__ = phone_answer_args("private_entry")

    # The shared answers {question id: text or scale point}; None = not shared.
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
