"""The poll kind in the export: every option with its count, above the threshold."""

from __future__ import annotations

from flask_babel import gettext

from ...workshop_models import localize
from . import ops


def block(workshop, phase, lang: str) -> dict:
    """Return the JSON fields of a poll phase (counts null below the threshold)."""
    s = phase.settings
    result = ops.results(workshop, phase)
    counts = result["counts"]
    return {
        "multiple": s.multiple,
        "max_choices": s.choice_limit() if s.multiple else 1,
        "min_responses": ops.threshold(phase),
        "responses": result["responses"],
        "options": [
            {
                "id": o.id,
                "title": localize(o.title, lang),
                "count": None if counts is None else counts[o.id],
            }
            for o in s.options
        ],
        "dont_know": result["dont_know"] if s.dont_know else None,
    }


def sections(entry: dict, f, t: dict) -> list[dict]:
    """Return one section: the options with their counts (or a note that they are hidden)."""
    responses = entry["responses"]
    note = gettext("Answered: %(num)s", num=f.number(responses))
    if entry["multiple"]:
        note += ". " + gettext(
            "Each could choose up to %(num)s.", num=f.number(entry["max_choices"])
        )
    hidden = entry["options"] and entry["options"][0]["count"] is None
    if hidden:
        note += ". " + gettext(
            "Results are shown when at least %(n)s people have answered.", n=entry["min_responses"]
        )
    entries = []
    for option in entry["options"]:
        count = option["count"]
        votes = ""
        if count is not None:
            share = round(100 * count / responses) if responses else 0
            votes = f"{f.number(count)} ({f.number(share)} %)"
        entries.append({"title": option["title"], "votes": votes, "ideas": []})
    if entry.get("dont_know") is not None:
        entries.append(
            {"title": gettext("Don't know"), "votes": f.number(entry["dont_know"]), "ideas": []}
        )
    return [
        {
            "kind": "poll",
            "title": entry["title"],
            "note": note,
            "entries": entries,
            "ungrouped": [],
        }
    ]
