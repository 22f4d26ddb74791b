"""The `summary` kind: the room looks back; shows the last vote's results, stores nothing."""

from __future__ import annotations

from ..actions.spec import latest_earlier
from ..base import PhaseKindSpec


class SummarySpec(PhaseKindSpec):
    name = "summary"

    def shows(self, model, phase):
        vote = latest_earlier(model, phase, "vote")
        return [vote] if vote is not None else []


spec = SummarySpec()
