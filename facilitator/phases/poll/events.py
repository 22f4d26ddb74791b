"""Socket events of the poll kind: a phone sets its answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..payloads import ClientId, SettingId, _Payload, phone_event
from . import ops
from .settings import MAX_OPTIONS


class PollSet(_Payload):
    client_id: ClientId
    # The options chosen (one for a single-choice poll); [] with dont_know false clears.
    choices: Annotated[list[SettingId], Field(max_length=MAX_OPTIONS)]
    dont_know: bool = False


def register(handler) -> None:
    """Register poll.set: the caller's answer to the poll."""
    phone_event(handler, "poll.set", PollSet, ops.set_answer, ("choices", "dont_know"), "my_poll")
