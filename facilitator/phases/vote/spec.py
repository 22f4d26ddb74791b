"""The `vote` kind: phones put dots on the themes or ideas of its source.

Tables: `vote` (models.Vote). Snapshot key: `vote`; the ideas it ranks get `votes`.
Events: vote.set. Results: the coalesced `tally` event (`flush`).
"""

from __future__ import annotations

from ..base import AnswersKind, SnapshotContext, source_chain
from . import view


class VoteSpec(AnswersKind):
    name = "vote"
    queued_events = ("vote.set",)
    results_event = "tally"
    client_fields = ("budget", "per_item_cap", "show_results", "source")

    def shows(self, model, phase):
        return source_chain(model, phase)[::-1]

    def shared_state(self, ctx: SnapshotContext, phase):
        block = view.vote_block(ctx.workshop, ctx.phase, phase, ctx.role)
        state = {"vote": block}
        if block["results"] is not None and ctx.phase.id == phase.id:
            # The ideas on this ballot show their dots, as far as this audience may see.
            counts = {r["key"]: r["count"] for r in block["results"]}
            state["ideas"] = [
                {**idea, "votes": counts.get(f"idea:{idea['id']}", 0)}
                for idea in ctx.data.get("ideas", [])
            ]
        return state

    def personal_state(self, ctx, phase, participant, data):
        from . import ops

        mine = ops.my_votes(participant, phase.id)
        return {"vote": {**data["vote"], "my_votes": mine, "used": sum(mine.values())}}

    def selection_items(self, workshop, phase, selection):
        """The items with votes, most first: the `top` ones (DEFAULT_TOP when not given)."""
        from ..selection import DEFAULT_TOP, vote_winners

        return vote_winners(workshop, phase)[: selection.top or DEFAULT_TOP]

    def action_candidates(self, workshop, phase, categories=None):
        """The items with votes, most first, with their counts."""
        from ..selection import vote_winners

        return [
            {"key": r["key"], "title": r["title"], "count": r["count"]}
            for r in vote_winners(workshop, phase)
        ]

    def results_payloads(self, workshop):
        return view.tally_payloads(workshop)

    def export_block(self, workshop, model, phase, lang):
        from . import export

        return export.block(workshop, phase)

    def report_counts(self, entries, f, labels):
        return [(labels["voters"], f.number(max(e["voters"] for e in entries)))]

    def report_sections(self, entry, data, f, labels):
        from . import export

        return export.sections(entry, data, f, labels)


spec = VoteSpec()
