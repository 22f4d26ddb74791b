"""Socket events of the review kind: a phone sets its progress check of one item."""

from __future__ import annotations

from typing import Literal

from ..payloads import ClientId, DbId, Text, _Payload
from . import ops


class ReviewSet(_Payload):
    client_id: ClientId
    item_id: DbId
    # null takes the check back.
    progress: Literal["done", "partly", "not_started", "dont_know"] | None
    # At most NOTE_MAX (300) characters once stripped: longer answers `too_long`.
    note: Text | None = None


def register(handler) -> None:
    """Register review.set."""
    from ... import realtime as rt

    @handler("review.set", ReviewSet)
    def on_review_set(data: ReviewSet):
        """Set the caller's progress check of one item (set semantics)."""
        note = ops.clean_note(data.note)
        workshop, participant = rt._participant()
        mine = ops.set_answer(workshop, participant, data.item_id, data.progress, note)
        return {"ok": True, "item_id": data.item_id, "my_review": mine}
