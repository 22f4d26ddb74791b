"""The results kind in the session export: the results shown, the focus tally."""

from __future__ import annotations

from flask_babel import gettext

from ...qwl import store
from . import ops


def block(workshop, phase, lang: str) -> dict:
    """Return the JSON fields of a results phase (nothing below the answer thresholds)."""
    result = {"qwl": store.summary(workshop), "focus_votes": phase.settings.focus_votes}
    if phase.settings.focus_votes:
        tally = ops.tally(workshop, phase)
        result["focus"] = {
            "voters": tally["voters"],
            "min_responses": ops.threshold(phase),
            "chosen": [
                {"id": item["key"].split(":", 1)[1], "title": item["title"], "count": item["count"]}
                for item in ops.chosen(workshop, phase, top=phase.settings.focus_votes)
            ],
        }
    return result


def _percent(f, value) -> str:
    return "–" if value is None else f"{f.number(value)} %"


def _change(f, value) -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f" ({sign}{f.number(abs(value))})"


def sections(entry: dict, f, t: dict) -> list[dict]:
    """Return a section per dimension (statements weakest first) and the focus."""
    qwl = entry.get("qwl")
    if not qwl:
        return [
            {
                "kind": "results",
                "title": entry["title"],
                "note": gettext("No QWL results were imported."),
                "entries": [],
                "ungrouped": [],
                "empty": "",
            }
        ]
    note = gettext(
        "%(unit)s, %(round)s: QWL index %(index)s.",
        unit=qwl["unit"],
        round=qwl["round"],
        index=_percent(f, qwl["index"]) + _change(f, qwl["index_change"]),
    )
    if len(qwl["trend"]) > 1:
        note += " " + gettext(
            "Trend: %(trend)s.",
            trend=" → ".join(f"{r['round']} {_percent(f, r['index'])}" for r in qwl["trend"]),
        )
    if qwl["hidden"]:
        note += " " + gettext(
            "Statements with fewer than %(n)s answers are not shown.", n=qwl["min_answers"]
        )
    result = []
    for number, group in enumerate(qwl["dimensions"]):
        entries = [
            {
                "title": st["text"],
                "votes": _percent(f, st["score"]) + _change(f, st["change"])
                if not st["hidden"]
                else gettext("fewer than %(n)s answers", n=qwl["min_answers"]),
                "ideas": [],
            }
            for st in group["statements"]
        ]
        result.append(
            {
                "kind": "results",
                "title": f"{entry['title']}: {group['name']}",
                "note": note if number == 0 else "",
                "entries": entries,
                "ungrouped": [],
                "empty": "",
            }
        )
    focus = entry.get("focus")
    if focus is not None:
        result.append(
            {
                "kind": "results",
                "title": gettext("Focus statements"),
                "note": gettext("Chose: %(num)s", num=f.number(focus["voters"])),
                "entries": [
                    {"title": c["title"], "votes": f.number(c["count"]), "ideas": []}
                    for c in focus["chosen"]
                ],
                "ungrouped": [],
                "empty": gettext(
                    "Shown when at least %(n)s people have chosen.", n=focus["min_responses"]
                ),
            }
        )
    return result
