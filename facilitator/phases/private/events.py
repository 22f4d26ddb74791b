"""Socket events of the private kind: a phone is done, or shares its answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..payloads import ClientId, SettingId, Text, _Payload, phone_event
from . import ops
from .settings import MAX_ITEMS

Answer = Text | Annotated[int, Field(ge=-1000, le=1000)]


class PrivateDone(_Payload):
    client_id: ClientId


class PrivateShare(_Payload):
    client_id: ClientId
    # {question id: text or scale point}; null withdraws what was shared.
    answers: Annotated[dict[SettingId, Answer], Field(max_length=MAX_ITEMS)] | None


def register(handler) -> None:
    """Register private.done (the answers stay on the phone) and private.share (share
    them anonymously, or null: withdraw them)."""
    phone_event(handler, "private.done", PrivateDone, ops.mark_done, (), "my_private")
    phone_event(handler, "private.share", PrivateShare, ops.share, ("answers",), "my_private")
