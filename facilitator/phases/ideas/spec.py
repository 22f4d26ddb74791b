"""The `ideas` kind: phones post anonymous ideas, optionally into columns.

Tables: `idea` (models.Idea). Snapshot key: `ideas`. Events: idea.add/edit/delete.
"""

from __future__ import annotations

from ..base import PARTICIPANT, PhaseKindSpec, SnapshotContext
from . import view


class IdeasSpec(PhaseKindSpec):
    name = "ideas"
    takes_input = True
    queued_events = ("idea.add", "idea.edit", "idea.delete")
    client_fields = ("wall", "max_ideas_per_person")
    titled_fields = ("columns",)

    def more_client_settings(self, phase, lang, fallback):
        from .ops import IDEA_MAX_CHARS

        return {"max_chars": IDEA_MAX_CHARS}

    def session_state(self, ctx):
        return {"ideas": []}

    def action_candidates(self, workshop, phase, categories=None):
        """The ideas on the wall, with their columns."""
        from .ops import visible_ideas

        return [
            {"key": f"idea:{i.id}", "title": i.text, "column": i.column}
            for i in visible_ideas(workshop, phase.id)
        ]

    def shared_state(self, ctx: SnapshotContext, phase):
        state = {}
        if phase.id == ctx.phase.id and phase.settings.columns_from is not None:
            # Columns taken from an earlier vote or classify: known only now.
            from .ops import phase_columns

            columns = phase_columns(ctx.workshop, phase, ctx.lang, ctx.fallback)
            settings = {**ctx.data["phase"]["settings"], "columns": columns}
            state["phase"] = {**ctx.data["phase"], "settings": settings}
        if ctx.role == PARTICIPANT and view.wall_hidden(ctx.phase, phase):
            # The wall is only on the projector: a phone sees its own ideas, nothing else.
            return {**state, "ideas": []}
        return {**state, "ideas": view.wall(ctx.workshop, phase, ctx.role)}

    def personal_state(self, ctx, phase, participant, data):
        if view.wall_hidden(ctx.phase, phase):
            return {"ideas": view.own_ideas(ctx.workshop, phase, participant)}
        mine = view.own_idea_ids(ctx.workshop, phase, participant)
        return {"ideas": [{**idea, "is_mine": idea["id"] in mine} for idea in data["ideas"]]}

    def export_block(self, workshop, model, phase, lang):
        from . import export

        return export.block(workshop, phase, lang)

    def report_counts(self, entries, f, labels):
        return [(labels["ideas"], f.number(sum(len(e["ideas"]) for e in entries)))]

    def report_appendix(self, entry):
        from . import export

        return [export.appendix(entry)]


spec = IdeasSpec()
