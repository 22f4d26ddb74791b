"""Facilitator controls of small groups under /api/v1/sessions/<id>/groups (docs/api.md).

Every control names groups by number and moves "one person", never a participant:
the facilitator sees how many are in each group, not who.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

Number = Annotated[StrictInt, Field(ge=1, le=10_000)]


def register(bp) -> None:
    """Add the small-groups routes to the API blueprint."""
    from ...views import api
    from . import ops

    class FormBody(api._Body):
        reshuffle: StrictBool = False

    class MoveBody(api._Body):
        from_group: Number = Field(alias="from")
        to_group: Number = Field(alias="to")

    class WriterBody(api._Body):
        writer: Literal["random", "none"]

    class RoundBody(api._Body):
        to: Literal["next"]

    def answer(workshop) -> dict:
        return {"groups": api.facilitator_state(workshop)["groups"]}

    @bp.post("/sessions/<int:session_id>/groups/form", endpoint="groups_form")
    @api.unit_of_work
    def form(session_id: int):
        """Form the current round's groups now: put everyone without a group into one."""
        workshop = api.owned(session_id)
        ops.form_groups(workshop, api.body(FormBody).reshuffle)
        return answer(workshop)

    @bp.post("/sessions/<int:session_id>/groups/move", endpoint="groups_move")
    @api.unit_of_work
    def move(session_id: int):
        """Move one person (the server picks whom) from one group to another."""
        workshop = api.owned(session_id)
        data = api.body(MoveBody)
        ops.move_one(workshop, data.from_group, data.to_group)
        return answer(workshop)

    @bp.post("/sessions/<int:session_id>/groups/round", endpoint="groups_round")
    @api.unit_of_work
    def next_round(session_id: int):
        """Start the next round (new groups, everyone together, or the café's rotation)."""
        workshop = api.owned(session_id)
        api.body(RoundBody)
        ops.next_round(workshop)
        return answer(workshop)

    @bp.post("/sessions/<int:session_id>/groups/<int:number>/writer", endpoint="groups_writer")
    @api.unit_of_work
    def writer(session_id: int, number: int):
        """Give a group's writer role to a random member of it, or clear it."""
        workshop = api.owned(session_id)
        if number > 10_000:
            raise api.ApiError(404, "not_found")
        ops.set_writer(workshop, number, api.body(WriterBody).writer)
        return answer(workshop)
