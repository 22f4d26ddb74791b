"""Small groups: forming groups, rounds (1-2-4-All, learning café), notes, writer, timer.

Operations change rows and queue what to publish (`base.publication()`); the edge
commits once and then publishes. Tables: tables.py. Membership is never exported and
never sent to anyone but the phone itself: the facilitator sees counts and moves
"one person" from a group to another without learning who.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Participant, SessionStatus, Workshop, utcnow
from ..base import FACILITATOR, PARTICIPANT, PROJECTOR, publication
from ..writes import add_once, check_cap, first_write, own_row, soft_delete
from .tables import SgGroup, SgMember, SgNote, SgRound

KIND = "small_groups"
NOTE_MAX_CHARS = 500
# Notes one group may have on its wall (deleted ones count twice as many).
MAX_NOTES_PER_GROUP = 100

_random = random.SystemRandom()


# --- reading -------------------------------------------------------------------


def current_round(workshop: Workshop, phase) -> int:
    """Return the round a small-groups phase is in (0 before the first 'next round')."""
    value = db.session.scalar(
        select(SgRound.round).filter_by(workshop_id=workshop.id, phase_id=phase.id)
    )
    return value or 0


def groups_of(workshop: Workshop, phase, round_: int) -> list[SgGroup]:
    """Return the groups of a round in number order (a rotation uses the tables before it)."""
    base = phase.settings.base_round(round_)
    return list(
        db.session.scalars(
            select(SgGroup)
            .filter_by(workshop_id=workshop.id, phase_id=phase.id, round=base)
            .order_by(SgGroup.number)
        )
    )


def member_counts(workshop: Workshop, phase, round_: int) -> dict[int, int]:
    """Return how many phones each group (by id) has in a round."""
    rows = db.session.execute(
        select(SgMember.group_id, func.count(SgMember.id))
        .where(
            SgMember.workshop_id == workshop.id,
            SgMember.phase_id == phase.id,
            SgMember.round == round_,
        )
        .group_by(SgMember.group_id)
    ).all()
    return {group_id: n for group_id, n in rows}


def membership(participant: Participant, phase, round_: int) -> SgMember | None:
    """Return a phone's membership in a round, or None."""
    return db.session.scalar(
        select(SgMember).filter_by(participant_id=participant.id, phase_id=phase.id, round=round_)
    )


def my_group(workshop: Workshop, phase, participant: Participant, round_: int) -> SgGroup | None:
    """Return the group a phone is in this round, or None."""
    member = membership(participant, phase, round_)
    return db.session.get(SgGroup, member.group_id) if member else None


def notes_of(group_ids: list[int]) -> dict[int, list[SgNote]]:
    """Return the live notes of some groups, oldest first, by group id."""
    out: dict[int, list[SgNote]] = {gid: [] for gid in group_ids}
    if not group_ids:
        return out
    rows = db.session.scalars(
        select(SgNote)
        .where(SgNote.group_id.in_(group_ids), SgNote.deleted.is_(False))
        .order_by(SgNote.id)
    )
    for note in rows:
        out[note.group_id].append(note)
    return out


def unplaced_count(workshop: Workshop, phase, round_: int) -> int:
    """Return how many joined phones have no group this round."""
    joined = db.session.scalar(
        select(func.count(Participant.id)).filter_by(workshop_id=workshop.id)
    )
    placed = db.session.scalar(
        select(func.count(SgMember.id)).filter_by(
            workshop_id=workshop.id, phase_id=phase.id, round=round_
        )
    )
    return max(0, joined - placed)


def size_cap(phase, round_: int) -> int | None:
    """Return the most phones a group may have this round when people choose, or None."""
    settings = phase.settings
    spec = settings.round_spec(settings.base_round(round_))
    if spec.all:
        return None
    if spec.size is not None:
        return spec.size
    return settings.size if settings.split == "size" else None


def question_index(phase, number: int) -> int | None:
    """Return the question a group number gets (round-robin), or None for the prompt."""
    questions = phase.settings.questions
    return (number - 1) % len(questions) if questions else None


# --- checks --------------------------------------------------------------------


def _live_phase(workshop: Workshop):
    """Return the current phase if it is a small-groups phase of a live session."""
    if workshop.status is SessionStatus.UPCOMING:
        raise OperationError("session_not_started")
    if workshop.status is SessionStatus.CLOSED:
        raise OperationError("session_closed")
    phase = core.current_phase(workshop)
    if phase.kind != KIND:
        raise OperationError("wrong_phase")
    return phase


def _group_by_number(workshop: Workshop, phase, round_: int, number: int) -> SgGroup:
    group = next((g for g in groups_of(workshop, phase, round_) if g.number == number), None)
    if group is None:
        raise OperationError("not_found")
    return group


def _my_group_or_refuse(workshop, phase, participant, round_) -> SgGroup:
    group = my_group(workshop, phase, participant, round_)
    if group is None:
        raise OperationError("no_group")
    return group


def _check_writer(phase, group: SgGroup, participant: Participant) -> None:
    """With one writer per group, only that phone writes (and it must have taken the role)."""
    if phase.settings.writer == "one" and group.writer_id != participant.id:
        raise OperationError("writer_only")


# --- forming groups --------------------------------------------------------------


def _target_count(phase, round_: int, people: int) -> int:
    """Return how many groups a round should have for this many phones."""
    settings = phase.settings
    spec = settings.round_spec(round_)
    if spec.all:
        return 1
    size = spec.size or (settings.size if settings.split == "size" else None)
    if size:
        return max(1, math.ceil(people / size))
    return settings.groups


def _new_group(workshop: Workshop, phase, round_: int, number: int) -> SgGroup:
    group = SgGroup(
        workshop_id=workshop.id,
        phase_id=phase.id,
        round=round_,
        number=number,
        question=question_index(phase, number),
    )
    db.session.add(group)
    return group


def _ensure_groups(workshop: Workshop, phase, round_: int, people: int) -> list[SgGroup]:
    """Create the groups a round is missing (never removes one); return them all."""
    groups = groups_of(workshop, phase, round_)
    base = phase.settings.base_round(round_)
    if base == round_:
        target = _target_count(phase, round_, people)
        for number in range(len(groups) + 1, target + 1):
            groups.append(_new_group(workshop, phase, round_, number))
        db.session.flush()
    return groups


def _place(workshop: Workshop, phase, round_: int, participant_id: int, group: SgGroup) -> SgMember:
    member = SgMember(
        workshop_id=workshop.id,
        phase_id=phase.id,
        round=round_,
        group_id=group.id,
        participant_id=participant_id,
    )
    db.session.add(member)
    return member


def _smallest(groups: list[SgGroup], counts: dict[int, int]) -> SgGroup:
    """Return one of the groups with the fewest phones (a random one among equals)."""
    fewest = min(counts.get(g.id, 0) for g in groups)
    return _random.choice([g for g in groups if counts.get(g.id, 0) == fewest])


def _place_unplaced(workshop: Workshop, phase, round_: int, groups: list[SgGroup]) -> list[int]:
    """Put every joined phone without a group into the smallest groups, at random."""
    placed = set(
        db.session.scalars(
            select(SgMember.participant_id).filter_by(
                workshop_id=workshop.id, phase_id=phase.id, round=round_
            )
        )
    )
    people = [
        pid
        for pid in db.session.scalars(select(Participant.id).filter_by(workshop_id=workshop.id))
        if pid not in placed
    ]
    _random.shuffle(people)
    counts = member_counts(workshop, phase, round_)
    for pid in people:
        group = _smallest(groups, counts)
        _place(workshop, phase, round_, pid, group)
        counts[group.id] = counts.get(group.id, 0) + 1
    db.session.flush()
    return people


def form_groups(workshop: Workshop, reshuffle: bool = False) -> None:
    """Form the current round's groups now (the facilitator's button).

    Creates the groups still missing for everyone who has joined and, unless phones
    choose their own table, puts every phone without a group into the smallest
    groups at random. `reshuffle` first takes everyone out of their group (groups,
    their notes and writers' roles stay with the tables).
    """
    phase = _live_phase(workshop)
    round_ = current_round(workshop, phase)
    people = db.session.scalar(
        select(func.count(Participant.id)).filter_by(workshop_id=workshop.id)
    )
    if reshuffle and phase.settings.assign != "choose":
        for member in db.session.scalars(
            select(SgMember).filter_by(workshop_id=workshop.id, phase_id=phase.id, round=round_)
        ):
            db.session.delete(member)
        for group in groups_of(workshop, phase, round_):
            group.writer_id = None
        db.session.flush()
    groups = _ensure_groups(workshop, phase, round_, people)
    if phase.settings.assign != "choose":
        _place_unplaced(workshop, phase, round_, groups)
    announce_changed(workshop, phase)


def join_group(workshop: Workshop, participant: Participant, number: int | None) -> SgGroup:
    """Put a phone into a group: its own choice of table, or the smallest one (random)."""
    phase = core._require_input(workshop, KIND)
    settings = phase.settings
    round_ = current_round(workshop, phase)
    # Lock the phone's row: two sockets of one phone cannot both make a membership.
    db.session.scalar(select(Participant).filter_by(id=participant.id).with_for_update())
    member = membership(participant, phase, round_)
    if settings.assign == "choose":
        if number is None:
            raise OperationError("invalid")
        people = db.session.scalar(
            select(func.count(Participant.id)).filter_by(workshop_id=workshop.id)
        )
        _ensure_groups(workshop, phase, round_, people)
        group = _group_by_number(workshop, phase, round_, number)
        if member is not None and member.group_id == group.id:
            return group
        cap = size_cap(phase, round_)
        if cap is not None and member_counts(workshop, phase, round_).get(group.id, 0) >= cap:
            raise OperationError("group_full", max=cap)
        if member is not None:
            old = db.session.get(SgGroup, member.group_id)
            if old.writer_id == participant.id:
                old.writer_id = None
            member.group_id = group.id
        else:
            _place(workshop, phase, round_, participant.id, group)
    else:
        if member is not None:
            return db.session.get(SgGroup, member.group_id)
        if settings.assign == "facilitator":
            raise OperationError("groups_by_facilitator")
        groups = groups_of(workshop, phase, round_)
        if not groups:
            raise OperationError("groups_not_formed")
        group = _smallest(groups, member_counts(workshop, phase, round_))
        _place(workshop, phase, round_, participant.id, group)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise OperationError("rate_limited") from None
    announce_changed(workshop, phase, participants=[participant.id])
    return group


def move_one(workshop: Workshop, from_number: int, to_number: int) -> None:
    """Move one phone (chosen at random, the writer last) from one group to another."""
    phase = _live_phase(workshop)
    if from_number == to_number:
        raise OperationError("invalid")
    round_ = current_round(workshop, phase)
    source = _group_by_number(workshop, phase, round_, from_number)
    target = _group_by_number(workshop, phase, round_, to_number)
    members = list(
        db.session.scalars(
            select(SgMember).filter_by(
                workshop_id=workshop.id, phase_id=phase.id, round=round_, group_id=source.id
            )
        )
    )
    if not members:
        raise OperationError("group_empty")
    others = [m for m in members if m.participant_id != source.writer_id]
    member = _random.choice(others or members)
    if member.participant_id == source.writer_id:
        source.writer_id = None
    member.group_id = target.id
    db.session.flush()
    announce_changed(workshop, phase, participants=[member.participant_id])


def set_writer(workshop: Workshop, number: int, writer: str) -> SgGroup:
    """Let the facilitator give a group's writer role to a random member, or clear it."""
    phase = _live_phase(workshop)
    if phase.settings.writer != "one":
        raise OperationError("invalid")
    round_ = current_round(workshop, phase)
    group = _group_by_number(workshop, phase, round_, number)
    before = group.writer_id
    if writer == "none":
        group.writer_id = None
    else:
        members = list(
            db.session.scalars(
                select(SgMember.participant_id).filter_by(
                    phase_id=phase.id, round=round_, group_id=group.id
                )
            )
        )
        if not members:
            raise OperationError("group_empty")
        group.writer_id = _random.choice(members)
    db.session.flush()
    changed = [p for p in (before, group.writer_id) if p is not None]
    announce_changed(workshop, phase, participants=changed)
    return group


def take_writer(workshop: Workshop, participant: Participant, take: bool) -> SgGroup:
    """A phone takes its group's writer role (when free) or gives it back."""
    phase = core._require_input(workshop, KIND)
    if phase.settings.writer != "one":
        raise OperationError("invalid")
    round_ = current_round(workshop, phase)
    group = _my_group_or_refuse(workshop, phase, participant, round_)
    # Lock the group so two phones cannot both take the role.
    db.session.scalar(select(SgGroup).filter_by(id=group.id).with_for_update())
    if take:
        if group.writer_id not in (None, participant.id):
            raise OperationError("writer_taken")
        group.writer_id = participant.id
    elif group.writer_id == participant.id:
        group.writer_id = None
    db.session.flush()
    announce_changed(workshop, phase, groups=[group])
    return group


def next_round(workshop: Workshop) -> int:
    """Start the next round: new groups (1-2-4-All), everyone together, or a rotation."""
    phase = _live_phase(workshop)
    settings = phase.settings
    round_ = current_round(workshop, phase)
    if round_ + 1 >= settings.round_count():
        raise OperationError("last_round")
    new = round_ + 1
    spec = settings.round_spec(new)
    old_groups = groups_of(workshop, phase, round_)
    old_members = list(
        db.session.scalars(
            select(SgMember)
            .filter_by(workshop_id=workshop.id, phase_id=phase.id, round=round_)
            .order_by(SgMember.id)
        )
    )
    by_group: dict[int, list[int]] = {g.id: [] for g in old_groups}
    for m in old_members:
        by_group.setdefault(m.group_id, []).append(m.participant_id)
    people = db.session.scalar(
        select(func.count(Participant.id)).filter_by(workshop_id=workshop.id)
    )
    row = db.session.scalar(select(SgRound).filter_by(workshop_id=workshop.id, phase_id=phase.id))
    if row is None:
        row = SgRound(workshop_id=workshop.id, phase_id=phase.id, round=new)
        db.session.add(row)
    row.round = new
    db.session.flush()
    if spec.rotate:
        groups = old_groups
        count = len(groups)
        for k, group in enumerate(groups):
            members = by_group.get(group.id, [])
            host = group.writer_id if group.writer_id in members else None
            if host is None and settings.host_stays and members:
                host = members[0]
                group.writer_id = host
            for i, pid in enumerate(p for p in members if p != host):
                _place(workshop, phase, new, pid, groups[(k + 1 + i) % count])
            if host is not None:
                _place(workshop, phase, new, host, group)
            if not settings.host_stays:
                group.writer_id = None
    else:
        groups = _ensure_groups(workshop, phase, new, people)
        counts: dict[int, int] = {}
        # The previous round's groups move as blocks: pairs stay together in fours.
        for old in old_groups:
            block = by_group.get(old.id, [])
            if not block:
                continue
            group = min(groups, key=lambda g: (counts.get(g.id, 0), g.number))
            for pid in block:
                _place(workshop, phase, new, pid, group)
            counts[group.id] = counts.get(group.id, 0) + len(block)
    db.session.flush()
    if settings.assign != "choose" or spec.rotate or spec.all:
        _place_unplaced(workshop, phase, new, groups)
    announce_changed(workshop, phase)
    return new


def group_timer(workshop: Workshop, participant: Participant, action: str) -> SgGroup:
    """Start or stop a group's own timer (the phase's minutes), from one of its phones."""
    phase = core._require_input(workshop, KIND)
    if not phase.settings.timer_per_group:
        raise OperationError("invalid")
    round_ = current_round(workshop, phase)
    group = _my_group_or_refuse(workshop, phase, participant, round_)
    _check_writer(phase, group, participant)
    if action == "start":
        group.timer_ends_at = utcnow() + timedelta(minutes=phase.minutes)
    else:
        group.timer_ends_at = None
    db.session.flush()
    announce_changed(workshop, phase, groups=[group])
    return group


# --- notes -----------------------------------------------------------------------


def add_note(workshop: Workshop, participant: Participant, client_id: str, text: str) -> SgNote:
    """Post a note on the phone's group wall; a retried client id returns the first one."""
    existing = first_write(SgNote, workshop, participant, client_id)
    if existing is not None:
        return existing
    phase = core._require_input(workshop, KIND)
    text = core._clean_text(text, NOTE_MAX_CHARS)
    round_ = current_round(workshop, phase)
    group = _my_group_or_refuse(workshop, phase, participant, round_)
    _check_writer(phase, group, participant)
    check_cap(SgNote, MAX_NOTES_PER_GROUP, 2, SgNote.group_id == group.id)
    note, created = add_once(
        SgNote(
            workshop_id=workshop.id,
            phase_id=phase.id,
            group_id=group.id,
            participant_id=participant.id,
            client_id=client_id,
            text=text,
        )
    )
    if created:
        announce_note(workshop, note, group)
    return note


def _own_note(workshop: Workshop, participant: Participant, note_id: int) -> SgNote | None:
    return own_row(SgNote, workshop, participant, note_id)


def _editable(workshop: Workshop, participant: Participant, note: SgNote) -> SgGroup:
    """Return the note's group if the phone may change it now (its group, this phase)."""
    phase = core._require_input(workshop, KIND)
    if note.phase_id != phase.id:
        raise OperationError("phase_closed")
    group = db.session.get(SgGroup, note.group_id)
    _check_writer(phase, group, participant)
    return group


def edit_note(workshop: Workshop, participant: Participant, note_id: int, text: str) -> SgNote:
    """Change one's own note while the phase is open."""
    note = _own_note(workshop, participant, note_id)
    if note is None:
        raise OperationError("not_found")
    group = _editable(workshop, participant, note)
    note.text = core._clean_text(text, NOTE_MAX_CHARS)
    announce_note(workshop, note, group)
    return note


def delete_note(workshop: Workshop, participant: Participant, note_id: int) -> None:
    """Delete one's own note; deleting twice is harmless."""
    note = _own_note(workshop, participant, note_id)
    if note is None:
        return
    group = _editable(workshop, participant, note)
    soft_delete(note)
    announce_note(workshop, note, group)


# --- publishing ------------------------------------------------------------------


def note_dict(note: SgNote, group: SgGroup) -> dict:
    """Return a note as every screen sees it: the group is the author."""
    return {"id": note.id, "group_id": group.id, "group": group.number, "text": note.text}


def announce_note(workshop: Workshop, note: SgNote, group: SgGroup) -> None:
    """Queue a note change for the group's phones, the facilitator and the projector."""
    from ... import realtime as rt

    pub = publication()
    room = rt.group_room(workshop.id, group.id)
    if note.deleted:
        event, body = "groups.note.removed", {"id": note.id, "group_id": group.id}
    else:
        event, body = "groups.note", note_dict(note, group)
    pub.emit(workshop.id, event, body, roles=(FACILITATOR, PROJECTOR), room=room)


def announce_changed(workshop: Workshop, phase, participants=None, groups=None) -> None:
    """Queue `groups.changed`: screens that show groups re-sync.

    The facilitator and the projector always; phones only where something of theirs
    changed (their own room, their group's room), or all of them (a new round).
    """
    from ... import realtime as rt

    pub = publication()
    body = {"phase_id": phase.id}
    if participants is None and groups is None:
        pub.emit(workshop.id, "groups.changed", body)
        return
    rooms = [rt.participant_room(pid) for pid in participants or ()]
    rooms += [rt.group_room(workshop.id, g.id) for g in groups or ()]
    pub.emit(workshop.id, "groups.changed", body, roles=(FACILITATOR, PROJECTOR), room=rooms)
    # Choosing phones see how full each table is.
    if phase.settings.assign == "choose":
        pub.once(
            ("groups.counts", workshop.id),
            lambda publish: publish(workshop.id, "groups.changed", body, roles=(PARTICIPANT,)),
        )
