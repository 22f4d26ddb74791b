"""Storing and reading QWL rounds: a session's rounds are its team's (else its own).

Operations never commit: the edge (the API's unit of work) commits once, then
publishes `results.imported`, after which every screen re-reads its snapshot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import OperationError
from ..extensions import db
from ..models import Workshop
from ..phases.base import publication
from .parse import MIN_ANSWERS, ParsedRound
from .tables import QwlRound, QwlStatement

__all__ = [
    "MIN_ANSWERS",
    "delete_round",
    "rounds",
    "save_round",
    "scope_of",
    "summary",
]


def scope_of(workshop: Workshop) -> str:
    """Return whose rounds a session sees: its team's, or its own without a team."""
    return f"team:{workshop.team_id}" if workshop.team_id else f"session:{workshop.id}"


def rounds(workshop: Workshop) -> list[QwlRound]:
    """Return the session's rounds, oldest first (by date where known, else by import)."""
    rows = db.session.scalars(select(QwlRound).filter_by(scope=scope_of(workshop))).all()
    return sorted(rows, key=lambda r: (r.measured_on or r.created_at.date(), r.id))


def save_round(workshop: Workshop, parsed: ParsedRound, source: str) -> QwlRound:
    """Store a parsed round for the session's team (replacing a round of the same label)."""
    scope = scope_of(workshop)
    old = db.session.scalars(select(QwlRound).filter_by(scope=scope, label=parsed.label)).first()
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    row = QwlRound(
        scope=scope,
        team_id=workshop.team_id,
        # A team's round is the team's: deleting the session it was imported in keeps it.
        workshop_id=None if workshop.team_id else workshop.id,
        unit=parsed.unit,
        label=parsed.label,
        measured_on=parsed.measured_on,
        index_pct=parsed.index,
        answers=parsed.answers,
        source=source,
    )
    for position, st in enumerate(parsed.statements):
        hidden = st.answers < MIN_ANSWERS
        row.statements.append(
            QwlStatement(
                position=position,
                statement_id=st.id,
                dimension=st.dimension,
                text=st.text,
                score=None if hidden else st.score,
                previous=None if hidden else st.previous,
                answers=st.answers,
            )
        )
    db.session.add(row)
    db.session.flush()
    publication().emit(workshop.id, "results.imported", {"round": row.label})
    return row


def delete_round(workshop: Workshop, round_id: int) -> None:
    """Remove one of the session's rounds."""
    row = db.session.get(QwlRound, round_id)
    if row is None or row.scope != scope_of(workshop):
        raise OperationError("not_found")
    label = row.label
    db.session.delete(row)
    db.session.flush()
    publication().emit(workshop.id, "results.imported", {"round": label})


def _one(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summary(workshop: Workshop) -> dict[str, Any] | None:
    """Return what the screens and exports show: the latest round with its trend.

    `trend` is every round's index, oldest first. Each statement's `change` is its score
    minus the previous one (the file's previous score, else the earlier round's).
    Statements with fewer than MIN_ANSWERS answers carry no score, previous or change.
    Within a dimension statements are sorted weakest first; dimensions keep the file's
    order. None when the session has no rounds.
    """
    all_rounds = rounds(workshop)
    if not all_rounds:
        return None
    current = all_rounds[-1]
    earlier = all_rounds[-2] if len(all_rounds) > 1 else None
    before = {s.statement_id: s.score for s in earlier.statements} if earlier else {}
    dimensions: dict[str, list[dict]] = {}
    hidden = 0
    for st in current.statements:
        if st.score is None:
            hidden += 1
            item = {"id": st.statement_id, "text": st.text, "hidden": True}
            item.update(score=None, previous=None, change=None)
        else:
            previous = st.previous if st.previous is not None else before.get(st.statement_id)
            change = None if previous is None else st.score - previous
            item = {
                "id": st.statement_id,
                "text": st.text,
                "hidden": False,
                "score": _one(st.score),
                "previous": _one(previous),
                "change": _one(change),
            }
        dimensions.setdefault(st.dimension, []).append(item)
    groups = []
    for name, items in dimensions.items():
        items.sort(key=lambda i: (i["hidden"], i["score"] if i["score"] is not None else 0))
        groups.append({"name": name, "statements": items})
    index_change = None if earlier is None else _one(current.index_pct - earlier.index_pct)
    return {
        "unit": current.unit,
        "round": current.label,
        "index": _one(current.index_pct),
        "index_change": index_change,
        "answers": current.answers,
        "trend": [{"round": r.label, "index": _one(r.index_pct)} for r in all_rounds],
        "dimensions": groups,
        "hidden": hidden,
        "min_answers": MIN_ANSWERS,
    }


def statement_texts(workshop: Workshop) -> dict[str, str]:
    """Return the latest round's statement texts by id (shown ones only)."""
    all_rounds = rounds(workshop)
    if not all_rounds:
        return {}
    return {s.statement_id: s.text for s in all_rounds[-1].statements if s.score is not None}


def rounds_list(workshop: Workshop) -> list[dict[str, Any]]:
    """Return the session's rounds for the control view and the API, oldest first."""
    return [
        {
            "id": r.id,
            "unit": r.unit,
            "round": r.label,
            "measured_on": r.measured_on.isoformat() if r.measured_on else None,
            "index": _one(r.index_pct),
            "answers": r.answers,
            "statements": len(r.statements),
            "hidden": sum(1 for s in r.statements if s.score is None),
            "source": r.source,
        }
        for r in rounds(workshop)
    ]
