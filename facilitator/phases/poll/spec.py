"""The `poll` kind: phones choose one or several options, or "don't know".

Tables: `poll_answer` (tables.py). Snapshot key: `poll`. Events: poll.set.
Results: the coalesced `poll.results` event (`flush`), counts withheld below
`max(5, min_responses)` answers for every audience and in the export.
"""

from __future__ import annotations

from ..base import AnswersKind, SnapshotContext
from . import tables, view  # noqa: F401  (tables: the metadata knows poll_answer)


class PollSpec(AnswersKind):
    name = "poll"
    queued_events = ("poll.set",)
    results_event = "poll.results"
    client_fields = ("multiple", "dont_know", "show_results")
    titled_fields = ("options",)

    def more_client_settings(self, phase, lang, fallback):
        return {"max_choices": phase.settings.choice_limit()}

    def shared_state(self, ctx: SnapshotContext, phase):
        settings = self.client_settings(phase, ctx.lang, ctx.fallback)
        return {"poll": view.poll_block(ctx.workshop, ctx.phase, phase, ctx.role, settings)}

    def personal_state(self, ctx, phase, participant, data):
        from .ops import my_answer

        return {"poll": {**data["poll"], "my_poll": my_answer(participant, phase.id)}}


spec = PollSpec()
