"""The private kind in the export: how many were done and, where sharing was offered,
the shared answers above the threshold. Answers kept on phones never reach the server."""

from __future__ import annotations

from flask_babel import gettext

from ...workshop_models import localize
from . import ops


def block(workshop, phase, lang: str) -> dict:
    """Return the JSON fields of a private phase."""
    s = phase.settings
    done, shared = ops.counts(workshop, phase.id)
    results = ops.results(workshop, phase)
    items = []
    for item in s.items:
        entry = {"id": item.id, "text": localize(item.text, lang), "type": item.type}
        if item.type == "scale":
            entry["scale"] = {"min": item.scale.min, "max": item.scale.max}
            if item.scale.labels:
                entry["scale"]["labels"] = [localize(x, lang) for x in item.scale.labels]
        if results is not None:
            entry.update({k: v for k, v in results[item.id].items() if k != "type"})
        items.append(entry)
    return {
        "share": s.share,
        "min_responses": ops.threshold(phase),
        "done": done,
        "shared": shared if s.share == "optional" else None,
        "items": items,
    }


def sections(entry: dict, f, t: dict) -> list[dict]:
    """Return one section: the count of those done, then each question's shared answers."""
    note = gettext("Done: %(num)s", num=f.number(entry["done"]))
    if entry["share"] != "optional":
        note += ". " + gettext("The answers stayed on the participants' phones.")
        return [
            {
                "kind": "private",
                "title": entry["title"],
                "note": note,
                "entries": [],
                "ungrouped": [],
                "empty": "",
            }
        ]
    note += ". " + gettext("Shared anonymously: %(num)s", num=f.number(entry["shared"]))
    note += ". " + gettext(
        "Shared answers are shown when at least %(n)s people have shared them.",
        n=entry["min_responses"],
    )
    entries = []
    for item in entry["items"]:
        if item["type"] == "scale":
            if item["distribution"] is None:
                votes = t["hidden"]
            else:
                dist = ", ".join(f"{k}: {f.number(v)}" for k, v in item["distribution"].items())
                votes = f"{t['mean']} {f.mean(item['mean'])}; {dist}"
            entries.append({"title": item["text"], "votes": votes, "ideas": []})
        else:
            answers = item["answers"]
            entries.append(
                {
                    "title": item["text"],
                    "votes": t["hidden"] if answers is None else "",
                    "ideas": answers or [],
                }
            )
    return [
        {
            "kind": "private",
            "title": entry["title"],
            "note": note,
            "entries": entries,
            "ungrouped": [],
        }
    ]
