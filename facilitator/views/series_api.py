"""API routes for series and input before the session (on the `api` blueprint, /api/v1).

See docs/api.md, "Series" and "Input before the session".
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import g

from .. import collecting
from .. import series as series_ops
from ..catalog import available_models
from ..extensions import db
from ..models import Series
from ..teams import visible_team
from .api import ApiError, DbId, Short, _Body, body, bp, owned, session_summary, unit_of_work
from .dashboard import join_url


class CollectingWindow(_Body):
    # ISO 8601 with a time zone, e.g. "2026-12-01T08:00:00+02:00".
    opens_at: datetime
    closes_at: datetime


class NextSession(_Body):
    title: Short = ""
    language: Literal["fi", "sv", "en"] = "fi"
    # A step of the series; null: the suggested next step.
    model_id: Short | None = None


@bp.get("/sessions/<int:session_id>/collecting")
def get_collecting(session_id: int):
    """Return the window, how much came in (ideas, phones) and the message texts."""
    workshop = owned(session_id)
    return collecting.facilitator_dict(workshop, join_url(workshop))


@bp.put("/sessions/<int:session_id>/collecting")
@unit_of_work
def put_collecting(session_id: int):
    """Open input before the session (from `upcoming`) or move its window."""
    workshop = owned(session_id)
    data = body(CollectingWindow)
    if data.opens_at.tzinfo is None or data.closes_at.tzinfo is None:
        raise ApiError(422, "invalid_window")
    collecting.open_window(workshop, data.opens_at, data.closes_at)
    db.session.flush()
    return collecting.facilitator_dict(workshop, join_url(workshop))


@bp.delete("/sessions/<int:session_id>/collecting")
@unit_of_work
def delete_collecting(session_id: int):
    """Stop input before the session: back to `upcoming`, what came in stays."""
    workshop = owned(session_id)
    collecting.stop(workshop)
    db.session.flush()
    return collecting.facilitator_dict(workshop, join_url(workshop))


def _visible_series(series_id: int) -> Series:
    row = db.session.get(Series, series_id)
    if row is None or visible_team(g.api_user, row.team_id) is None:
        raise ApiError(404, "not_found")
    return row


@bp.get("/teams/<int:team_id>/series")
def list_series(team_id: int):
    """Return the team's series with their numbered sessions and the suggested next step."""
    team = visible_team(g.api_user, team_id)
    if team is None:
        raise ApiError(404, "not_found")
    lang = str(g.api_user.language)
    return {"series": [series_ops.series_dict(s, lang) for s in series_ops.of_team(team)]}


@bp.get("/series/<int:series_id>")
def get_series(series_id: int):
    """Return one series."""
    return series_ops.series_dict(_visible_series(series_id), str(g.api_user.language))


@bp.post("/series/<int:series_id>/sessions")
@unit_of_work
def next_session(series_id: int):
    """Make the series' next session (upcoming), numbered after the last one."""
    row = _visible_series(series_id)
    data = body(NextSession)
    model = None
    if data.model_id is not None:
        model = available_models().get(data.model_id)
        if model is None:
            raise ApiError(422, "unknown_model")
    workshop = series_ops.start_next(g.api_user, row, data.language, data.title, model)
    return session_summary(workshop), 201


__all__ = ["DbId"]
