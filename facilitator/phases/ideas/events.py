"""Socket events of the ideas kind: a phone adds, edits and deletes its own ideas."""

from __future__ import annotations

from ..base import PARTICIPANT
from ..payloads import ClientId, DbId, Name, Text, _Payload, phone_event
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


def _idea(idea, _workshop, participant) -> dict:
    """Return the acknowledgement's keys: the idea as its writer's phone sees it."""
    return {"idea": view.idea_dict(idea, PARTICIPANT, participant)}


def register(handler) -> None:
    """Register idea.add (retries with the same client id return the same idea),
    idea.edit and idea.delete (of one's own idea)."""
    phone_event(
        handler,
        "idea.add",
        IdeaAdd,
        ops.add_idea,
        ("client_id", "text", "column"),
        lambda result, workshop, participant: _idea(result.idea, workshop, participant),
        idea_budget=True,
        single_write=True,
    )
    phone_event(
        handler,
        "idea.edit",
        IdeaEdit,
        ops.edit_idea,
        ("id", "text", "column"),
        _idea,
        single_write=True,
    )
    phone_event(handler, "idea.delete", IdeaDelete, ops.delete_idea, ("id",), single_write=True)
