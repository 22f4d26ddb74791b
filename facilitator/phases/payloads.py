"""Field types of socket payloads, shared by realtime.py and the kinds' events."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

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
