"""The `review` kind: the team's open agreed items from earlier sessions come back;
phones give an anonymous progress check on each, the facilitator sets the status,
records what was learned, carries items forward or drops them with a reason.

Tables: `review_answer`, `review_outcome` (tables.py) and `action.carried_from_id`.
Snapshot key: `review`. Events: review.set. Results: the coalesced `review.results`
event (`flush`; also after the facilitator's decisions), distributions and notes
withheld below `max(5, min_responses)` answers per item for every audience.
API: PATCH/POST /sessions/<id>/review/<phase_id>/items/<item_id>[/carry|/drop].
"""

from __future__ import annotations

from ..base import AnswersKind, SnapshotContext
from . import settings, tables, view  # noqa: F401  (tables: the metadata knows them)


class ReviewSpec(AnswersKind):
    name = "review"
    queued_events = ("review.set",)
    results_event = "review.results"
    client_fields = ("item_kinds", "scope", "notes", "show_results")

    def more_client_settings(self, phase, lang, fallback):
        return {"note_max": settings.NOTE_MAX}

    def shared_state(self, ctx: SnapshotContext, phase):
        return {"review": view.review_block(ctx.workshop, ctx.phase, phase, ctx.role)}

    def personal_state(self, ctx, phase, participant, data):
        from .ops import my_answers

        return {"review": {**data["review"], "my_review": my_answers(participant, phase.id)}}

    def register_api(self, bp):
        from . import api

        api.register(bp)

    def report_counts(self, entries, f, labels):
        return []


spec = ReviewSpec()
