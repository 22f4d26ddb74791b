"""Socket events of the vote kind: a phone sets its dots on one item."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..payloads import ClientId, ItemKey, _Payload, phone_event
from . import ops


class VoteSet(_Payload):
    client_id: ClientId
    item: ItemKey
    count: Annotated[int, Field(ge=0, le=100)]


def register(handler) -> None:
    """Register vote.set: the caller's dots on one item."""
    phone_event(
        handler,
        "vote.set",
        VoteSet,
        ops.set_vote,
        ("item", "count"),
        lambda mine, _workshop, _participant: {"my_votes": mine, "used": sum(mine.values())},
    )
