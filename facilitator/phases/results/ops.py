"""The focus vote of a results phase: each phone chooses up to `focus_votes` statements.

Operations change rows and queue what to publish; the edge commits once.
Table: `qwl_focus_vote` (qwl/tables.py), one row per phone, phase and statement.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ... import operations as core
from ...errors import OperationError
from ...extensions import db
from ...models import Participant, Workshop
from ...qwl import store
from ...qwl.tables import QwlFocusVote
from ...workshop_models import localize
from ..answers import set_answer, threshold  # noqa: F401  (threshold: view.py)
from ..base import publication

KIND = "results"
_HELPER = re.compile(r"^\s*([A-Za-z0-9._*-]{1,32})\s*:\s*(.+)$")


def helper_questions(phase, lang: str, fallback: str = "fi") -> dict:
    """Return the phase's helper questions: `{"general": [...], "by_statement": {id: [...]}}`.

    A line `<statement id>: <question>` belongs to that statement; `*: <question>` and a
    line without an id prefix belong to every statement.
    """
    general: list[str] = []
    by_statement: dict[str, list[str]] = {}
    for line in phase.settings.helper_questions:
        text = localize(line, lang, fallback)
        match = _HELPER.match(text)
        if match and match[1] != "*":
            by_statement.setdefault(match[1], []).append(match[2].strip())
        else:
            general.append(match[2].strip() if match else text.strip())
    return {"general": general, "by_statement": by_statement}


def my_focus(participant: Participant, phase_id: str) -> list[str]:
    """Return the statements this phone chose in a results phase."""
    rows = db.session.scalars(
        select(QwlFocusVote.statement_id)
        .filter_by(participant_id=participant.id, phase_id=phase_id)
        .order_by(QwlFocusVote.id)
    )
    return list(rows)


def set_focus(workshop: Workshop, participant: Participant, statements: list[str]) -> list[str]:
    """Set the phone's focus statements (the whole choice; [] clears it)."""
    phase = core._require_input(workshop, KIND)
    limit = phase.settings.focus_votes
    if limit == 0:
        raise OperationError("wrong_phase")
    if len(set(statements)) != len(statements):
        raise OperationError("invalid")
    if len(statements) > limit:
        raise OperationError("too_many_choices", max=limit)
    known = store.statement_texts(workshop)
    if any(s not in known for s in statements):
        raise OperationError("not_found")
    before = my_focus(participant, phase.id)
    # In the phone's order, so a new choice is stored (and answered) as it was made.
    for statement_id in [*statements, *(s for s in before if s not in statements)]:
        key = {"participant_id": participant.id, "phase_id": phase.id, "statement_id": statement_id}
        values = {} if statement_id in statements else None
        if not set_answer(QwlFocusVote, key, values, workshop_id=workshop.id):
            # Another socket of the same phone chose at the same moment: set it again.
            return set_focus(workshop, participant, statements)
    publication().mark(workshop.id, KIND)
    return my_focus(participant, phase.id)


def tally(workshop: Workshop, phase) -> dict:
    """Return `{counts: {statement id: n}, voters: n}`; counts are None below the threshold."""
    rows = db.session.execute(
        select(QwlFocusVote.statement_id, func.count(QwlFocusVote.id))
        .where(QwlFocusVote.workshop_id == workshop.id, QwlFocusVote.phase_id == phase.id)
        .group_by(QwlFocusVote.statement_id)
    ).all()
    voters = db.session.scalar(
        select(
            func.count(func.distinct(func.coalesce(QwlFocusVote.participant_id, -QwlFocusVote.id)))
        ).where(QwlFocusVote.workshop_id == workshop.id, QwlFocusVote.phase_id == phase.id)
    )
    counts = {statement_id: n for statement_id, n in rows}
    return {"counts": counts if voters >= threshold(phase) else None, "voters": voters or 0}


def chosen(workshop: Workshop, phase, top: int | None) -> list[dict]:
    """Return the focus statements: most chosen first (ties: weakest first), at most `top`.

    Items are `{key: "statement:<id>", title, count}`; nothing below the threshold.
    """
    result = tally(workshop, phase)
    counts = result["counts"]
    if not counts:
        return []
    summary = store.summary(workshop)
    scores = {}
    texts = {}
    for group in summary["dimensions"] if summary else []:
        for st in group["statements"]:
            if not st["hidden"]:
                scores[st["id"]], texts[st["id"]] = st["score"], st["text"]
    ranked = sorted(
        (sid for sid, n in counts.items() if n > 0 and sid in texts),
        key=lambda sid: (-counts[sid], scores[sid]),
    )
    return [
        {"key": f"statement:{sid}", "title": texts[sid], "count": counts[sid]}
        for sid in ranked[: top or 3]
    ]
