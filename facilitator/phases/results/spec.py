"""The `results` kind: a unit's QWL results on every screen, helper questions per
statement, and an optional focus vote (phones choose up to `focus_votes` statements).

Tables: qwl_round, qwl_statement, qwl_focus_vote (qwl/tables.py). Snapshot key:
`results`. Events: results.focus (phones), results.tally (coalesced), results.imported
(after an import). Routes: /sessions/<id>/qwl/... (api.py). What later phases take
from it (`columns_from`, `banner`): the focus statements, `selection_items`.
"""

from __future__ import annotations

from ..base import PhaseKindSpec, SnapshotContext
from . import settings


class ResultsSpec(PhaseKindSpec):
    name = "results"
    settings_model = settings.SETTINGS
    source_kinds = settings.SOURCE_KINDS
    takes_input = True
    has_results = True
    queued_events = ("results.focus",)

    def client_settings(self, phase, lang, fallback="fi"):
        s = phase.settings
        return {
            "focus_votes": s.focus_votes,
            "show_results": s.show_results,
            "min_responses": max(5, s.min_responses),
        }

    def session_state(self, ctx: SnapshotContext) -> dict:
        return {"results": None}

    def shared_state(self, ctx: SnapshotContext, phase):
        from . import view

        return {
            "results": view.block(ctx.workshop, ctx.phase, phase, ctx.role, ctx.lang, ctx.fallback)
        }

    def personal_state(self, ctx, phase, participant, data):
        from .ops import my_focus

        if not data.get("results"):
            return {}
        return {"results": {**data["results"], "my_focus": my_focus(participant, phase.id)}}

    def register_events(self, handler) -> None:
        from . import events

        events.register(handler)

    def register_api(self, bp):
        from . import api

        api.register(bp)

    def flush(self, workshop, publish):
        from . import view

        for role, payload in view.results_payloads(workshop).items():
            publish(workshop.id, "results.tally", payload, (role,))

    def export_block(self, workshop, model, phase, lang):
        from . import export

        return export.block(workshop, phase, lang)

    def report_sections(self, entry, data, f, labels):
        from . import export

        return export.sections(entry, f, labels)

    def selection_items(self, workshop, phase, selection) -> list[dict]:
        """Return the focus statements a Selection of this phase names (most chosen first)."""
        from . import ops

        return ops.chosen(workshop, phase, selection.top or phase.settings.focus_votes or None)


spec = ResultsSpec()
