"""Socket events of the ideas kind: a phone adds, edits and deletes its own ideas."""

from __future__ import annotations

from ...errors import OperationError
from ..base import PARTICIPANT
from ..payloads import ClientId, DbId, Name, Text, _Payload
from . import ops, view


class IdeaAdd(_Payload):
    client_id: ClientId
    text: Text
    column: Name | None = None


class IdeaEdit(_Payload):
    id: DbId
    text: Text
    column: Name | None = None


class IdeaDelete(_Payload):
    id: DbId


def register(handler) -> None:
    """Register idea.add, idea.edit and idea.delete."""
    from ... import realtime as rt

    @handler("idea.add", IdeaAdd)
    def on_idea_add(data: IdeaAdd):
        """Post an idea; retries with the same client id return the same idea."""
        workshop, participant = rt._participant()
        if rt.ideas_over_budget(workshop.id):
            raise OperationError("rate_limited")
        result = ops.add_idea(workshop, participant, data.client_id, data.text, data.column)
        return {"ok": True, "idea": view.idea_dict(result.idea, PARTICIPANT, participant)}

    @handler("idea.edit", IdeaEdit)
    def on_idea_edit(data: IdeaEdit):
        """Edit one's own idea."""
        workshop, participant = rt._participant()
        idea = ops.edit_idea(workshop, participant, data.id, data.text, data.column)
        return {"ok": True, "idea": view.idea_dict(idea, PARTICIPANT, participant)}

    @handler("idea.delete", IdeaDelete)
    def on_idea_delete(data: IdeaDelete):
        """Delete one's own idea."""
        workshop, participant = rt._participant()
        ops.delete_idea(workshop, participant, data.id)
        return {"ok": True}
