"""Dot voting: the ballot (themes and ungrouped ideas), a phone's dots, the tally.

Operations change rows and queue what to publish; the edge commits once.
Tables: `vote` (models.Vote), unique per participant, phase and item.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Idea, Participant, Theme, Vote, Workshop
from ..answers import answers_by, retrying, store
from ..base import publication
from ..writes import UNREAD

KIND = "vote"


def vote_items(workshop: Workshop, vote_phase) -> list[dict]:
    """Return what can be voted on in a vote phase: themes and ungrouped ideas."""
    model = core.workshop_model(workshop)
    source = model.phases[model.phase_index(vote_phase.settings.source)]
    if source.kind == "classify":
        # The classify phase's items of the named categories (all decided ones if none).
        from ..selection import decided_items

        categories = getattr(vote_phase.settings, "categories", None)
        return [
            {"key": i["key"], "title": i["title"], "ideas": i["ideas"]}
            for i in decided_items(workshop, source, categories)
        ]
    return source_items(workshop, source, getattr(vote_phase.settings, "columns", None))


def source_items(workshop: Workshop, source, columns=None) -> list[dict]:
    """Return the items of an ideas or group phase: its themes and ungrouped ideas.

    Each item: `key` ("theme:3", "idea:12"), `title`, `ideas` (a theme's idea texts).
    `columns` (column ids) keeps only the ideas of those columns, and the themes that
    hold at least one of them (or no idea at all).
    """
    from ..ideas.ops import visible_ideas

    def wanted(idea) -> bool:
        return columns is None or idea.column in columns

    items: list[dict] = []
    if source.kind == "group":
        ideas_phase_id = source.settings.source
        themes = db.session.scalars(
            select(Theme)
            .filter_by(workshop_id=workshop.id, phase_id=source.id)
            .order_by(Theme.position, Theme.id)
        ).all()
        ideas = visible_ideas(workshop, ideas_phase_id)
        # One pass over the ideas (not one per theme): each theme's ideas, in idea order.
        by_theme: dict[int | None, list] = {}
        for idea in ideas:
            by_theme.setdefault(idea.theme_id, []).append(idea)
        for theme in themes:
            inside = by_theme.get(theme.id, [])
            kept = [i for i in inside if wanted(i)]
            if inside and not kept:
                continue
            items.append(
                {"key": f"theme:{theme.id}", "title": theme.title, "ideas": [i.text for i in kept]}
            )
        theme_ids = {t.id for t in themes}
        ungrouped = [i for i in ideas if i.theme_id not in theme_ids]
    else:
        ungrouped = visible_ideas(workshop, source.id)
    items.extend(
        {"key": f"idea:{i.id}", "title": i.text, "ideas": []} for i in ungrouped if wanted(i)
    )
    return items


# Statements every vote.set runs, built once (their SQL is cached per engine anyway).
_IDEA_ON_BALLOT = select(
    Idea.workshop_id,
    Idea.phase_id,
    Idea.column,
    Idea.theme_id,
    Idea.visible.label("visible"),
).where(Idea.id == bindparam("id"))
# The phone's dots in a phase, read while locking its participant row (FOR UPDATE OF
# participant on PostgreSQL), so two concurrent votes cannot both pass the budget check;
# with them the ballot check's columns of the idea voted on (`_IDEA_ON_BALLOT`), in the
# same round trip. Each row: the participant's id, one of its votes (or None), then the
# idea's columns under `_IDEA_ON_BALLOT`'s names (None when there is no such idea), so
# a row serves as that statement's row.
_BALLOT_IDEA = aliased(Idea, name="ballot_idea")
_MY_VOTES_LOCKED = (
    select(
        Participant.id,
        Vote,
        _BALLOT_IDEA.workshop_id,
        _BALLOT_IDEA.phase_id,
        _BALLOT_IDEA.column,
        _BALLOT_IDEA.theme_id,
        _BALLOT_IDEA.visible.label("visible"),
    )
    .outerjoin(
        Vote, (Vote.participant_id == Participant.id) & (Vote.phase_id == bindparam("phase"))
    )
    .outerjoin(_BALLOT_IDEA, _BALLOT_IDEA.id == bindparam("idea"))
    .where(Participant.id == bindparam("participant"))
    .with_for_update(of=Participant)
)


def is_vote_item(workshop: Workshop, vote_phase, key: str, idea=UNREAD) -> bool:
    """Tell whether a key is on the ballot, without loading the whole ballot.

    `idea`: the `_IDEA_ON_BALLOT` row of an idea key (None: no such idea) when the
    caller has already read it.
    """
    kind, _, raw_id = key.partition(":")
    if not raw_id.isdigit():
        return False
    model = core.workshop_model(workshop)
    source = model.phases[model.phase_index(vote_phase.settings.source)]
    if vote_phase.kind == KIND and source.kind == "classify":
        # A ballot of decided classify items: check against the ballot itself.
        return key in {item["key"] for item in vote_items(workshop, vote_phase)}
    # Columns (`source_items`): only ideas of those columns, and the themes holding one
    # of them or no idea at all. Checked on this one item, not by building the ballot.
    columns = getattr(vote_phase.settings, "columns", None) if vote_phase.kind == KIND else None
    grouped = source.kind == "group"
    ideas_phase_id = source.settings.source if grouped else source.id
    if kind == "theme":
        theme = db.session.get(Theme, int(raw_id))
        if not (
            grouped
            and theme is not None
            and theme.workshop_id == workshop.id
            and (theme.phase_id == source.id)
        ):
            return False
        if columns is None:
            return True
        inside = set(
            db.session.scalars(
                select(Idea.column)
                .filter_by(
                    workshop_id=workshop.id,
                    phase_id=ideas_phase_id,
                    theme_id=theme.id,
                    deleted=False,
                    hidden=False,
                )
                .where(Idea.merged_into_id.is_(None))
                .distinct()
            )
        )
        return not inside or any(column in columns for column in inside)
    if kind != "idea":
        return False
    # The columns the check needs, not the idea's row (every vote.set asks this).
    if idea is UNREAD:
        idea = db.session.execute(_IDEA_ON_BALLOT, {"id": int(raw_id)}).first()
    if idea is None or idea.workshop_id != workshop.id or idea.phase_id != ideas_phase_id:
        return False
    if not idea.visible:
        return False
    if columns is not None and idea.column not in columns:
        return False
    if grouped and idea.theme_id is not None:
        # A grouped idea is voted on through its theme (when the theme is of this group).
        theme = db.session.get(Theme, idea.theme_id)
        return theme is None or theme.phase_id != source.id
    return True


def my_votes(participant: Participant, phase_id: str) -> dict[str, int]:
    """Return the participant's dots per item in a vote phase."""
    return answers_by(Vote, "item_key", "count", participant_id=participant.id, phase_id=phase_id)


@retrying
def set_vote(workshop: Workshop, participant: Participant, item_key: str, count: int) -> dict:
    """Set how many dots the participant puts on an item, within the cap and budget."""
    phase = core._require_input(workshop, KIND)
    settings = phase.settings
    if not 0 <= count <= settings.per_item_cap:
        raise OperationError("cap_exceeded", cap=settings.per_item_cap)
    kind, _, raw_id = item_key.partition(":")
    idea_id = int(raw_id) if kind == "idea" and raw_id.isdigit() else None
    read = db.session.execute(
        _MY_VOTES_LOCKED, {"participant": participant.id, "phase": phase.id, "idea": idea_id}
    ).all()
    idea = read[0] if read and read[0].workshop_id is not None else None
    if not is_vote_item(workshop, phase, item_key, idea):
        raise OperationError("not_found")
    rows = [row.Vote for row in read if row.Vote is not None]
    votes = {row.item_key: row.count for row in rows}
    others = sum(c for key, c in votes.items() if key != item_key)
    if others + count > settings.budget:
        raise OperationError("budget_exceeded", budget=settings.budget)
    key = {"participant_id": participant.id, "phase_id": phase.id, "item_key": item_key}
    row = next((row for row in rows if row.item_key == item_key), None)
    store(Vote, key, {"count": count} if count else None, row, workshop_id=workshop.id)
    publication().mark(workshop.id, KIND)
    if count:
        votes[item_key] = count
    else:
        votes.pop(item_key, None)
    return votes


def move_votes(workshop: Workshop, old_key: str, new_key: str) -> None:
    """Move the dots on one item to another (a merge); a phone's dots on both add up."""
    for vote in db.session.scalars(
        select(Vote).filter_by(workshop_id=workshop.id, item_key=old_key)
    ):
        twin = db.session.scalar(
            select(Vote).filter_by(
                participant_id=vote.participant_id, phase_id=vote.phase_id, item_key=new_key
            )
        )
        if twin is None:
            vote.item_key = new_key
        else:
            twin.count += vote.count
            db.session.delete(vote)
    publication().mark(workshop.id, KIND)


def vote_tally(workshop: Workshop, phase_id: str) -> tuple[dict[str, int], int]:
    """Return dots per item and the number of people who voted."""
    in_phase = (Vote.workshop_id == workshop.id, Vote.phase_id == phase_id)
    rows = db.session.execute(
        select(Vote.item_key, func.sum(Vote.count)).where(*in_phase).group_by(Vote.item_key)
    ).all()
    voters = db.session.scalar(
        select(func.count(func.distinct(Vote.participant_id))).where(*in_phase)
    )
    # Voters whose participant row the retention purge removed (their dots stay).
    voters += (getattr(workshop, "unlinked_voters", None) or {}).get(phase_id, 0)
    return {key: int(total) for key, total in rows}, voters
