"""The ideas kind in the export: every visible idea with the texts merged into it."""

from __future__ import annotations

from . import ops


def block(workshop, phase, lang: str) -> dict:
    """Return the JSON fields of an ideas phase."""
    merged = ops.merged_texts(workshop, phase.id)
    return {
        "columns": ops.phase_columns(workshop, phase, lang),
        "ideas": [
            {
                "text": i.text,
                "column": i.column,
                "theme_id": i.theme_id,
                "merged": merged.get(i.id, []),
            }
            for i in ops.visible_ideas(workshop, phase.id)
        ],
    }


def appendix(entry: dict) -> dict:
    """Return an ideas phase for the report's appendix: its ideas column by column."""
    columns = entry["columns"] or [{"id": None, "title": None}]
    return {
        "title": entry["title"],
        "prompt": " ".join((entry["prompt"] or "").split()),
        "columns": [
            {
                "title": c["title"],
                "ideas": [
                    {"text": i["text"], "merged": i["merged"]}
                    for i in entry["ideas"]
                    if i["column"] == c["id"]
                ],
            }
            for c in columns
        ],
    }
