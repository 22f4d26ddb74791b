"""The review kind in the export: every item reviewed, its progress checks (above the
threshold only), the status set, what was learned, and carried or dropped with reason."""

from __future__ import annotations

from flask_babel import gettext

from . import ops
from .view import items_list

FIELDS = (
    "id",
    "item_kind",
    "what",
    "who",
    "due",
    "status",
    "learned",
    "carried_from",
    "session",
    "responses",
    "counts",
    "notes",
    "outcome",
)


def block(workshop, phase, lang: str) -> dict:
    """Return the JSON fields of a review phase (counts and notes null below the threshold)."""
    s = phase.settings
    return {
        "scope": s.scope,
        "item_kinds": list(s.item_kinds),
        "notes_allowed": s.notes,
        "min_responses": ops.threshold(phase),
        "team": workshop.team_name or None if workshop.team_id is not None else None,
        "items": [{k: i[k] for k in FIELDS} for i in items_list(workshop, phase, True)],
    }


def _labels() -> dict:
    return {
        "progress": {
            "done": gettext("Done"),
            "partly": gettext("Partly"),
            "not_started": gettext("Not started"),
            "dont_know": gettext("Don't know"),
        },
        "status": {
            "open": gettext("Not started"),
            "in_progress": gettext("In progress"),
            "done": gettext("Done"),
            "dropped": gettext("Dropped"),
            "carried_forward": gettext("Carried forward"),
        },
        "kind": {
            "action": gettext("Action"),
            "experiment": gettext("Experiment"),
            "ground_rule": gettext("Ground rule"),
        },
    }


def sections(entry: dict, f, t: dict) -> list[dict]:
    """Return one section: each item with its checks, status and decision."""
    labels = _labels()
    note = gettext(
        "Progress checks are shown per item when at least %(n)s people have answered.",
        n=entry["min_responses"],
    )
    entries = []
    for item in entry["items"]:
        lines = [
            gettext(
                "From: %(title)s, %(date)s",
                title=item["session"]["title"],
                date=f.date(item["session"]["date"]),
            ),
            gettext("Status: %(status)s", status=labels["status"].get(item["status"], "")),
        ]
        counts = item["counts"]
        if counts is not None:
            lines.append(
                gettext(
                    "Progress checks: %(counts)s",
                    counts=", ".join(
                        f"{labels['progress'][k]} {f.number(v)}" for k, v in counts.items()
                    ),
                )
            )
        else:
            lines.append(gettext("Answered: %(num)s", num=f.number(item["responses"])))
        if item["learned"]:
            lines.append(gettext("What we learned: %(text)s", text=item["learned"]))
        outcome = item["outcome"] or {}
        if outcome.get("decision") == "carried":
            lines.append(gettext("Carried forward into this session."))
        elif outcome.get("decision") == "dropped":
            lines.append(gettext("Dropped: %(reason)s", reason=outcome.get("reason") or ""))
        lines += [gettext("Note: %(text)s", text=n) for n in item["notes"] or []]
        kind = labels["kind"].get(item["item_kind"], "")
        entries.append({"title": f"{kind}: {item['what']}", "votes": "", "ideas": lines})
    return [
        {
            "kind": "review",
            "title": entry["title"],
            "note": note,
            "entries": entries,
            "ungrouped": [],
            "empty": gettext("No open items to review."),
        }
    ]
