"""Socket events of the classify kind: a phone places one item in a category."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from ..payloads import DB_ID_MAX, ClientId, _Payload
from . import ops


def _bounded_item(value: str) -> str:
    """Refuse an item key whose id is beyond the database's integer range."""
    if int(value.partition(":")[2]) > DB_ID_MAX:
        raise ValueError("id out of range")
    return value


ItemKey = Annotated[
    str,
    StringConstraints(max_length=40, pattern=r"^(idea|theme):[1-9][0-9]{0,9}$"),
    AfterValidator(_bounded_item),
]
CategoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,64}$")]


class ClassifySet(_Payload):
    client_id: ClientId
    item: ItemKey
    # null takes the item out of every category again.
    category: CategoryId | None


def register(handler) -> None:
    """Register classify.set."""
    from ... import realtime as rt

    @handler("classify.set", ClassifySet)
    def on_classify_set(data: ClassifySet):
        """Set the caller's category for one item."""
        workshop, participant = rt._participant()
        mine = ops.set_choice(workshop, participant, data.item, data.category)
        return {"ok": True, "my_choices": mine}
