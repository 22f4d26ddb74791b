"""The `small_groups` kind: phones work in groups, each with its own question and wall.

Tables: sg_round, sg_group, sg_member (never exported), sg_note (tables.py).
Snapshot key: `groups`. Events: groups.join, groups.add/edit/delete, groups.writer,
groups.timer. Rooms: `s:<session>:group:<group id>` (a phone joins its group's room).
Facilitator controls: views/api.py routes from `register_api`.
"""

from __future__ import annotations

from ..base import PhaseKindSpec, SnapshotContext


class SmallGroupsSpec(PhaseKindSpec):
    name = "small_groups"
    takes_input = True
    queued_events = ("groups.add", "groups.edit", "groups.delete")
    client_fields = ("split", "assign", "writer", "timer_per_group", "host_stays")

    def more_client_settings(self, phase, lang, fallback):
        from ...workshop_models import localize
        from .ops import NOTE_MAX_CHARS

        s = phase.settings
        return {
            "rounds": s.round_count(),
            "questions": [localize(q, lang, fallback) for q in s.questions],
            "max_chars": NOTE_MAX_CHARS,
        }

    def session_state(self, ctx):
        return {"groups": None}

    def shared_state(self, ctx: SnapshotContext, phase):
        from . import view

        return {"groups": view.shared_block(ctx.workshop, phase, ctx.role, ctx.lang, ctx.fallback)}

    def personal_state(self, ctx, phase, participant, data):
        from . import view

        mine = view.my_block(ctx.workshop, phase, participant, ctx.lang, ctx.fallback)
        return {"groups": {**data["groups"], "mine": mine}}

    def rooms(self, workshop, phase, participant) -> list[str]:
        from ... import realtime as rt
        from . import ops

        group = ops.my_group(workshop, phase, participant, ops.current_round(workshop, phase))
        return [rt.group_room(workshop.id, group.id)] if group is not None else []

    def export_block(self, workshop, model, phase, lang):
        from . import export

        return export.block(workshop, phase, lang)

    def report_sections(self, entry, data, f, labels):
        from . import export

        return export.sections(entry, f)


spec = SmallGroupsSpec()
