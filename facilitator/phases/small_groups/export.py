"""The small_groups kind in the export: each group's question and notes, never who."""

from __future__ import annotations

from flask_babel import gettext

from ...workshop_models import localize
from . import ops


def block(workshop, phase, lang: str) -> dict:
    """Return the JSON fields of a small-groups phase: groups by round, no membership."""
    from sqlalchemy import select

    from ...extensions import db
    from .tables import SgGroup

    groups = list(
        db.session.scalars(
            select(SgGroup)
            .filter_by(workshop_id=workshop.id, phase_id=phase.id)
            .order_by(SgGroup.round, SgGroup.number)
        )
    )
    notes = ops.notes_of([g.id for g in groups])
    questions = phase.settings.questions
    return {
        "groups": [
            {
                "round": g.round,
                "number": g.number,
                "question": localize(questions[g.question], lang)
                if g.question is not None and g.question < len(questions)
                else None,
                "notes": [n.text for n in notes[g.id]],
            }
            for g in groups
        ]
    }


def sections(entry: dict, f) -> list[dict]:
    """Return the report section of a small-groups phase: group by group."""
    rounds = len({g["round"] for g in entry["groups"]}) > 1
    entries = []
    for g in entry["groups"]:
        if rounds:
            title = gettext(
                "Round %(round)s, group %(number)s",
                round=f.number(g["round"] + 1),
                number=f.number(g["number"]),
            )
        else:
            title = gettext("Group %(number)s", number=f.number(g["number"]))
        if g["question"]:
            title = f"{title}: {g['question']}"
        entries.append({"title": title, "votes": "", "ideas": g["notes"]})
    return [
        {
            "kind": "small_groups",
            "title": entry["title"],
            "note": " ".join((entry["prompt"] or "").split()),
            "entries": entries,
            "ungrouped": [],
        }
    ]
