"""Socket events of the results kind: a phone chooses its focus statements."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ..payloads import ClientId, _Payload
from . import ops
from .settings import MAX_FOCUS

StatementId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,32}$")]


class ResultsFocus(_Payload):
    client_id: ClientId
    # The whole choice (set semantics); [] clears it.
    statements: Annotated[list[StatementId], Field(max_length=MAX_FOCUS)]


def register(handler) -> None:
    """Register results.focus."""
    from ... import realtime as rt

    @handler("results.focus", ResultsFocus)
    def on_results_focus(data: ResultsFocus):
        """Set the caller's focus statements."""
        workshop, participant = rt._participant()
        mine = ops.set_focus(workshop, participant, data.statements)
        return {"ok": True, "my_focus": mine}
