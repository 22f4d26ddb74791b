"""Agreed actions: what the group decides to do, who, by when, and the first step.

Operations change rows and queue what to publish; the edge commits once.
Tables: `action` (models.Action), unique per session and client id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Action, ActionStatus, ItemKind, Workshop
from ..base import publication
from ..writes import add_once, by_client_id
from . import view

ACTION_MAX_CHARS = 1000
WHO_MAX_CHARS = 200


@dataclass
class ActionFields:
    what: str | None = None
    who: str | None = None
    due: date | None = None
    first_step: str | None = None
    follow_up: date | None = None
    status: ActionStatus | None = None
    # The item it was agreed from ("idea:12", "theme:3"): an item of this session.
    source_item: str | None = None
    # An action (default), an experiment or a ground rule, and the other kinds' fields.
    item_kind: ItemKind | None = None
    why: str | None = None
    how_know: str | None = None
    learned: str | None = None
    how_check: str | None = None
    # Which fields the caller gave; an update leaves the others as they are.
    given: frozenset[str] = frozenset({"what", "who", "due", "first_step", "follow_up", "status"})


@dataclass
class ActionResult:
    action: Action
    created: bool


def add_action(workshop: Workshop, client_id: str, fields: ActionFields) -> ActionResult:
    """Record an agreed action; a retried client id returns the first one, not created."""
    existing = by_client_id(Action, workshop.id, client_id)
    if existing is not None:
        return ActionResult(existing, created=False)
    action = Action(workshop_id=workshop.id, client_id=client_id)
    _apply_action_fields(action, fields, partial=False)
    # The same request raced in twice (a double click, a retry): keep the first.
    action, created = add_once(action)
    if created:
        announce_actions(workshop)
    return ActionResult(action, created)


def update_action(workshop: Workshop, action_id: int, fields: ActionFields) -> Action:
    """Change an agreed action."""
    action = db.session.get(Action, action_id)
    if action is None or action.workshop_id != workshop.id:
        raise OperationError("not_found")
    _apply_action_fields(action, fields, partial=True)
    # The team board's updates check it: an older copy there is now stale.
    action.version = (action.version or 1) + 1
    announce_actions(workshop)
    return action


def _optional_text(text: str | None, max_chars: int) -> str:
    """Return stripped optional text, refusing oversized text."""
    text = (text or "").strip()
    if len(text) > max_chars:
        raise OperationError("too_long", max=max_chars)
    return text


def _apply_action_fields(action: Action, fields: ActionFields, partial: bool) -> None:
    """Copy validated fields onto an action; a partial update touches only given fields."""
    given = fields.given if partial else fields.given | {"what"}
    if "what" in given:
        action.what = core._clean_text(fields.what or "", ACTION_MAX_CHARS)
    if "who" in given:
        action.who = _optional_text(fields.who, WHO_MAX_CHARS)
    if "due" in given:
        action.due = fields.due
    if "first_step" in given:
        action.first_step = _optional_text(fields.first_step, ACTION_MAX_CHARS)
    if "follow_up" in given:
        action.follow_up = fields.follow_up
    if "status" in given and fields.status is not None:
        action.status = fields.status
    if "item_kind" in given and fields.item_kind is not None:
        if fields.item_kind.value not in allowed_kinds(action.workshop_id):
            raise OperationError("item_kind_not_allowed")
        action.item_kind = fields.item_kind
    for name in ("why", "how_know", "learned", "how_check"):
        if name in given:
            setattr(action, name, _optional_text(getattr(fields, name), ACTION_MAX_CHARS) or None)
    if "source_item" in given:
        known = item_title(action.workshop_id, fields.source_item)
        if fields.source_item is not None and known is None:
            raise OperationError("not_found")
        action.source_item = fields.source_item


def allowed_kinds(workshop_id: int) -> set[str]:
    """Return the item kinds the session's actions phases record (`item_kinds`)."""
    workshop = db.session.get(Workshop, workshop_id)
    kinds = {"action"}
    if workshop is None:
        return kinds
    for phase in core.workshop_model(workshop).phases:
        if phase.kind == "actions":
            kinds |= set(phase.settings.item_kinds)
    return kinds


def item_title(workshop_id: int, key: str | None) -> str | None:
    """Return the text of a session's idea or theme by its key, None if it has none."""
    from ...models import Idea, Theme

    kind, _, raw_id = (key or "").partition(":")
    table = {"idea": Idea, "theme": Theme}.get(kind)
    if table is None or not raw_id.isdigit():
        return None
    row = db.session.get(table, int(raw_id))
    if row is None or row.workshop_id != workshop_id:
        return None
    return row.text if table is Idea else row.title


def delete_action(workshop: Workshop, action_id: int) -> None:
    """Delete an agreed action; deleting twice is harmless."""
    action = db.session.get(Action, action_id)
    if action is not None and action.workshop_id == workshop.id:
        db.session.delete(action)
        announce_actions(workshop)


def list_actions(workshop: Workshop) -> list[Action]:
    """Return the session's agreed actions in the order they were made."""
    return list(
        db.session.scalars(select(Action).filter_by(workshop_id=workshop.id).order_by(Action.id))
    )


def announce_actions(workshop: Workshop, board: bool = True) -> None:
    """Queue the whole list of agreed actions for every screen, once, after the commit."""
    workshop_id = workshop.id

    def send(publish) -> None:
        current = db.session.get(Workshop, workshop_id)
        if current is not None:
            publish(workshop_id, "actions", {"actions": view.actions_list(current)})

    publication().once(("actions", workshop_id), send)
    if board and workshop.team_id is not None:
        # The team board shows the session's items too (facilitator/teams.py).
        from ... import teams

        teams.announce_board(workshop.team_id)
