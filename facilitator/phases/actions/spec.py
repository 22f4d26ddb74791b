"""The `actions` kind: the group agrees actions; the control view records them.

Tables: `action` (models.Action). Snapshot keys: `actions` (in every phase) and, for
the facilitator in an actions phase, `candidates` (vote winners and fresh ideas).
"""

from __future__ import annotations

from ..base import FACILITATOR, PhaseKindSpec, SnapshotContext
from . import view


def latest_earlier(model, phase, kind: str):
    """Return the last phase of a kind before `phase`, or None."""
    index = model.phase_index(phase.id)
    earlier = [p for p in model.phases[:index] if p.kind == kind]
    return earlier[-1] if earlier else None


class ActionsSpec(PhaseKindSpec):
    name = "actions"

    def client_settings(self, phase, lang, fallback="fi"):
        return {"source": phase.settings.source, "item_kinds": list(phase.settings.item_kinds)}

    def session_state(self, ctx):
        return {"actions": view.actions_list(ctx.workshop)}

    def shows(self, model, phase):
        # The vote the actions come from: its `source`, else the last vote before it.
        if phase.settings.source:
            return [model.phases[model.phase_index(phase.settings.source)]]
        vote = latest_earlier(model, phase, "vote")
        return [vote] if vote is not None else []

    def shared_state(self, ctx: SnapshotContext, phase):
        if ctx.role != FACILITATOR:
            return {}
        return {"candidates": self.candidates(ctx, phase)}

    def candidates(self, ctx: SnapshotContext, phase) -> dict:
        """Return what the control view offers as actions: vote winners and fresh ideas.

        No participant identity: idea texts and columns only, as on the wall.
        """
        from ..ideas.ops import visible_ideas

        model = ctx.model
        index = model.phase_index(phase.id)
        earlier_votes = [i for i, p in enumerate(model.phases[:index]) if p.kind == "vote"]
        earlier_ideas = [i for i, p in enumerate(model.phases[:index]) if p.kind == "ideas"]
        vote = ctx.data.get("vote") or {}
        votes = [r for r in vote.get("results") or [] if r["count"] > 0]
        # Ideas written after the last vote are fresh proposals; earlier ones were voted on.
        ideas_index = earlier_ideas[-1] if earlier_ideas else None
        if ideas_index is not None and earlier_votes and ideas_index < earlier_votes[-1]:
            ideas_index = None
        ideas_phase = model.phases[ideas_index] if ideas_index is not None else None
        return {
            "source": self.source_candidates(ctx, phase),
            "vote_phase_id": vote.get("phase_id"),
            "votes": [{"key": r["key"], "title": r["title"], "count": r["count"]} for r in votes],
            "ideas_phase_id": ideas_phase.id if ideas_phase is not None else None,
            "ideas": [
                {"id": i.id, "text": i.text, "column": i.column}
                for i in (visible_ideas(ctx.workshop, ideas_phase.id) if ideas_phase else [])
            ],
        }

    def source_candidates(self, ctx: SnapshotContext, phase) -> dict | None:
        """Return the items of `source` the control view offers with "use as action".

        A vote: its items with votes, most first; a classify phase: its items decided
        into `categories` (any category when not given); an ideas phase: its ideas.
        Each item: `key` (stored as the action's `source_item`), `title`, and `count`,
        `category` or `column`. None without a `source`.
        """
        from .. import registry

        if not phase.settings.source:
            return None
        source = ctx.model.phases[ctx.model.phase_index(phase.settings.source)]
        items = registry.of(source).action_candidates(
            ctx.workshop, source, phase.settings.categories
        )
        return {"phase_id": source.id, "kind": source.kind.value, "items": items}

    def report_counts(self, entries, f, labels):
        # Agreed actions are counted for the whole session (export.report), not per phase.
        return []


spec = ActionsSpec()
