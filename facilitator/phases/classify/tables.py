"""Tables of the classify kind (revision 0004_classify)."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ..tables import PhoneAnswer, SessionAnswer, phone_answer_args


class ClassifyChoice(PhoneAnswer, db.Model):
    """The category one participant placed one item in, in one classify phase."""

    __tablename__ = "classify_choice"
    __table_args__ = phone_answer_args("classify_choice", "item_key")

    item_key: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(64))


class ClassifyFinal(SessionAnswer, db.Model):
    """The category the facilitator set for one item after the discussion."""

    __tablename__ = "classify_final"
    __table_args__ = (UniqueConstraint("workshop_id", "phase_id", "item_key"),)

    item_key: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(64))
