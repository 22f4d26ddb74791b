"""The `rate` kind: phones answer statements on a scale; distributions are thresholded.

Tables: `rating` (models.Rating), `rate_grade` (tables.py). Snapshot key: `rate`.
Events: rate.set. Results: the coalesced `rate.results` event (`flush`); the
facilitator's grades (PUT .../phases/<phase>/grades/<statement>): `rate.grades`.
"""

from __future__ import annotations

from ..base import AnswersKind, SnapshotContext, titled
from . import tables  # noqa: F401  (tables: the metadata knows rate_grade)


def _scale(scale, lang: str, fallback: str = "fi") -> dict:
    """Return a rating scale with localised end labels."""
    from ...workshop_models import localize

    labels = getattr(scale, "labels", None)
    return {
        "min": scale.min,
        "max": scale.max,
        "min_label": localize(scale.min_label, lang, fallback),
        "max_label": localize(scale.max_label, lang, fallback),
        # One label per point, lowest first (null: only the ends may be named).
        "labels": [localize(label, lang, fallback) for label in labels] if labels else None,
    }


class RateSpec(AnswersKind):
    name = "rate"
    queued_events = ("rate.set",)

    def client_settings(self, phase, lang, fallback="fi"):
        from .ops import threshold

        s = phase.settings
        return {
            "statements": titled(s.statements, lang, fallback, "text"),
            "scale": _scale(s.scale, lang, fallback),
            "min_responses": threshold(phase),
            "dont_know": s.dont_know,
            "grades": s.grades,
        }

    def shared_state(self, ctx: SnapshotContext, phase):
        from .ops import grades, rating_results

        settings = ctx.data["phase"]["settings"]
        return {
            "rate": {
                "phase_id": phase.id,
                "scale": settings["scale"],
                "statements": settings["statements"],
                "min_responses": settings["min_responses"],
                "dont_know": settings["dont_know"],
                "results": rating_results(ctx.workshop, phase),
                # The agreed grade per statement (only with `grades: true`), else null.
                "grades": grades(ctx.workshop, phase.id) if phase.settings.grades else None,
            }
        }

    def personal_state(self, ctx, phase, participant, data):
        from .ops import my_ratings

        return {"rate": {**data["rate"], "my_ratings": my_ratings(participant, phase.id)}}

    def flush(self, workshop, publish):
        from ... import operations as core
        from .ops import rating_results

        phase = core.current_phase(workshop)
        if phase.kind != self.name:
            return
        payload = {"phase_id": phase.id, "results": rating_results(workshop, phase)}
        publish(workshop.id, "rate.results", payload)

    def export_block(self, workshop, model, phase, lang):
        from ...workshop_models import localize
        from .ops import grades, rating_results, threshold

        results = rating_results(workshop, phase)
        block = {
            "scale": _scale(phase.settings.scale, lang),
            "min_responses": threshold(phase),
            "dont_know": phase.settings.dont_know,
            "grades": phase.settings.grades,
            "statements": [
                {"id": st.id, "text": localize(st.text, lang), **results[st.id]}
                for st in phase.settings.statements
            ],
        }
        if phase.settings.grades:
            agreed = grades(workshop, phase.id)
            for statement in block["statements"]:
                statement["grade"] = agreed.get(statement["id"])
        return block

    def report_sections(self, entry, data, f, labels):
        from . import export

        return [export.section(entry, f, labels)]


spec = RateSpec()
