"""The `private` kind: personal reflection that stays on the phone.

The phone keeps the answers (localStorage, a printable card); the server counts who
is done (`private.done`) and, with `share: optional`, keeps anonymously shared answers
(`private.share`) for an aggregate withheld below the threshold.
Tables: `private_entry` (tables.py). Snapshot key: `private`. Events: private.done,
private.share. Results: the coalesced `private.results` event (`flush`).
"""

from __future__ import annotations

from ..base import AnswersKind, SnapshotContext
from . import settings, tables, view  # noqa: F401  (tables: the metadata knows private_entry)


def _scale(scale, lang, fallback) -> dict:
    from ..rate.spec import _scale as rate_scale

    return rate_scale(scale, lang, fallback)


class PrivateSpec(AnswersKind):
    name = "private"
    queued_events = ("private.done", "private.share")
    results_event = "private.results"

    def client_settings(self, phase, lang, fallback="fi"):
        from ...workshop_models import localize
        from .ops import threshold

        s = phase.settings
        items = []
        for item in s.items:
            entry = {"id": item.id, "text": localize(item.text, lang, fallback), "type": item.type}
            if item.type == "scale":
                entry["scale"] = _scale(item.scale, lang, fallback)
            items.append(entry)
        return {
            "items": items,
            "share": s.share,
            "card_title": localize(s.card_title or phase.title, lang, fallback),
            "min_responses": threshold(phase),
            "answer_max_chars": settings.ANSWER_MAX_CHARS,
        }

    def shared_state(self, ctx: SnapshotContext, phase):
        s = self.client_settings(phase, ctx.lang, ctx.fallback)
        return {
            "private": {
                "items": s["items"],
                "share": s["share"],
                "card_title": s["card_title"],
                "min_responses": s["min_responses"],
                **view.results_payload(ctx.workshop, phase),
            }
        }

    def personal_state(self, ctx, phase, participant, data):
        from .ops import my_state

        return {"private": {**data["private"], "my_private": my_state(participant, phase.id)}}


spec = PrivateSpec()
