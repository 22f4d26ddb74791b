"""The `classify` kind: phones place each item of its source in one of 2-6 categories.

Tables: `classify_choice`, `classify_final` (tables.py). Snapshot key: `classify`.
Events: classify.set. Results: the coalesced `classify.results` event (`flush`);
the facilitator's final categories: `classify.final`.
"""

from __future__ import annotations

from ..base import AnswersKind, SnapshotContext, source_chain
from . import view


class ClassifySpec(AnswersKind):
    name = "classify"
    queued_events = ("classify.set",)
    results_event = "classify.results"
    client_fields = ("source", "agreement", "show_results")
    titled_fields = ("categories",)

    def shows(self, model, phase):
        return source_chain(model, phase)[::-1]

    def shared_state(self, ctx: SnapshotContext, phase):
        return {"classify": view.classify_block(ctx.workshop, ctx.phase, phase, ctx.role, ctx.text)}

    def personal_state(self, ctx, phase, participant, data):
        from .ops import my_choices

        return {"classify": {**data["classify"], "my_choices": my_choices(participant, phase.id)}}

    def selection_items(self, workshop, phase, selection):
        """The items decided into the selection's `categories` (any decided category
        when not given), in item order: the first `top` ones when given."""
        from ..selection import decided_items

        items = decided_items(workshop, phase, selection.categories)
        return items[: selection.top] if selection.top else items

    def action_candidates(self, workshop, phase, categories=None):
        """The items decided into `categories` (any category when None), with it."""
        from ..selection import decided_items

        return [
            {"key": i["key"], "title": i["title"], "category": i["category"]}
            for i in decided_items(workshop, phase, categories)
        ]

    def report_counts(self, entries, f, labels):
        return []


spec = ClassifySpec()
