"""Socket events of the poll kind: a phone sets its answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ..payloads import ClientId, _Payload
from . import ops
from .settings import MAX_OPTIONS

OptionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,64}$")]


class PollSet(_Payload):
    client_id: ClientId
    # The options chosen (one for a single-choice poll); [] with dont_know false clears.
    choices: Annotated[list[OptionId], Field(max_length=MAX_OPTIONS)]
    dont_know: bool = False


def register(handler) -> None:
    """Register poll.set."""
    from ... import realtime as rt

    @handler("poll.set", PollSet)
    def on_poll_set(data: PollSet):
        """Set the caller's answer to the poll."""
        workshop, participant = rt._participant()
        mine = ops.set_answer(workshop, participant, data.choices, data.dont_know)
        return {"ok": True, "my_poll": mine}
