"""The `group` kind: the facilitator sorts an ideas phase's ideas under themes.

Tables: `theme` (models.Theme), `idea.theme_id`. Snapshot key: `themes`.
"""

from __future__ import annotations

from ..base import FACILITATOR, PhaseKindSpec, SnapshotContext, source_chain
from . import view


class GroupSpec(PhaseKindSpec):
    name = "group"

    def client_settings(self, phase, lang, fallback="fi"):
        return {"source": phase.settings.source}

    def session_state(self, ctx):
        return {"themes": []}

    def shows(self, model, phase):
        return source_chain(model, phase)[::-1]

    def shared_state(self, ctx: SnapshotContext, phase):
        state = {"themes": view.themes_of(ctx.workshop, phase)}
        if ctx.role == FACILITATOR and ctx.phase.id == phase.id:
            # The control view groups under the source's column titles.
            source = next(iter(source_chain(ctx.model, phase)), None)
            columns = source.settings.columns if source is not None else []
            ctx.data["phase"]["settings"]["columns"] = [
                {"id": c.id, "title": ctx.text(c.title)} for c in columns
            ]
        return state

    def on_create(self, workshop, phase):
        from . import ops

        ops.add_suggested_themes(workshop, phase)

    def on_prepare(self, workshop, old_phase, new_phase):
        from . import ops

        ops.replace_suggested_themes(workshop, old_phase, new_phase)

    def export_block(self, workshop, model, phase, lang):
        from . import export

        return export.block(workshop, phase)

    def report_counts(self, entries, f, labels):
        named = sum(1 for e in entries for th in e["themes"] if th["id"] is not None)
        return [(labels["themes"], f.number(named))]

    def report_sections(self, entry, data, f, labels):
        from . import export

        return [export.section(entry, data, f, labels)]


spec = GroupSpec()
