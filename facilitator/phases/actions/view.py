"""What screens see of agreed actions (every screen sees them all)."""

from __future__ import annotations

from ...models import Action, Workshop


def iso(value) -> str | None:
    """Return an ISO 8601 string for a date, None for None."""
    return value.isoformat() if value is not None else None


def action_dict(action: Action) -> dict:
    """Serialise an agreed action."""
    return {
        "id": action.id,
        "what": action.what,
        "who": action.who,
        "due": iso(action.due),
        "first_step": action.first_step,
        "follow_up": iso(action.follow_up),
        "status": action.status.value,
        "source_item": action.source_item,
        "item_kind": action.item_kind.value if action.item_kind else "action",
        "why": action.why,
        "how_know": action.how_know,
        "learned": action.learned,
        "how_check": action.how_check,
        "version": action.version or 1,
    }


def actions_list(workshop: Workshop) -> list[dict]:
    """Serialise all agreed actions of a session."""
    from .ops import list_actions

    return [action_dict(a) for a in list_actions(workshop)]
