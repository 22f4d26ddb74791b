"""What each audience sees of small groups.

The facilitator and the projector: every group's number, question, member count and
notes. A phone: the tables (number, question, how full) and its own group's wall,
never who else is in it. Nobody gets a participant id.
"""

from __future__ import annotations

from ...models import utcnow
from ...workshop_models import localize
from ..base import FACILITATOR, PARTICIPANT
from . import ops


def _iso(value):
    return value.isoformat() if value is not None else None


def _question(phase, group, lang: str, fallback: str) -> str | None:
    if group.question is None or group.question >= len(phase.settings.questions):
        return None
    return localize(phase.settings.questions[group.question], lang, fallback)


def _round(phase, round_: int) -> dict:
    settings = phase.settings
    spec = settings.round_spec(round_)
    return {
        "index": round_,
        "count": settings.round_count(),
        "size": spec.size,
        "all": spec.all,
        "rotate": spec.rotate,
    }


def _timer(group) -> dict | None:
    if group.timer_ends_at is None:
        return None
    left = max(0, int((group.timer_ends_at - utcnow()).total_seconds()))
    return {"ends_at": _iso(group.timer_ends_at), "remaining": left}


def shared_block(workshop, phase, role: str, lang: str, fallback: str) -> dict:
    """Return the `groups` snapshot key for one audience (no phone's own group)."""
    round_ = ops.current_round(workshop, phase)
    groups = ops.groups_of(workshop, phase, round_)
    counts = ops.member_counts(workshop, phase, round_)
    block = {
        "phase_id": phase.id,
        "round": _round(phase, round_),
        "assign": phase.settings.assign,
        "writer": phase.settings.writer,
        "timer_per_group": phase.settings.timer_per_group,
        "size_cap": ops.size_cap(phase, round_),
        "server_time": _iso(utcnow()),
    }
    if role == PARTICIPANT:
        block["groups"] = [
            {
                "id": g.id,
                "number": g.number,
                "question": _question(phase, g, lang, fallback),
                "members": counts.get(g.id, 0),
            }
            for g in groups
        ]
        block["mine"] = None
        return block
    notes = ops.notes_of([g.id for g in groups])
    block["groups"] = [
        {
            "id": g.id,
            "number": g.number,
            "question": _question(phase, g, lang, fallback),
            "members": counts.get(g.id, 0),
            "has_writer": g.writer_id is not None,
            "timer": _timer(g),
            "notes": [ops.note_dict(n, g) for n in notes[g.id]],
        }
        for g in groups
    ]
    if role == FACILITATOR:
        block["unplaced"] = ops.unplaced_count(workshop, phase, round_)
    return block


def my_block(workshop, phase, participant, lang: str, fallback: str | None = None) -> dict | None:
    """Return a phone's own group: its wall (own notes marked), writer and timer."""
    fallback = fallback or workshop.language
    round_ = ops.current_round(workshop, phase)
    group = ops.my_group(workshop, phase, participant, round_)
    if group is None:
        return None
    members = ops.member_counts(workshop, phase, round_).get(group.id, 0)
    notes = ops.notes_of([group.id])[group.id]
    if group.writer_id is None:
        writer = None
    else:
        writer = "me" if group.writer_id == participant.id else "other"
    return {
        "id": group.id,
        "number": group.number,
        "question": _question(phase, group, lang, fallback),
        "members": members,
        "writer": writer,
        "timer": _timer(group),
        "notes": [
            {**ops.note_dict(n, group), "is_mine": n.participant_id == participant.id}
            for n in notes
        ],
    }
