"""Socket events of the private kind: a phone is done, or shares its answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ..payloads import ClientId, Text, _Payload
from . import ops
from .settings import MAX_ITEMS

ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,64}$")]
Answer = Text | Annotated[int, Field(ge=-1000, le=1000)]


class PrivateDone(_Payload):
    client_id: ClientId


class PrivateShare(_Payload):
    client_id: ClientId
    # {question id: text or scale point}; null withdraws what was shared.
    answers: Annotated[dict[ItemId, Answer], Field(max_length=MAX_ITEMS)] | None


def register(handler) -> None:
    """Register private.done and private.share."""
    from ... import realtime as rt

    @handler("private.done", PrivateDone)
    def on_private_done(data: PrivateDone):
        """Count the caller as done (the answers stay on the phone)."""
        workshop, participant = rt._participant()
        return {"ok": True, "my_private": ops.mark_done(workshop, participant)}

    @handler("private.share", PrivateShare)
    def on_private_share(data: PrivateShare):
        """Share the caller's answers anonymously, or withdraw them."""
        workshop, participant = rt._participant()
        return {"ok": True, "my_private": ops.share(workshop, participant, data.answers)}
