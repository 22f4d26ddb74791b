"""Socket events of the small_groups kind: join a group, write on its wall, writer, timer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..payloads import ClientId, DbId, Text, _Payload, phone_event
from . import ops, view

GroupNumber = Annotated[int, Field(ge=1, le=10_000)]


class GroupJoin(_Payload):
    # A table's number when phones choose their own; left out when the server places.
    group: GroupNumber | None = None


class NoteAdd(_Payload):
    client_id: ClientId
    text: Text


class NoteEdit(_Payload):
    id: DbId
    text: Text


class NoteDelete(_Payload):
    id: DbId


class WriterTake(_Payload):
    take: bool


class GroupTimer(_Payload):
    action: Literal["start", "stop"]


def register(handler) -> None:
    """Register groups.join, groups.add/edit/delete, groups.writer and groups.timer."""
    from ... import realtime as rt

    def _mine(workshop, participant) -> dict:
        phase = ops.core.current_phase(workshop)
        return view.my_block(workshop, phase, participant, rt_lang())

    def rt_lang() -> str:
        conn = rt.connections.get(rt.request.sid)
        return conn.language if conn else "fi"

    @handler("groups.join", GroupJoin)
    def on_join(data: GroupJoin):
        """Join a table (choose) or be placed into the smallest group (random)."""
        workshop, participant = rt._participant()
        ops.join_group(workshop, participant, data.group)
        rt.enter_kind_rooms(workshop, participant)
        return {"ok": True, "mine": _mine(workshop, participant)}

    def _note(note, _workshop, _participant) -> dict:
        group = ops.db.session.get(ops.SgGroup, note.group_id)
        return {"note": {**ops.note_dict(note, group), "is_mine": True}}

    phone_event(
        handler, "groups.add", NoteAdd, ops.add_note, ("client_id", "text"), _note, idea_budget=True
    )
    phone_event(handler, "groups.edit", NoteEdit, ops.edit_note, ("id", "text"), _note)
    phone_event(handler, "groups.delete", NoteDelete, ops.delete_note, ("id",))

    def _my_block(_result, workshop, participant) -> dict:
        return {"mine": _mine(workshop, participant)}

    phone_event(handler, "groups.writer", WriterTake, ops.take_writer, ("take",), _my_block)
    phone_event(handler, "groups.timer", GroupTimer, ops.group_timer, ("action",), _my_block)
