"""Teams: a work community's sessions, its agreed items across them, and the team link.

Who may do what:
- the owner (the facilitator who made the team) does everything, and alone renames or
  deletes the team and shares it or stops sharing it;
- a member (another facilitator account the team is shared with) sees the team's
  sessions and board, runs the team's sessions (control view, projector, API), puts
  own sessions under the team, updates items and rotates or revokes the team link;
- anyone with the team link (`/t/<secret>`, no account) sees the board and updates an
  item's progress (status and a short note), recorded as "team member".

Operations change rows and queue what to publish; the edge commits once, then
publishes (phases/base.py Publication). Tables: team, team_member, team_link,
item_update (models.py); items are `action` rows of the team's sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from .errors import OperationError
from .extensions import db
from .models import (
    Action,
    ActionStatus,
    Facilitator,
    ItemKind,
    ItemUpdate,
    Team,
    TeamLink,
    TeamMember,
    Workshop,
    utcnow,
)
from .phases.base import publication

NAME_MAX = 200
DESCRIPTION_MAX = 2000
NOTE_MAX = 500
# Entries of an item's history the board shows (newest first).
HISTORY_SHOWN = 10
# The team link's secret: 32 random bytes (256 bits), URL-safe.
LINK_PREFIX = "fat_"
# Statuses that leave an item open (overdue when past its date).
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
# Not counted in "done / total": no longer this team's work here.
SET_ASIDE = (ActionStatus.DROPPED, ActionStatus.CARRIED_FORWARD)


class StaleItem(OperationError):
    """An update made from an older version of the item; carries the current one."""

    def __init__(self, action: Action):
        super().__init__("stale")
        self.action = action


# --- rooms ------------------------------------------------------------------------


def team_room(team_id: int) -> str:
    """Return the socket room of everyone with a team's board open."""
    return f"team:{team_id}"


def link_room(team_id: int) -> str:
    """Return the socket room of the board pages opened through the team link."""
    return f"team:{team_id}:link"


# --- access -----------------------------------------------------------------------


def visible_team(user: Facilitator, team_id: int) -> Team | None:
    """Return the team if the facilitator owns it or it is shared with them, else None."""
    team = db.session.get(Team, team_id)
    if team is None:
        return None
    if team.owner_id == user.id or is_member(user, team):
        return team
    return None


def is_member(user: Facilitator, team: Team) -> bool:
    """Tell whether the team is shared with the facilitator."""
    return (
        db.session.scalar(select(TeamMember.id).filter_by(team_id=team.id, facilitator_id=user.id))
        is not None
    )


def can_run(user: Facilitator, workshop: Workshop) -> bool:
    """Tell whether the facilitator may run a session: their own, or their team's."""
    if workshop.facilitator_id == user.id:
        return True
    return workshop.team_id is not None and visible_team(user, workshop.team_id) is not None


def teams_of(user: Facilitator) -> list[Team]:
    """Return the teams a facilitator owns or shares, by name."""
    shared = select(TeamMember.team_id).filter_by(facilitator_id=user.id)
    query = (
        select(Team)
        .where((Team.owner_id == user.id) | Team.id.in_(shared))
        .order_by(Team.name, Team.id)
    )
    return list(db.session.scalars(query))


def _require_owner(user: Facilitator, team: Team) -> None:
    if team.owner_id != user.id:
        raise OperationError("owner_only")


# --- teams ------------------------------------------------------------------------


def _clean(text: str | None, max_chars: int, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise OperationError("empty")
    if len(text) > max_chars:
        raise OperationError("too_long", max=max_chars)
    return text


def create_team(owner: Facilitator, name: str, description: str = "") -> Team:
    """Make a team owned by the facilitator."""
    team = Team(
        owner_id=owner.id,
        name=_clean(name, NAME_MAX, required=True),
        description=_clean(description, DESCRIPTION_MAX),
    )
    db.session.add(team)
    db.session.flush()
    return team


def update_team(user: Facilitator, team: Team, name=None, description=None) -> Team:
    """Rename a team or change its description (owner only)."""
    _require_owner(user, team)
    if name is not None:
        team.name = _clean(name, NAME_MAX, required=True)
    if description is not None:
        team.description = _clean(description, DESCRIPTION_MAX)
    announce_board(team.id)
    return team


def delete_team(user: Facilitator, team: Team) -> None:
    """Delete a team (owner only); its sessions and their items stay, without a team."""
    _require_owner(user, team)
    team_id = team.id
    db.session.execute(update(Workshop).where(Workshop.team_id == team_id).values(team_id=None))
    _tell_link_pages(team_id)
    db.session.delete(team)


def share(user: Facilitator, team: Team, email: str) -> Facilitator:
    """Share the team with another facilitator account by e-mail (owner only)."""
    _require_owner(user, team)
    other = db.session.scalar(
        select(Facilitator).where(Facilitator.email == (email or "").strip().lower())
    )
    if other is None:
        raise OperationError("no_account")
    if other.id != team.owner_id and not is_member(other, team):
        db.session.add(TeamMember(team_id=team.id, facilitator_id=other.id))
        db.session.flush()
    return other


def unshare(user: Facilitator, team: Team, facilitator_id: int) -> None:
    """Stop sharing with a member: the owner removes anyone, a member only themselves."""
    if user.id != facilitator_id:
        _require_owner(user, team)
    row = db.session.scalar(
        select(TeamMember).filter_by(team_id=team.id, facilitator_id=facilitator_id)
    )
    if row is None:
        raise OperationError("not_found")
    db.session.delete(row)


def members(team: Team) -> list[dict]:
    """Return the owner and the members: id, name, e-mail, role."""
    owner = db.session.get(Facilitator, team.owner_id)
    rows = db.session.scalars(
        select(Facilitator)
        .join(TeamMember, TeamMember.facilitator_id == Facilitator.id)
        .where(TeamMember.team_id == team.id)
        .order_by(Facilitator.name)
    )
    people = [{"id": owner.id, "name": owner.name, "email": owner.email, "role": "owner"}]
    people += [{"id": f.id, "name": f.name, "email": f.email, "role": "member"} for f in rows]
    return people


def set_session_team(user: Facilitator, workshop: Workshop, team: Team | None) -> None:
    """Put a session under a team (or under none); only the session's own facilitator."""
    if workshop.facilitator_id != user.id:
        raise OperationError("forbidden")
    old = workshop.team_id
    workshop.team_id = team.id if team is not None else None
    if team is not None and not workshop.team_name:
        workshop.team_name = team.name[:200]
    for team_id in {old, workshop.team_id} - {None}:
        announce_board(team_id)


def sessions(team: Team) -> list[Workshop]:
    """Return the team's sessions, newest first."""
    return list(
        db.session.scalars(
            select(Workshop).filter_by(team_id=team.id).order_by(Workshop.created_at.desc())
        )
    )


# --- the team link ----------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def rotate_link(team: Team) -> str:
    """Make a new team link, ending the old one at once; return the secret (shown once)."""
    db.session.execute(TeamLink.__table__.delete().where(TeamLink.team_id == team.id))
    secret = LINK_PREFIX + secrets.token_urlsafe(32)
    db.session.add(TeamLink(team_id=team.id, token_hash=_hash(secret)))
    db.session.flush()
    _tell_link_pages(team.id)
    return secret


def revoke_link(team: Team) -> None:
    """End the team link; pages open through it are told and their writes refused."""
    db.session.execute(TeamLink.__table__.delete().where(TeamLink.team_id == team.id))
    _tell_link_pages(team.id)


def has_link(team: Team) -> bool:
    """Tell whether the team has a working link."""
    return db.session.scalar(select(TeamLink.id).filter_by(team_id=team.id)) is not None


def team_for_secret(secret: str) -> Team | None:
    """Return the team of a working link, None for anything else."""
    if not isinstance(secret, str) or not secret.startswith(LINK_PREFIX) or len(secret) > 100:
        return None
    link = db.session.scalar(select(TeamLink).filter_by(token_hash=_hash(secret)))
    return db.session.get(Team, link.team_id) if link is not None else None


def link_hash(secret: str) -> str:
    """Return the stored form of a link secret (sockets remember it, not the secret)."""
    return _hash(secret)


def link_alive(team_id: int, token_hash: str) -> bool:
    """Tell whether a link (by its hash) still opens the team."""
    return (
        db.session.scalar(select(TeamLink.id).filter_by(team_id=team_id, token_hash=token_hash))
        is not None
    )


def _tell_link_pages(team_id: int) -> None:
    """After the commit: tell the pages opened through the old link that it has ended."""

    def send(_publish) -> None:
        from . import realtime

        realtime.end_team_link(team_id)

    publication().once(("team-link", team_id), send)


# --- the board --------------------------------------------------------------------


def _items_query(team: Team):
    return (
        select(Action, Workshop)
        .join(Workshop, Action.workshop_id == Workshop.id)
        .where(Workshop.team_id == team.id)
        .order_by(Workshop.created_at, Action.id)
    )


def _history(action_ids: list[int]) -> dict[int, list[ItemUpdate]]:
    found: dict[int, list[ItemUpdate]] = {i: [] for i in action_ids}
    if not action_ids:
        return found
    rows = db.session.scalars(
        select(ItemUpdate)
        .where(ItemUpdate.action_id.in_(action_ids))
        .order_by(ItemUpdate.created_at.desc(), ItemUpdate.id.desc())
    )
    for row in rows:
        if len(found[row.action_id]) < HISTORY_SHOWN:
            found[row.action_id].append(row)
    return found


def update_dict(row: ItemUpdate) -> dict:
    """Serialise a history entry; `who` is null for "team member" (clients translate it)."""
    return {
        "at": row.created_at.date().isoformat(),
        "who": row.who_label or None,
        "from": row.status_from,
        "to": row.status_to,
        "note": row.note,
    }


def _link(action: Action, workshop: Workshop) -> dict:
    started = workshop.started_at or workshop.created_at
    return {
        "id": action.id,
        "what": action.what,
        "status": action.status.value,
        "session": {"id": workshop.id, "title": workshop.title, "date": started.date().isoformat()},
    }


@dataclass
class Links:
    """The team's items by id and the reverse carry links, built once per board."""

    items: dict[int, tuple[Action, Workshop]]
    forward: dict[int, tuple[Action, Workshop]]

    @classmethod
    def of(cls, rows) -> Links:
        items = {a.id: (a, w) for a, w in rows}
        forward = {a.carried_from_id: (a, w) for a, w in items.values() if a.carried_from_id}
        return cls(items, forward)


def chain_of(action: Action, known: dict[int, tuple[Action, Workshop]]) -> list[dict]:
    """Return the earlier versions an item carries forward (review phases), oldest first.

    `known` maps the team's item ids to (item, session); links leaving the team end it.
    """
    chain: list[dict] = []
    seen = {action.id}
    link = action.carried_from_id
    while link is not None and link in known and link not in seen:
        seen.add(link)
        earlier, session = known[link]
        chain.append(_link(earlier, session))
        link = earlier.carried_from_id
    return chain[::-1]


def item_dict(
    action: Action,
    workshop: Workshop,
    history: list[ItemUpdate],
    today=None,
    links: Links | None = None,
) -> dict:
    """Serialise an agreed item for the board: no participant identity anywhere.

    With `links` (the team's items) it has its chain: `carried_from` (the id of
    the item it carries forward), `carried_to` (the item carrying it forward, with its
    session) and `chain` (every earlier version with its session, oldest first).
    """
    from .phases.actions.ops import item_title
    from .phases.actions.view import action_dict

    today = today or date.today()
    data = action_dict(action)
    started = workshop.started_at or workshop.created_at
    data["session"] = {
        "id": workshop.id,
        "title": workshop.title,
        "date": started.date().isoformat(),
    }
    data["source"] = (
        {"key": action.source_item, "title": item_title(workshop.id, action.source_item)}
        if action.source_item
        else None
    )
    data["overdue"] = bool(
        action.due is not None and action.due < today and action.status in OPEN_STATUSES
    )
    data["history"] = [update_dict(u) for u in history]
    data["carried_from"] = action.carried_from_id
    links = links or Links({}, {})
    data["chain"] = chain_of(action, links.items)
    later = links.forward.get(action.id)
    data["carried_to"] = _link(*later) if later is not None else None
    return data


def board(team: Team, status=None, kind=None, session_id=None) -> dict:
    """Return every agreed item of the team's sessions (filtered) and the progress count.

    The progress count is over all items, not the filtered ones: `done` items out of
    `total` items, leaving out dropped and carried-forward ones.
    """
    rows = [tuple(row) for row in db.session.execute(_items_query(team))]
    counted = [a for a, _w in rows if a.status not in SET_ASIDE]
    progress = {
        "done": sum(1 for a in counted if a.status is ActionStatus.DONE),
        "total": len(counted),
        "overdue": 0,
    }
    shown = [
        (a, w)
        for a, w in rows
        if (status is None or a.status.value == status)
        and (kind is None or a.item_kind.value == kind)
        and (session_id is None or w.id == session_id)
    ]
    history = _history([a.id for a, _w in shown])
    links = Links.of(rows)
    items = [item_dict(a, w, history[a.id], links=links) for a, w in shown]
    today = date.today()
    progress["overdue"] = sum(
        1 for a in counted if a.due is not None and a.due < today and a.status in OPEN_STATUSES
    )
    return {
        "team": team_dict(team),
        "progress": progress,
        "sessions": [
            {
                "id": w.id,
                "title": w.title,
                "date": (w.started_at or w.created_at).date().isoformat(),
            }
            for w in sessions(team)
        ],
        "items": items,
    }


def team_dict(team: Team) -> dict:
    """Serialise a team's own fields."""
    return {
        "id": team.id,
        "name": team.name,
        "description": team.description,
        "owner_id": team.owner_id,
        "has_link": has_link(team),
    }


def team_item(team: Team, action_id: int) -> tuple[Action, Workshop]:
    """Return an item of the team and its session, or refuse with not_found."""
    action = db.session.get(Action, action_id)
    workshop = db.session.get(Workshop, action.workshop_id) if action is not None else None
    if action is None or workshop is None or workshop.team_id != team.id:
        raise OperationError("not_found")
    return action, workshop


def current_item(team: Team, action_id: int) -> dict:
    """Return one item as the board shows it (after a commit or a rollback)."""
    action, workshop = team_item(team, action_id)
    links = Links.of(tuple(r) for r in db.session.execute(_items_query(team)))
    return item_dict(action, workshop, _history([action.id])[action.id], links=links)


def update_item(
    team: Team,
    action_id: int,
    version: int,
    who_label: str,
    status: ActionStatus | None = None,
    note: str | None = None,
    fields=None,
) -> Action:
    """Change an item's progress (and, for facilitators, its fields) from a known version.

    The version check and the raise are one conditional UPDATE: of two updates made
    from the same version, the second finds the version moved and is refused with
    `stale` (StaleItem, carrying the current item); nothing is lost silently.
    `who_label` is "" for the team link ("team member") or the facilitator's name.
    """
    from .phases.actions import ops as action_ops

    action, workshop = team_item(team, action_id)
    if action.status is ActionStatus.CARRIED_FORWARD:
        # Its life goes on in the copy it was carried into; that copy is the one to update.
        raise OperationError("already_carried")
    note = _clean(note, NOTE_MAX)
    claim_version(action, version)
    before = action.status
    if fields is not None:
        fields.given = fields.given - {"status", "item_kind", "source_item"}
        action_ops._apply_action_fields(action, fields, partial=True)
    if status is not None:
        action.status = status
    action.updated_at = utcnow()
    if status is not None and status != before or note:
        db.session.add(
            ItemUpdate(
                action_id=action.id,
                who_label=who_label[:120],
                status_from=before.value if status is not None and status != before else None,
                status_to=status.value if status is not None and status != before else None,
                note=note,
            )
        )
    db.session.flush()
    announce_item(team.id, action.id)
    # The session's own screens; the boards get `team.item` above.
    action_ops.announce_actions(workshop, board=False)
    # A review running now in another session of the team shows the item too.
    from .phases.review.ops import refresh_reviews

    refresh_reviews(team.id)
    return action


def claim_version(action: Action, version: int | None) -> None:
    """Raise an item's version from the one the caller saw (None: whatever it is now).

    The check and the raise are one conditional UPDATE: of two changes made from the
    same version the second is refused with `stale` (StaleItem, carrying the item as it
    is now, after a rollback of the unit of work).
    """
    query = update(Action).where(Action.id == action.id)
    if version is not None:
        query = query.where(Action.version == version)
    changed = db.session.execute(
        query.values(version=Action.version + 1).execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        action_id = action.id
        db.session.rollback()
        raise StaleItem(db.session.get(Action, action_id))
    db.session.refresh(action)


def record_update(action: Action, who_label: str, before: ActionStatus, note: str = "") -> None:
    """Add a dated entry to an item's history when its status changed or a note was given."""
    changed = action.status != before
    if not changed and not note:
        return
    db.session.add(
        ItemUpdate(
            action_id=action.id,
            who_label=who_label[:120],
            status_from=before.value if changed else None,
            status_to=action.status.value if changed else None,
            note=note,
        )
    )


def announce_item(team_id: int, action_id: int) -> None:
    """After the commit: send the changed item to every open board of the team."""

    def send(_publish) -> None:
        from . import realtime

        team = db.session.get(Team, team_id)
        if team is None:
            return
        try:
            item = current_item(team, action_id)
        except OperationError:
            return
        realtime.publish_team(team_id, "team.item", {"item": item})

    publication().once(("team-item", team_id, action_id), send)


def announce_board(team_id: int) -> None:
    """After the commit: tell the team's open boards to fetch the board again."""

    def send(_publish) -> None:
        from . import realtime

        realtime.publish_team(team_id, "team.changed", {})

    publication().once(("team-board", team_id), send)


KINDS = tuple(k.value for k in ItemKind)
STATUSES = tuple(s.value for s in ActionStatus)
