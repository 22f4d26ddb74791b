"""What one phase hands to the next: the items an earlier phase chose, as its kind's
spec tells (`selection_items`; the vote and classify rules below, the results kind's own).

Used by an ideas phase's `columns_from`, a phase's `banner`, a vote whose source is a
classify phase and an actions phase's candidates. App-level (reads the database).
"""

from __future__ import annotations

DEFAULT_TOP = 3


def decided_items(workshop, phase, categories=None) -> list[dict]:
    """Return a classify phase's items whose decided category is in `categories` (any
    decided one when None), in item order, each with its `category`."""
    from .classify import ops as classify_ops

    decided = classify_ops.decided(workshop, phase)
    return [
        {**item, "category": decided[item["key"]]}
        for item in classify_ops.items(workshop, phase)
        if item["key"] in decided and (categories is None or decided[item["key"]] in categories)
    ]


def vote_winners(workshop, phase) -> list[dict]:
    """Return a vote's items with at least one vote, most votes first."""
    from .vote import ops as vote_ops
    from .vote.view import tally_results

    tally, _ = vote_ops.vote_tally(workshop, phase.id)
    results = tally_results(vote_ops.vote_items(workshop, phase), tally)
    return [r for r in results if r["count"] > 0]


def selected(workshop, model, selection) -> list[dict]:
    """Return the items a Selection names: `key`, `title` (and `count` or `category`),
    as the source phase's kind chooses them (its spec's `selection_items`)."""
    from . import registry

    phase = model.phases[model.phase_index(selection.phase)]
    return registry.of(phase).selection_items(workshop, phase, selection)


def column_id(key: str) -> str:
    """Return the column id of an item key ("theme:3" -> "theme-3")."""
    return key.replace(":", "-")


def banner(ctx) -> dict | None:
    """Return the current phase's banner: the chosen items of an earlier phase, or None.

    Every audience sees the same: item titles only (ideas and themes are on the wall
    anyway), never a distribution or who chose what.
    """
    selection = getattr(ctx.phase, "banner", None)
    if selection is None:
        return None
    source = ctx.model.phases[ctx.model.phase_index(selection.phase)]
    items = selected(ctx.workshop, ctx.model, selection)
    return {
        "phase_id": source.id,
        "title": ctx.text(source.title),
        "items": [{"key": i["key"], "title": i["title"]} for i in items],
    }
