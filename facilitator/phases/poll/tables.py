"""Tables of the poll kind (revision 0006_poll_private_rate)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ..tables import PhoneAnswer, phone_answer_args


class PollAnswer(PhoneAnswer, db.Model):
    """One participant's answer to one poll: the options chosen, or "don't know"."""

    __tablename__ = "poll_answer"
    __table_args__ = phone_answer_args("poll_answer")

    # The chosen option ids, space-separated in the template's order ("" for don't know).
    choices: Mapped[str] = mapped_column(String(700), default="")
    dont_know: Mapped[bool] = mapped_column(default=False)
