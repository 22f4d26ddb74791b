"""Socket events of the classify kind: a phone places one item in a category."""

from __future__ import annotations

from ..payloads import ClientId, ItemKey, SettingId, _Payload, phone_event
from . import ops


class ClassifySet(_Payload):
    client_id: ClientId
    item: ItemKey
    # null takes the item out of every category again.
    category: SettingId | None


def register(handler) -> None:
    """Register classify.set: the caller's category for one item."""
    phone_event(
        handler, "classify.set", ClassifySet, ops.set_choice, ("item", "category"), "my_choices"
    )
