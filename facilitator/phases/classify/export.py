"""The classify kind in the export: every item with its distribution and category."""

from __future__ import annotations

from flask_babel import gettext

from ...workshop_models import localize
from . import ops


def block(workshop, phase, lang: str) -> dict:
    """Return the JSON fields of a classify phase (distributions thresholded as on screen)."""
    item_list = ops.items(workshop, phase)
    results = {r["key"]: r for r in ops.results(workshop, phase, item_list)}
    final = ops.finals(workshop, phase.id)
    out = []
    for item in item_list:
        r = results[item["key"]]
        out.append(
            {
                **item,
                "responses": r["responses"],
                "distribution": r["distribution"],
                "agreed": r["agreed"],
                "final": final.get(item["key"]),
                # What later phases use: the final category, else the agreed one.
                "category": final.get(item["key"]) or r["agreed"],
            }
        )
    return {
        "source": phase.settings.source,
        "categories": [
            {"id": c.id, "title": localize(c.title, lang)} for c in phase.settings.categories
        ],
        "agreement": phase.settings.agreement,
        "min_responses": ops.threshold(phase),
        "classifiers": ops.classifiers(workshop, phase.id),
        "items": out,
    }


def _how(item: dict, f) -> str:
    """Return how an item's category was decided, e.g. "agreed, 5/7"."""
    if item["final"]:
        return gettext("set by the facilitator")
    share = f"{f.number(item['distribution'][item['agreed']])}/{f.number(item['responses'])}"
    return gettext("agreed, %(share)s", share=share)


def sections(entry: dict, f, t: dict) -> list[dict]:
    """Return one section: the items under their decided category, then the undecided."""
    by_category: dict[str, list[str]] = {c["id"]: [] for c in entry["categories"]}
    undecided = []
    for item in entry["items"]:
        if item["category"] in by_category:
            by_category[item["category"]].append(f"{item['title']} ({_how(item, f)})")
        else:
            undecided.append(item["title"])
    note = gettext("Answered: %(num)s", num=f.number(entry["classifiers"]))
    return [
        {
            "kind": "classify",
            "title": entry["title"],
            "note": note,
            "entries": [
                {"title": c["title"], "votes": "", "ideas": by_category[c["id"]]}
                for c in entry["categories"]
            ],
            "ungrouped": undecided,
            "ungrouped_title": gettext("No category decided"),
        }
    ]
