"""Socket events of the small_groups kind: join a group, write on its wall, writer, timer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..payloads import ClientId, DbId, Text, _Payload
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

    @handler("groups.add", NoteAdd)
    def on_add(data: NoteAdd):
        """Post a note on the group's wall; retries with the same client id return it."""
        workshop, participant = rt._participant()
        if rt.ideas_over_budget(workshop.id):
            raise ops.OperationError("rate_limited")
        note = ops.add_note(workshop, participant, data.client_id, data.text)
        group = ops.db.session.get(ops.SgGroup, note.group_id)
        return {"ok": True, "note": {**ops.note_dict(note, group), "is_mine": True}}

    @handler("groups.edit", NoteEdit)
    def on_edit(data: NoteEdit):
        """Edit one's own note."""
        workshop, participant = rt._participant()
        note = ops.edit_note(workshop, participant, data.id, data.text)
        group = ops.db.session.get(ops.SgGroup, note.group_id)
        return {"ok": True, "note": {**ops.note_dict(note, group), "is_mine": True}}

    @handler("groups.delete", NoteDelete)
    def on_delete(data: NoteDelete):
        """Delete one's own note."""
        workshop, participant = rt._participant()
        ops.delete_note(workshop, participant, data.id)
        return {"ok": True}

    @handler("groups.writer", WriterTake)
    def on_writer(data: WriterTake):
        """Take the group's writer role (when free) or give it back."""
        workshop, participant = rt._participant()
        ops.take_writer(workshop, participant, data.take)
        return {"ok": True, "mine": _mine(workshop, participant)}

    @handler("groups.timer", GroupTimer)
    def on_timer(data: GroupTimer):
        """Start or stop the group's own timer."""
        workshop, participant = rt._participant()
        ops.group_timer(workshop, participant, data.action)
        return {"ok": True, "mine": _mine(workshop, participant)}
