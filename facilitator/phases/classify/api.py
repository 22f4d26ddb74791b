"""The classify kind's facilitator control: the final category of an item (JSON API)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from . import ops


def register(bp) -> None:
    """Add PUT /sessions/<id>/classify/<phase_id>/final to the API blueprint."""
    from ...views import api

    class ClassifyFinalBody(api._Body):
        item: api.ItemKey
        # null clears the final category (the agreed one, if any, applies again).
        category: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,64}$")] | None

    @bp.put("/sessions/<int:session_id>/classify/<phase_id>/final")
    @api.unit_of_work
    def set_classify_final(session_id: int, phase_id: str):
        """Set or clear the final category of one item of a classify phase."""
        workshop = api.owned(session_id)
        data = api.body(ClassifyFinalBody)
        if int(data.item.partition(":")[2]) > 2**31 - 1:
            raise api.ApiError(422, "invalid")
        final = ops.set_final(workshop, phase_id[:64], data.item, data.category)
        return {"phase_id": phase_id, "final": final}
