"""Socket events of the vote kind: a phone sets its dots on one item."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from ..payloads import DB_ID_MAX, ClientId, _Payload
from . import ops


def _bounded_item(value: str) -> str:
    """Refuse a ballot key whose id is beyond the database's integer range."""
    if int(value.partition(":")[2]) > DB_ID_MAX:
        raise ValueError("id out of range")
    return value


class VoteSet(_Payload):
    client_id: ClientId
    item: Annotated[
        str,
        StringConstraints(max_length=40, pattern=r"^(idea|theme):[1-9][0-9]{0,9}$"),
        AfterValidator(_bounded_item),
    ]
    count: Annotated[int, Field(ge=0, le=100)]


def register(handler) -> None:
    """Register vote.set."""
    from ... import realtime as rt

    @handler("vote.set", VoteSet)
    def on_vote_set(data: VoteSet):
        """Set the caller's dots on one item."""
        workshop, participant = rt._participant()
        mine = ops.set_vote(workshop, participant, data.item, data.count)
        return {"ok": True, "my_votes": mine, "used": sum(mine.values())}
