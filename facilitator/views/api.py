"""JSON API under /api/v1 for everything the facilitator UI does.

Authenticated by the login cookie (writes then need the X-CSRFToken header)
or by a personal API token: `Authorization: Bearer fa_...`.
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import date
from typing import Annotated, Literal

from flask import Blueprint, current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import select
from wtforms.validators import ValidationError as CSRFInvalid

from .. import export, prepare, realtime
from .. import operations as ops
from .. import serializers as ser
from ..catalog import available_models
from ..errors import OperationError
from ..extensions import csrf, db
from ..models import ActionStatus, ItemKind, SessionStatus, Workshop
from ..phases import registry
from ..text import clean_input
from ..workshop_models import localize
from .dashboard import copy_title, join_url

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# Every text is cleaned of control characters (text.clean_input) before it is checked.
Clean = BeforeValidator(clean_input)
Short = Annotated[str, Clean, StringConstraints(max_length=200)]
Long = Annotated[str, Clean, StringConstraints(max_length=5000)]
# Row ids are PostgreSQL INTEGERs: anything outside is refused before a query is made.
DbId = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
# Lists of ids: a bulk move is at most a few hundred ideas (see ops for the exact cap).
IdList = Annotated[list[DbId], Field(max_length=10_000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateSession(_Body):
    model_id: Annotated[str, Clean, StringConstraints(max_length=64)]
    title: Short
    team_name: Short = ""
    language: Literal["fi", "sv", "en"] = "fi"
    # A team the caller owns or shares (facilitator/teams.py); null: none.
    team_id: DbId | None = None
    # For a template of a series, with a team: "new" (default) or one of its series.
    series_id: DbId | Literal["new"] = "new"


class SessionPatch(_Body):
    title: Short | None = None
    team_name: Short | None = None


class SessionDuplicate(_Body):
    title: Short | None = None


class PhaseMove(_Body):
    to: Literal["next", "prev"] | Annotated[StrictInt, Field(ge=0, le=100)]


class InputToggle(_Body):
    open: StrictBool


class TimerControl(_Body):
    action: Literal["start", "pause", "extend", "reset"]
    # Only `extend` uses it.
    seconds: Annotated[StrictInt, Field(ge=1, le=3600)] | None = None


class IdeaPatch(_Body):
    hidden: StrictBool | None = None
    theme_id: DbId | None = None


class Merge(_Body):
    into: DbId


class ThemeCreate(_Body):
    title: Long
    phase_id: Annotated[str, Clean, StringConstraints(max_length=64)]
    # Optional: ideas to put under the new theme at once (see AssignIdeas for limits).
    idea_ids: IdList | None = None


class AssignIdeas(_Body):
    idea_ids: IdList
    theme_id: DbId | None


class ThemeRename(_Body):
    title: Long


def _iso_date(value):
    """Accept only a YYYY-MM-DD string (or null) for a date field."""
    if value is not None and not (
        isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError("date must be YYYY-MM-DD")
    return value


IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]


# An idea or theme by key, as the snapshot names them: "idea:12", "theme:3".
ItemKey = Annotated[
    str, StringConstraints(max_length=40, pattern=r"^(idea|theme):[1-9][0-9]{0,9}$")
]


class ActionBody(_Body):
    client_id: (
        Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
        | None
    ) = None
    what: Long | None = None
    who: Long = ""
    due: IsoDate = None
    first_step: Long = ""
    follow_up: IsoDate = None
    status: ActionStatus | None = None
    # The item the action was agreed from: "idea:12", "theme:3" (null: none).
    source_item: ItemKey | None = None
    # An action (default), an experiment or a ground rule, and the other kinds' fields.
    item_kind: ItemKind | None = None
    why: Long | None = None
    how_know: Long | None = None
    learned: Long | None = None
    how_check: Long | None = None


class ApiError(Exception):
    """An HTTP error with a stable code and translated message."""

    def __init__(self, status: int, code: str, **params):
        self.status, self.code, self.params = status, code, params


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    """Answer with `{"error": {code, message}}`."""
    from ..errors import error_dict

    return {"error": error_dict(exc.code, **exc.params)}, exc.status


HTTP_ERROR_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    413: "too_large",
    429: "rate_limited",
}


@bp.errorhandler(Exception)
def unexpected_error(exc: Exception):
    """Answer an unexpected failure with `server_error` and an error id, never a traceback.

    The log line carries the same id, the path's endpoint and where the code failed,
    but not the request body or the exception's message (it can quote stored text).
    """
    from werkzeug.exceptions import HTTPException

    from ..errors import error_dict, new_error_id
    from ..logs import short_traceback, tally

    if isinstance(exc, HTTPException):
        # The same JSON answer the app-wide handler gives (this one sees them first).
        status = exc.code or 500
        code = HTTP_ERROR_CODES.get(status, "server_error" if status >= 500 else "invalid")
        return {"error": error_dict(code)}, status
    db.session.rollback()
    error_id = new_error_id()
    if tally.allow("unexpected API errors"):
        log.error("API %s failed [error %s]: %s", request.endpoint, error_id, short_traceback(exc))
    return {"error": error_dict("server_error", error_id=error_id)}, 500


STATUS_FOR = {
    "not_found": 404,
    "session_not_found": 404,
    "forbidden": 403,
    "unauthorized": 401,
    "unknown_model": 422,
    "empty_selection": 422,
    "selection_too_large": 422,
    "not_groupable": 422,
    "item_kind_not_allowed": 422,
    "invalid_window": 422,
    "not_in_series": 422,
}


@bp.errorhandler(OperationError)
def operation_error(exc: OperationError):
    """Answer a refused operation: 404 for missing things, 409 for state conflicts."""
    db.session.rollback()
    status = STATUS_FOR.get(exc.code, 422 if exc.code in ("invalid", "empty", "too_long") else 409)
    return {"error": exc.to_dict()}, status


@bp.before_request
def authenticate():
    """Accept a personal API token, or the login cookie with a CSRF header for writes."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        # Its own small unit of work: the token's last use is stored even on a read.
        with realtime.unit_of_work():
            user = ops.facilitator_for_token(header[7:].strip())
        if user is None:
            raise ApiError(401, "unauthorized")
        g.api_user = user
        return
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthorized")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except CSRFInvalid:
            raise ApiError(403, "csrf_failed") from None
    g.api_user = current_user._get_current_object()


def body(model: type[BaseModel]):
    """Return the validated JSON body, or answer 422 `invalid`."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        # Deeply nested JSON: refused as cheaply as the parser gives up.
        raise ApiError(422, "invalid") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid")
    try:
        return model.model_validate(data)
    except RecursionError:
        raise ApiError(422, "invalid") from None
    except ValidationError as exc:
        fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        if fields and fields <= {"due", "follow_up"}:
            raise ApiError(422, "bad_date") from None
        raise ApiError(422, "invalid") from None


def unit_of_work(view):
    """Run a write as one unit of work: the operations queue, one commit, then publish.

    The answer is returned only after the commit, so nothing is acknowledged or sent
    that is not stored; a refused operation rolls back everything it changed.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with realtime.unit_of_work():
            return view(*args, **kwargs)

    return wrapper


def session_write(rule: str, method: str = "POST", endpoint: str | None = None):
    """Register a write on one of the caller's sessions (`/sessions/<id>` + `rule`).

    The view gets the session (`owned`: 404 unless the caller may run it) instead of
    its id, and runs as one unit of work.
    """

    def decorate(view):
        @functools.wraps(view)
        def route(session_id: int, **kwargs):
            return view(owned(session_id), **kwargs)

        bp.add_url_rule(
            "/sessions/<int:session_id>" + rule,
            endpoint or view.__name__,
            unit_of_work(route),
            methods=[method],
        )
        return view

    return decorate


def owned(session_id: int) -> Workshop:
    """Return the caller's session (or one of a team shared with the caller) or answer 404."""
    from ..teams import can_run

    workshop = db.session.get(Workshop, session_id)
    if workshop is None or not can_run(g.api_user, workshop):
        raise ApiError(404, "not_found")
    return workshop


def series_label(workshop: Workshop):
    """Return a session's series and number, or None."""
    from .. import series

    return series.label(workshop)


def session_summary(workshop: Workshop) -> dict:
    """Return the short description of a session used in lists."""
    return {
        "id": workshop.id,
        "title": workshop.title,
        "team": workshop.team_name,
        "team_id": workshop.team_id,
        "language": workshop.language,
        "status": workshop.status.value,
        "join_code": workshop.join_code,
        "join_url": join_url(workshop),
        "template": workshop.model_id,
        "created_at": ser.iso(workshop.created_at),
        # Its series and number (series.py), null without one.
        "series": series_label(workshop),
    }


def facilitator_state(workshop: Workshop) -> dict:
    """Return the facilitator snapshot of a session."""
    return ser.snapshot(
        workshop,
        ser.FACILITATOR,
        join_url=join_url(workshop),
        online=realtime.online_count(workshop.id),
    )


# --- sessions -----------------------------------------------------------------


@bp.get("/models")
def list_models():
    """List the workshop templates."""
    lang = request.args.get("lang", "fi")
    return {
        "models": [
            {
                "id": m.id,
                "version": m.version,
                "title": localize(m.title, lang),
                "duration_minutes": m.duration_minutes,
                "phases": [{"id": p.id, "kind": p.kind.value} for p in m.phases],
            }
            for m in available_models().values()
        ]
    }


@bp.get("/sessions")
def list_sessions():
    """List the caller's sessions, optionally by status."""
    query = select(Workshop).filter_by(facilitator_id=g.api_user.id).order_by(Workshop.id.desc())
    status = request.args.get("status")
    if status:
        try:
            query = query.filter_by(status=SessionStatus(status))
        except ValueError:
            raise ApiError(422, "invalid") from None
    return {"sessions": [session_summary(w) for w in db.session.scalars(query)]}


@bp.post("/sessions")
@unit_of_work
def create_session():
    """Create a session from a template (and put it in a team): one transaction."""
    data = body(CreateSession)
    model = available_models().get(data.model_id)
    if model is None:
        raise ApiError(422, "unknown_model")
    team = None
    if data.team_id is not None:
        from .. import teams

        team = teams.visible_team(g.api_user, data.team_id)
        if team is None:
            raise ApiError(404, "not_found")
    workshop = ops.create_workshop(g.api_user, model, data.title, data.team_name, data.language)
    if team is not None:
        workshop.team_id = team.id
        if not workshop.team_name:
            workshop.team_name = team.name[:200]
        if model.series is not None:
            # A session of a series template under a team is numbered into a series.
            from .. import series
            from ..models import Series

            chosen = None
            if data.series_id != "new":
                chosen = db.session.get(Series, data.series_id)
                if chosen is None or chosen.team_id != team.id:
                    raise ApiError(404, "not_found")
            series.attach(workshop, chosen or series.create(team, model, data.language), model)
    return session_summary(workshop), 201


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int):
    """Return the facilitator's full view of a session."""
    return facilitator_state(owned(session_id))


@session_write("", "PATCH")
def patch_session(workshop: Workshop):
    """Rename a session: its title, its team name or both."""
    data = body(SessionPatch)
    fields = data.model_fields_set
    if not fields or any(getattr(data, name) is None for name in fields):
        raise ApiError(422, "invalid")
    ops.rename_workshop(
        workshop,
        data.title if data.title is not None else workshop.title,
        data.team_name if "team_name" in fields else None,
    )
    return session_summary(workshop)


@session_write("/duplicate")
def duplicate_session(workshop: Workshop):
    """Make a new upcoming session from the same template snapshot and settings."""
    data = body(SessionDuplicate) if request.get_data() else SessionDuplicate()
    title = data.title if data.title is not None else copy_title(workshop.title)
    return session_summary(ops.duplicate_workshop(workshop, title)), 201


@session_write("", "DELETE")
def delete_session(workshop: Workshop):
    """Delete a session and everything in it; its screens are told it is gone."""
    if workshop.facilitator_id != g.api_user.id:
        # A shared team's member runs its sessions but deletes only their own.
        raise ApiError(404, "not_found")
    counts = ops.workshop_content_counts(workshop)
    workshop_id = workshop.id
    ops.delete_workshop(workshop)
    return {"deleted": {"id": workshop_id, **counts}}


# Status and phase changes: endpoint and path -> the operation and what it takes from
# the body. Each answers the facilitator's new state; the operation queues the `phase`
# event (and, for the input switch in a vote, the reveal of its results).
STATE_CHANGES = {
    "start": ("start_workshop", None),
    "close": ("close_workshop", None),
    "reopen": ("reopen_workshop", None),
    "phase": ("move_phase", lambda: body(PhaseMove).to),
    "input": ("set_input_open", lambda: body(InputToggle).open),
}


def _state_change(name: str, operation: str, argument):
    """Register `POST /sessions/<id>/<name>` for one status or phase change."""

    def change(workshop: Workshop):
        args = () if argument is None else (argument(),)
        getattr(ops, operation)(workshop, *args)
        return facilitator_state(workshop)

    change.__doc__ = f"Run operations.{operation} on the session; answer its new state."
    session_write(f"/{name}", endpoint="input_toggle" if name == "input" else name)(change)


for _name, (_operation, _argument) in STATE_CHANGES.items():
    _state_change(_name, _operation, _argument)


@session_write("/timer")
def timer(workshop: Workshop):
    """Start, pause, extend or reset the timer."""
    data = body(TimerControl)
    ops.control_timer(workshop, data.action, data.seconds or 60)
    return {"timer": ser.timer_dict(workshop)}


# --- preparing a session (facilitator/prepare.py) ------------------------------

PrepareKey = Annotated[str, StringConstraints(max_length=140)]
PrepareText = Annotated[str, StringConstraints(max_length=20_000)]


class PrepareBody(_Body):
    # Text per field key; list fields take a list of lines (or one text, a line per item).
    fields: Annotated[
        dict[PrepareKey, PrepareText | Annotated[list[PrepareText], Field(max_length=500)]],
        Field(max_length=200),
    ]


def prepare_state(workshop: Workshop) -> dict:
    """Return the session's preparable fields and whether they can still be changed."""
    return {
        "editable": prepare.editable(workshop),
        "status": workshop.status.value,
        "language": workshop.language,
        "fields": prepare.fields(workshop),
    }


@bp.get("/sessions/<int:session_id>/prepare")
def get_prepare(session_id: int):
    """Return the fields the facilitator may fill in before the session starts."""
    return prepare_state(owned(session_id))


@bp.put("/sessions/<int:session_id>/prepare")
def put_prepare(session_id: int):
    """Set preparable fields of an upcoming session; 422 names the field of each problem."""
    workshop = owned(session_id)
    data = body(PrepareBody)
    try:
        with realtime.unit_of_work():
            prepare.apply(workshop, data.fields)
    except prepare.PrepareError as exc:
        return {"error": exc.to_dict()}, 422
    realtime.publish_phase(workshop)
    return prepare_state(workshop)


@bp.get("/sessions/<int:session_id>/copy-lines")
def copy_lines(session_id: int):
    """Return an own session's agreed actions, themes or statements as lines to copy."""
    workshop = owned(session_id)
    source = request.args.get("source", "")
    lang = request.args.get("lang") or workshop.language
    if source not in prepare.COPY_SOURCES or lang not in ("fi", "sv", "en"):
        raise ApiError(422, "invalid")
    return {"source": source, "lines": prepare.copy_lines(workshop, source, lang)}


# --- moderation ---------------------------------------------------------------


@session_write("/ideas/<int:idea_id>", "PATCH")
def patch_idea(workshop: Workshop, idea_id: int):
    """Hide or show an idea, or put it under a theme."""
    data = body(IdeaPatch)
    fields = data.model_fields_set
    if not fields:
        raise ApiError(422, "invalid")
    if "hidden" in fields and data.hidden is None:
        raise ApiError(422, "invalid")
    idea = ops.moderate_idea(
        workshop,
        idea_id,
        hidden=data.hidden,
        theme_id=data.theme_id if "theme_id" in fields else ops.UNCHANGED,
    )
    return {"idea": ser.idea_dict(idea, ser.FACILITATOR)}


@session_write("/ideas/<int:idea_id>/merge")
def merge_idea(workshop: Workshop, idea_id: int):
    """Merge an idea into another."""
    idea, target = ops.merge_ideas(workshop, idea_id, body(Merge).into)
    return {
        "idea": ser.idea_dict(idea, ser.FACILITATOR),
        "into": ser.idea_dict(target, ser.FACILITATOR),
    }


@session_write("/themes")
def create_theme(workshop: Workshop):
    """Create a theme in a group phase."""
    data = body(ThemeCreate)
    if data.idea_ids is not None:
        theme, ideas = ops.add_theme_with_ideas(workshop, data.phase_id, data.title, data.idea_ids)
        return {
            "theme": ser.theme_dict(theme),
            "ideas": [ser.idea_dict(i, ser.FACILITATOR) for i in ideas],
        }, 201
    theme = ops.add_theme(workshop, data.phase_id, data.title)
    return {"theme": ser.theme_dict(theme)}, 201


@session_write("/ideas/theme")
def assign_ideas(workshop: Workshop):
    """Put several ideas under one theme (or none) at once: one commit, one publish."""
    data = body(AssignIdeas)
    theme, ideas = ops.assign_ideas(workshop, data.idea_ids, data.theme_id)
    return {
        "theme": ser.theme_dict(theme) if theme is not None else None,
        "ideas": [ser.idea_dict(i, ser.FACILITATOR) for i in ideas],
    }


@session_write("/themes/<int:theme_id>", "PATCH")
def rename_theme(workshop: Workshop, theme_id: int):
    """Rename a theme."""
    theme = ops.rename_theme(workshop, theme_id, body(ThemeRename).title)
    return {"theme": ser.theme_dict(theme)}


@session_write("/themes/<int:theme_id>", "DELETE")
def delete_theme(workshop: Workshop, theme_id: int):
    """Delete a theme; its ideas become ungrouped."""
    ops.delete_theme(workshop, theme_id)
    return {"ok": True}


# --- agreed actions -------------------------------------------------------------


def _fields(data: ActionBody) -> ops.ActionFields:
    """Return action fields from a validated body, remembering which were given."""
    return ops.ActionFields(
        what=data.what,
        who=data.who,
        due=data.due,
        first_step=data.first_step,
        follow_up=data.follow_up,
        status=data.status,
        source_item=data.source_item,
        item_kind=data.item_kind,
        why=data.why,
        how_know=data.how_know,
        learned=data.learned,
        how_check=data.how_check,
        given=frozenset(data.model_fields_set - {"client_id"}),
    )


@session_write("/actions")
def create_action(workshop: Workshop):
    """Record an agreed action (idempotent by client_id)."""
    data = body(ActionBody)
    if data.client_id is None or data.what is None:
        raise ApiError(422, "invalid")
    # A retry is answered like the first time but not published again.
    result = ops.add_action(workshop, data.client_id, _fields(data))
    return {"action": ser.action_dict(result.action)}, 201


@session_write("/actions/<int:action_id>", "PATCH")
def update_action(workshop: Workshop, action_id: int):
    """Change an agreed action."""
    action = ops.update_action(workshop, action_id, _fields(body(ActionBody)))
    return {"action": ser.action_dict(action)}


@session_write("/actions/<int:action_id>", "DELETE")
def delete_action(workshop: Workshop, action_id: int):
    """Delete an agreed action."""
    ops.delete_action(workshop, action_id)
    return {"ok": True}


# --- exports ------------------------------------------------------------------


@bp.get("/sessions/<int:session_id>/export.json")
def export_json(session_id: int):
    """Return the session summary as JSON."""
    return current_app.json.response(export.summary(owned(session_id)))


@bp.get("/sessions/<int:session_id>/export.md")
def export_md(session_id: int):
    """Return the session summary as Markdown."""
    text = export.markdown(owned(session_id))
    return text, 200, {"Content-Type": "text/markdown; charset=utf-8"}


# Each phase kind's own facilitator routes (small groups: form, move, round, writer).
registry.register_api(bp)

# Series and input before the session (facilitator/views/series_api.py).
from . import series_api  # noqa: E402, F401
