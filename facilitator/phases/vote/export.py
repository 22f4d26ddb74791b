"""The vote kind in the export: results with the ideas under each item."""

from __future__ import annotations

from flask_babel import ngettext

from . import ops, view


def block(workshop, phase) -> dict:
    """Return the JSON fields of a vote phase."""
    tally, voters = ops.vote_tally(workshop, phase.id)
    items = ops.vote_items(workshop, phase)
    ideas = {i["key"]: i["ideas"] for i in items}
    return {
        "source": phase.settings.source,
        "budget": phase.settings.budget,
        "per_item_cap": phase.settings.per_item_cap,
        "voters": voters,
        "results": [{**r, "ideas": ideas[r["key"]]} for r in view.tally_results(items, tally)],
    }


def votes_text(count: int) -> str:
    """Return "12 votes" in the current language."""
    return ngettext("%(num)d vote", "%(num)d votes", count)


def vote_note(vote: dict, f, t: dict, titled: bool = False) -> str:
    """Return the line under a vote heading: how many voted, with how many votes each."""
    note = (
        f"{t['voters']}: {f.number(vote['voters'])}, "
        f"{t['votes_per_person']}: {f.number(vote['budget'])}"
    )
    return f"{vote['title']} – {note}" if titled else note


def sections(vote: dict, data: dict, f, t: dict) -> list[dict]:
    """Return a vote on ideas: the items that got votes, most first.

    A vote on a group phase's themes is shown with those themes (group.export.section).
    """
    groups = {p["id"] for p in data["phases"] if p["kind"] == "group"}
    if vote.get("source") in groups:
        first = next(
            p for p in data["phases"] if p["kind"] == "vote" and p.get("source") == vote["source"]
        )
        if first["id"] == vote["id"]:
            return []
    return [
        {
            "kind": "vote",
            "title": vote["title"],
            "note": vote_note(vote, f, t),
            "empty": t["no_votes"],
            "entries": [
                {"title": r["title"], "votes": votes_text(r["count"]), "ideas": r["ideas"]}
                for r in vote["results"]
                if r["count"] > 0
            ],
            "ungrouped": [],
        }
    ]
