"""Socket events of the rate kind: a phone answers one statement."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..payloads import ClientId, Name, _Payload, phone_event
from . import ops


class RateSet(_Payload):
    client_id: ClientId
    statement: Name
    # A point of the scale, or "dont_know" where the phase allows "en osaa sanoa".
    value: Annotated[int, Field(ge=-1000, le=1000)] | Literal["dont_know"]


def register(handler) -> None:
    """Register rate.set: the caller's answer to one statement."""
    phone_event(handler, "rate.set", RateSet, ops.set_rating, ("statement", "value"), "my_ratings")
