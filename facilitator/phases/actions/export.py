"""Agreed actions in the export, grouped by the item each was agreed from."""

from __future__ import annotations

from .ops import item_title


def by_item(workshop, actions: list[dict]) -> list[dict]:
    """Return `{item, title, actions: [ids]}` per source item, in order of first action;
    actions without a source item come last under `item: null`."""
    groups: dict[str | None, dict] = {}
    for action in actions:
        key = action.get("source_item")
        if key not in groups:
            title = item_title(workshop.id, key) if key else None
            groups[key] = {"item": key, "title": title, "actions": []}
        groups[key]["actions"].append(action["id"])
    return sorted(groups.values(), key=lambda g: g["item"] is None)
