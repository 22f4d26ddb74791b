"""The group kind in the export: themes with their ideas, ranked by a vote on them."""

from __future__ import annotations

from ..ideas.ops import visible_ideas
from . import view


def block(workshop, phase) -> dict:
    """Return a group phase's themes with their ideas, plus the ungrouped ones."""
    ideas = visible_ideas(workshop, phase.settings.source)
    themes = view.themes_of(workshop, phase)
    out = [
        {
            "id": t["id"],
            "title": t["title"],
            "ideas": [i.text for i in ideas if i.theme_id == t["id"]],
        }
        for t in themes
    ]
    theme_ids = {t["id"] for t in themes}
    ungrouped = [i.text for i in ideas if i.theme_id not in theme_ids]
    if ungrouped:
        out.append({"id": None, "title": None, "ideas": ungrouped})
    return {"source": phase.settings.source, "themes": out}


def section(group: dict, data: dict, f, t: dict) -> dict:
    """Return a group phase's themes, ranked by the votes of the vote phase on them if any."""
    from ..vote.export import vote_note, votes_text

    vote = next(
        (p for p in data["phases"] if p["kind"] == "vote" and p.get("source") == group["id"]),
        None,
    )
    themes = [th for th in group["themes"] if th["id"] is not None]
    ungrouped = next((th["ideas"] for th in group["themes"] if th["id"] is None), [])
    items = []
    if vote is None:
        items = [{"title": th["title"], "votes": None, "ideas": th["ideas"]} for th in themes]
    else:
        # Results come most votes first; themes keep their order among equals.
        voted_ideas = set()
        for r in vote["results"]:
            if r["key"].startswith("theme:"):
                items.append(
                    {"title": r["title"], "votes": votes_text(r["count"]), "ideas": r["ideas"]}
                )
            elif r["count"] > 0:
                items.append({"title": r["title"], "votes": votes_text(r["count"]), "ideas": []})
                voted_ideas.add(r["title"])
        ungrouped = [text for text in ungrouped if text not in voted_ideas]
    return {
        "kind": "themes",
        "title": group["title"],
        "note": vote_note(vote, f, t, titled=True) if vote else "",
        "entries": items,
        "ungrouped": ungrouped,
    }
