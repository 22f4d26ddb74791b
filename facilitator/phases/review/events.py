"""Socket events of the review kind: a phone sets its progress check of one item."""

from __future__ import annotations

from typing import Literal

from ..payloads import ClientId, DbId, Text, _Payload, phone_event
from . import ops


class ReviewSet(_Payload):
    client_id: ClientId
    item_id: DbId
    # null takes the check back.
    progress: Literal["done", "partly", "not_started", "dont_know"] | None
    # At most NOTE_MAX (300) characters once stripped: longer answers `too_long`.
    note: Text | None = None


def set_check(workshop, participant, item_id: int, progress, note) -> dict:
    """Set the caller's progress check of one item (set semantics); answers the item's
    id beside the check."""
    return {
        "item_id": item_id,
        "my_review": ops.set_answer(workshop, participant, item_id, progress, note),
    }


def register(handler) -> None:
    """Register review.set."""
    phone_event(
        handler,
        "review.set",
        ReviewSet,
        set_check,
        ("item_id", "progress", "note"),
        reply=lambda result, *_: result,
    )
