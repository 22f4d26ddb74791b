"""What the kinds' socket events share: payload field types (also used by realtime.py)
and `phone_event`, the registration of a phone's event."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from ..text import clean_input

ClientId = Annotated[
    str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
# Control characters are removed from every text before it is checked or stored.
Clean = BeforeValidator(clean_input)
# Oversized text is let through here so the operation can answer `too_long` with the limit.
Text = Annotated[str, Clean, StringConstraints(max_length=20000)]
Name = Annotated[str, Clean, StringConstraints(max_length=64)]
# Row ids: PostgreSQL INTEGER, so anything else is refused before a query is made.
DB_ID_MAX = 2**31 - 1
DbId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _bounded_item(value: str) -> str:
    """Refuse an item key whose id is beyond the database's integer range."""
    if int(value.partition(":")[2]) > DB_ID_MAX:
        raise ValueError("id out of range")
    return value


# An idea or theme by key, as the snapshot names them: "idea:12", "theme:3".
ItemKey = Annotated[
    str,
    StringConstraints(max_length=40, pattern=r"^(idea|theme):[1-9][0-9]{0,9}$"),
    AfterValidator(_bounded_item),
]
# The id of something a template names (a category, a poll option, a question).
SettingId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,64}$")]


def phone_event(
    handler,
    event: str,
    payload: type[BaseModel],
    operation,
    fields: tuple[str, ...] = (),
    reply=None,
    idea_budget: bool = False,
    single_write: bool = False,
):
    """Register a phone's socket event: `operation(workshop, participant, *fields)` with
    the payload's `fields`, acknowledged as `{ok: true}` plus `reply`: the key to send
    the operation's result as, or `reply(result, workshop, participant)` returning
    the keys.

    `idea_budget`: a write that adds to a wall (ideas, group notes) also takes from the
    session's shared budget of new posts (`rate_limited`).
    `single_write`: the operation writes at most one statement (`realtime.unit_of_work`).
    """
    from .. import realtime as rt
    from ..errors import OperationError

    def on_event(data):
        workshop, participant = rt._participant()
        if idea_budget and rt.ideas_over_budget(workshop.id):
            raise OperationError("rate_limited")
        result = operation(workshop, participant, *(getattr(data, f) for f in fields))
        if reply is None:
            return {"ok": True}
        if isinstance(reply, str):
            return {"ok": True, reply: result}
        return {"ok": True, **reply(result, workshop, participant)}

    on_event.__name__ = on_event.__qualname__ = "on_" + event.replace(".", "_")
    on_event.__doc__ = f"Handle {event} from a phone: {operation.__doc__}"
    return handler(event, payload, single_write=single_write)(on_event)
