"""The review kind's facilitator control (JSON API): status and learned, carry forward,
drop with a reason. Each route is one unit of work: one commit, then publish."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import g
from pydantic import Field

from . import ops

PhaseId = Annotated[str, Field(max_length=64)]


def register(bp) -> None:
    """Add the review routes under /sessions/<id>/review/<phase_id>/items/<item_id>."""
    from ... import teams
    from ...extensions import db
    from ...models import ActionStatus
    from ...views import api
    from ..payloads import DbId, Text

    class ReviewItemBody(api._Body):
        # The version of the item the caller saw (a stale one answers 409 `stale`).
        version: DbId | None = None
        status: Literal["open", "in_progress", "done"] | None = None
        learned: Text | None = None

    class CarryBody(api._Body):
        version: DbId | None = None

    class DropBody(api._Body):
        version: DbId | None = None
        reason: Text

    def answer(workshop, phase_id: str, action_id: int, extra=None) -> dict:
        from .view import items_list

        phase = ops.phase_of_kind(workshop, phase_id, ops.KIND)
        item = next((i for i in items_list(workshop, phase, True) if i["id"] == action_id), None)
        return {"phase_id": phase_id, "item": item, **(extra or {})}

    def stale(exc, workshop, phase_id: str):
        db.session.rollback()
        return {"error": exc.to_dict(), **answer(workshop, phase_id, exc.action.id)}, 409

    def run(session_id: int, phase_id: str, item_id: int, change):
        from ... import realtime
        from .. import base as uow

        workshop = api.owned(session_id)
        phase_id = phase_id[:64]
        if item_id > 2**31 - 1:
            raise api.ApiError(404, "not_found")
        uow.begin()
        try:
            extra = change(workshop, phase_id)
            realtime.commit_and_publish()
        except teams.StaleItem as exc:
            return stale(exc, workshop, phase_id)
        finally:
            uow.discard()
        return answer(workshop, phase_id, item_id, extra)

    @bp.patch("/sessions/<int:session_id>/review/<phase_id>/items/<int:item_id>")
    def review_item_update(session_id: int, phase_id: str, item_id: int):
        """Set a reviewed item's status on the spot and/or what was learned."""
        data = api.body(ReviewItemBody)
        if data.status is None and data.learned is None:
            raise api.ApiError(422, "invalid")

        def change(workshop, phase):
            status = ActionStatus(data.status) if data.status is not None else None
            ops.set_status(
                workshop, phase, item_id, g.api_user.name, data.version, status, data.learned
            )

        return run(session_id, phase_id, item_id, change)

    @bp.post("/sessions/<int:session_id>/review/<phase_id>/items/<int:item_id>/carry")
    def review_item_carry(session_id: int, phase_id: str, item_id: int):
        """Carry an item forward into this session (a retry returns the same new item)."""
        data = api.body(CarryBody)

        def change(workshop, phase):
            from ..actions.view import action_dict

            new = ops.carry(workshop, phase, item_id, g.api_user.name, data.version)
            return {"carried_to": action_dict(new)}

        return run(session_id, phase_id, item_id, change)

    @bp.post("/sessions/<int:session_id>/review/<phase_id>/items/<int:item_id>/drop")
    def review_item_drop(session_id: int, phase_id: str, item_id: int):
        """Drop an item with a reason."""
        data = api.body(DropBody)

        def change(workshop, phase):
            ops.drop(workshop, phase, item_id, g.api_user.name, data.reason, data.version)

        return run(session_id, phase_id, item_id, change)
