"""Teams: the facilitator's team pages, the member board behind the team link, and the
team API under /api/v1/teams (docs/api.md, "Teams"). Operations: facilitator/teams.py.
"""

from __future__ import annotations

import base64
import io
from typing import Annotated

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .. import operations as ops
from .. import realtime
from .. import teams as teams_ops
from ..catalog import available_models
from ..errors import OperationError, error_dict
from ..extensions import csrf, db
from ..joinurl import join_base
from ..models import ActionStatus, Workshop
from ..text import clean_input
from ..workshop_models import localize
from . import api
from .api import ApiError, IsoDate, Long, Short, body, unit_of_work

bp = Blueprint("teams", __name__)
api_bp = Blueprint("teams_api", __name__, url_prefix="/api/v1/teams")
csrf.exempt(api_bp)
api_bp.before_request(api.authenticate)

# Error codes of this module that are not state conflicts.
TEAM_STATUS = {"owner_only": 403, "no_account": 404, "link_revoked": 404}


def register(app: Flask) -> None:
    """Register the team pages and the team API."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    # The roll-up's read-only links for managers (/r/<secret>, views/rollup_pages.py).
    from .rollup_pages import manager_bp

    app.register_blueprint(manager_bp)


# --- shared helpers ------------------------------------------------------------------


def link_url(secret: str) -> str:
    """Return the team link members open on a phone."""
    return f"{join_base().base}/t/{secret}"


def qr_svg(text: str) -> str:
    """Return a QR code of the text as SVG markup (like the session's join QR)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def qr_data_uri(text: str) -> str:
    """Return the QR code as a data: URI for an <img> (the CSP allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text).encode()).decode()


def _filters(args) -> tuple[str | None, str | None, int | None]:
    """Return the board filters of a query string; anything unknown is refused."""
    status = args.get("status") or None
    kind = args.get("kind") or None
    session = args.get("session") or None
    if status is not None and status not in teams_ops.STATUSES:
        raise ApiError(422, "invalid")
    if kind is not None and kind not in teams_ops.KINDS:
        raise ApiError(422, "invalid")
    if session is not None:
        if not session.isdigit() or not 0 < int(session) < 2**31:
            raise ApiError(422, "invalid")
        session = int(session)
    return status, kind, session


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamBody(_Body):
    name: Short | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None


class ShareBody(_Body):
    email: Annotated[str, StringConstraints(max_length=254)]


Note = Annotated[str, StringConstraints(max_length=5000)]


class MemberUpdate(_Body):
    """What the team link may change: progress only."""

    version: Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
    status: ActionStatus | None = None
    note: Note | None = None


class ItemUpdateBody(MemberUpdate):
    """What a facilitator may change on the board: progress and the item's fields."""

    what: Long | None = None
    who: Long | None = None
    due: IsoDate = None
    first_step: Long | None = None
    follow_up: IsoDate = None
    why: Long | None = None
    how_know: Long | None = None
    learned: Long | None = None
    how_check: Long | None = None


FIELD_NAMES = (
    "what",
    "who",
    "due",
    "first_step",
    "follow_up",
    "why",
    "how_know",
    "learned",
    "how_check",
)


def _item_fields(data: ItemUpdateBody):
    """Return the action fields a facilitator's board update gives, or None."""
    given = frozenset(data.model_fields_set & set(FIELD_NAMES))
    if not given:
        return None
    if "what" in given and data.what is None:
        raise ApiError(422, "invalid")
    return ops.ActionFields(
        **{name: getattr(data, name) for name in FIELD_NAMES},
        given=given,
    )


def _stale_answer(exc: teams_ops.StaleItem, team):
    """Answer a stale update: 409 with the error and the item as it is now."""
    db.session.rollback()
    return {"error": exc.to_dict(), "item": teams_ops.current_item(team, exc.action.id)}, 409


# --- the team API ----------------------------------------------------------------------


@api_bp.errorhandler(ApiError)
def _api_error(exc):
    return api.api_error(exc)


@api_bp.errorhandler(OperationError)
def _operation_error(exc: OperationError):
    db.session.rollback()
    if exc.code in TEAM_STATUS:
        return {"error": exc.to_dict()}, TEAM_STATUS[exc.code]
    return api.operation_error(exc)


@api_bp.errorhandler(Exception)
def _unexpected(exc):
    return api.unexpected_error(exc)


def visible(team_id: int):
    """Return a team the caller owns or shares, or answer 404."""
    team = teams_ops.visible_team(g.api_user, team_id)
    if team is None:
        raise ApiError(404, "not_found")
    return team


def team_summary(team) -> dict:
    """Return a team as the API lists it."""
    data = teams_ops.team_dict(team)
    data["role"] = "owner" if team.owner_id == g.api_user.id else "member"
    return data


@api_bp.get("")
def list_teams():
    """List the teams the caller owns or shares."""
    return {"teams": [team_summary(t) for t in teams_ops.teams_of(g.api_user)]}


@api_bp.post("")
@unit_of_work
def create_team():
    """Make a team."""
    data = body(TeamBody)
    if data.name is None:
        raise ApiError(422, "invalid")
    team = teams_ops.create_team(g.api_user, data.name, data.description or "")
    return {"team": team_summary(team)}, 201


@api_bp.get("/<int:team_id>")
def get_team(team_id: int):
    """Return a team, its members and its sessions."""
    team = visible(team_id)
    return {
        "team": team_summary(team),
        "members": teams_ops.members(team),
        "sessions": [api.session_summary(w) for w in teams_ops.sessions(team)],
    }


@api_bp.patch("/<int:team_id>")
@unit_of_work
def patch_team(team_id: int):
    """Rename a team or change its description (owner)."""
    team = visible(team_id)
    data = body(TeamBody)
    if not data.model_fields_set or any(getattr(data, n) is None for n in data.model_fields_set):
        raise ApiError(422, "invalid")
    teams_ops.update_team(g.api_user, team, data.name, data.description)
    return {"team": team_summary(team)}


@api_bp.delete("/<int:team_id>")
@unit_of_work
def delete_team(team_id: int):
    """Delete a team (owner); its sessions stay, without a team."""
    team = visible(team_id)
    teams_ops.delete_team(g.api_user, team)
    return {"deleted": {"id": team_id}}


@api_bp.post("/<int:team_id>/members")
@unit_of_work
def add_member(team_id: int):
    """Share the team with another facilitator account by e-mail (owner)."""
    team = visible(team_id)
    teams_ops.share(g.api_user, team, body(ShareBody).email)
    return {"members": teams_ops.members(team)}, 201


@api_bp.delete("/<int:team_id>/members/<int:facilitator_id>")
@unit_of_work
def remove_member(team_id: int, facilitator_id: int):
    """Stop sharing with a member (owner; a member may remove themselves)."""
    team = visible(team_id)
    teams_ops.unshare(g.api_user, team, facilitator_id)
    return {"members": teams_ops.members(team)}


@api_bp.post("/<int:team_id>/link")
@unit_of_work
def rotate_link(team_id: int):
    """Make a new team link (the old one stops at once); the secret is shown only here."""
    team = visible(team_id)
    secret = teams_ops.rotate_link(team)
    url = link_url(secret)
    return {"link": {"secret": secret, "url": url, "qr_svg": qr_svg(url)}}, 201


@api_bp.delete("/<int:team_id>/link")
@unit_of_work
def revoke_link(team_id: int):
    """End the team link."""
    teams_ops.revoke_link(visible(team_id))
    return {"ok": True}


@api_bp.get("/<int:team_id>/board")
def get_board(team_id: int):
    """Return the team's agreed items across its sessions (filters: status, kind, session)."""
    team = visible(team_id)
    status, kind, session = _filters(request.args)
    return teams_ops.board(team, status, kind, session)


@api_bp.patch("/<int:team_id>/items/<int:item_id>")
def update_item(team_id: int, item_id: int):
    """Change an item from the version the caller saw; a stale version answers 409."""
    team = visible(team_id)
    data = body(ItemUpdateBody)
    try:
        with realtime.unit_of_work():
            teams_ops.update_item(
                team,
                item_id,
                data.version,
                g.api_user.name,
                status=data.status,
                note=data.note,
                fields=_item_fields(data),
            )
    except teams_ops.StaleItem as exc:
        return _stale_answer(exc, team)
    return {"item": teams_ops.current_item(team, item_id)}


@api_bp.put("/<int:team_id>/sessions/<int:session_id>")
@unit_of_work
def attach_session(team_id: int, session_id: int):
    """Put one of the caller's own sessions under the team."""
    team = visible(team_id)
    workshop = db.session.get(Workshop, session_id)
    if workshop is None or workshop.facilitator_id != g.api_user.id:
        raise ApiError(404, "not_found")
    teams_ops.set_session_team(g.api_user, workshop, team)
    return api.session_summary(workshop)


@api_bp.delete("/<int:team_id>/sessions/<int:session_id>")
@unit_of_work
def detach_session(team_id: int, session_id: int):
    """Take one of the caller's own sessions out of the team."""
    visible(team_id)
    workshop = db.session.get(Workshop, session_id)
    if workshop is None or workshop.team_id != team_id or workshop.facilitator_id != g.api_user.id:
        raise ApiError(404, "not_found")
    teams_ops.set_session_team(g.api_user, workshop, None)
    return api.session_summary(workshop)


# --- pages -----------------------------------------------------------------------------


def _page_team(team_id: int):
    team = teams_ops.visible_team(current_user, team_id)
    if team is None:
        abort(404)
    return team


def _form_text(name: str, max_chars: int) -> str:
    return clean_input(request.form.get(name, ""))[: max_chars + 1]


@bp.route("/teams", methods=["GET", "POST"])
@login_required
def team_list():
    """List the facilitator's teams and make a new one."""
    error = None
    if request.method == "POST":
        try:
            with realtime.unit_of_work():
                team = teams_ops.create_team(
                    current_user,
                    _form_text("name", teams_ops.NAME_MAX),
                    _form_text("description", teams_ops.DESCRIPTION_MAX),
                )
            return redirect(url_for("teams.team_page", team_id=team.id))
        except OperationError as exc:
            error = exc.to_dict()["message"]
    rows = []
    for team in teams_ops.teams_of(current_user):
        progress = teams_ops.board(team)["progress"]
        rows.append({"team": team, "progress": progress, "owner": team.owner_id == current_user.id})
    return render_template("teams/list.html", rows=rows, error=error), 422 if error else 200


def _models_for_select(lang: str) -> list[tuple[str, str]]:
    return [(m.id, localize(m.title, lang)) for m in available_models().values()]


def _render_team(team, new_link: str | None = None, status: int = 200):
    own_free = [
        w
        for w in db.session.scalars(
            db.select(Workshop)
            .filter_by(facilitator_id=current_user.id, team_id=None)
            .order_by(Workshop.created_at.desc())
        )
    ]
    lang = str(current_user.language)
    return render_template(
        "teams/board.html",
        team=team,
        is_owner=team.owner_id == current_user.id,
        members=teams_ops.members(team),
        sessions=teams_ops.sessions(team),
        free_sessions=own_free,
        has_link=teams_ops.has_link(team),
        new_link=new_link,
        new_link_qr=qr_data_uri(new_link) if new_link else None,
        models=_models_for_select(lang),
        series=_series_of(team, lang),
    ), status


def _series_of(team, lang: str) -> list[dict]:
    """The team's series with their numbered sessions (facilitator/series.py)."""
    from .. import series as series_ops

    return [series_ops.series_dict(s, lang) for s in series_ops.of_team(team)]


@bp.get("/teams/<int:team_id>")
@login_required
def team_page(team_id: int):
    """The facilitator's board of a team, with its members, sessions and link."""
    return _render_team(_page_team(team_id))


def _post_action(team, fn, done_message: str):
    """Run a page form's operation as one unit of work; flash its outcome."""
    try:
        with realtime.unit_of_work():
            result = fn()
    except OperationError as exc:
        flash(exc.to_dict()["message"], "error")
        return None
    if done_message:
        flash(done_message, "success")
    return result


@bp.post("/teams/<int:team_id>/link")
@login_required
def page_rotate_link(team_id: int):
    """Make a new team link and show it (and its QR) once."""
    team = _page_team(team_id)
    secret = _post_action(team, lambda: teams_ops.rotate_link(team), "")
    return _render_team(team, new_link=link_url(secret) if secret else None)


@bp.post("/teams/<int:team_id>/link/revoke")
@login_required
def page_revoke_link(team_id: int):
    """End the team link."""
    team = _page_team(team_id)
    _post_action(team, lambda: teams_ops.revoke_link(team), _("The team link no longer works."))
    return redirect(url_for("teams.team_page", team_id=team.id))


@bp.post("/teams/<int:team_id>/share")
@login_required
def page_share(team_id: int):
    """Share the team with another facilitator account."""
    team = _page_team(team_id)
    email = _form_text("email", 254)
    _post_action(team, lambda: teams_ops.share(current_user, team, email), _("Team shared."))
    return redirect(url_for("teams.team_page", team_id=team.id))


@bp.post("/teams/<int:team_id>/members/<int:facilitator_id>/remove")
@login_required
def page_unshare(team_id: int, facilitator_id: int):
    """Stop sharing the team with a member."""
    team = _page_team(team_id)
    _post_action(
        team,
        lambda: teams_ops.unshare(current_user, team, facilitator_id),
        _("No longer shared with that person."),
    )
    if facilitator_id == current_user.id and team.owner_id != current_user.id:
        return redirect(url_for("teams.team_list"))
    return redirect(url_for("teams.team_page", team_id=team.id))


@bp.post("/teams/<int:team_id>/sessions")
@login_required
def page_attach_session(team_id: int):
    """Put one of the facilitator's own sessions under the team."""
    team = _page_team(team_id)
    raw = request.form.get("session_id", "")
    workshop = db.session.get(Workshop, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if workshop is None or workshop.facilitator_id != current_user.id:
        abort(404)
    _post_action(
        team, lambda: teams_ops.set_session_team(current_user, workshop, team), _("Session added.")
    )
    return redirect(url_for("teams.team_page", team_id=team.id))


@bp.post("/teams/<int:team_id>/sessions/new")
@login_required
def page_new_session(team_id: int):
    """Make a new session under the team from a template."""
    team = _page_team(team_id)
    model = available_models().get(request.form.get("model_id", ""))
    title = _form_text("title", 200)
    language = request.form.get("language", "fi")
    if model is None or not title.strip() or len(title) > 200 or language not in ("fi", "sv", "en"):
        flash(_("Please give the session a title and choose a template."), "error")
        return redirect(url_for("teams.team_page", team_id=team.id))
    with realtime.unit_of_work():
        workshop = ops.create_workshop(current_user, model, title, team.name, language)
        workshop.team_id = team.id
        if model.series is not None:
            # A series template starts a new series of the team (series.py); its next
            # sessions are started from the series' own button.
            from .. import series as series_ops

            series_ops.attach(workshop, series_ops.create(team, model, language), model)
    return redirect(url_for("dashboard.control", session_id=workshop.id))


@bp.post("/teams/<int:team_id>/delete")
@login_required
def page_delete(team_id: int):
    """Delete the team (owner); its sessions stay."""
    team = _page_team(team_id)
    done = _post_action(team, lambda: teams_ops.delete_team(current_user, team) or True, "")
    if done:
        flash(_("Team deleted. Its sessions were kept."), "success")
        return redirect(url_for("teams.team_list"))
    return redirect(url_for("teams.team_page", team_id=team_id))


# --- the member board behind the team link --------------------------------------------


def _link_team(secret: str):
    team = teams_ops.team_for_secret(secret)
    if team is None:
        abort(404)
    return team


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/t/<secret>")
def member_board(secret: str):
    """The team's board on a phone, without an account."""
    team = _link_team(secret)
    response = current_app.make_response(render_template("teams/member.html", team=team))
    return _no_store(response)


def _link_error(code: str, status: int):
    return _no_store(current_app.make_response(({"error": error_dict(code)}, status)))


@bp.get("/t/<secret>/board.json")
def member_board_json(secret: str):
    """The board as JSON for the member page."""
    team = teams_ops.team_for_secret(secret)
    if team is None:
        return _link_error("link_revoked", 404)
    return _no_store(current_app.make_response(teams_ops.board(team)))


@bp.post("/t/<secret>/items/<int:item_id>")
def member_update(secret: str, item_id: int):
    """A team member updates an item's progress: status and a short note."""
    team = teams_ops.team_for_secret(secret)
    if team is None:
        return _link_error("link_revoked", 404)
    try:
        data = MemberUpdate.model_validate(request.get_json(silent=True) or {})
    except (ValidationError, RecursionError):
        return _link_error("invalid", 422)
    try:
        with realtime.unit_of_work():
            teams_ops.update_item(
                team, item_id, data.version, "", status=data.status, note=data.note
            )
    except teams_ops.StaleItem as exc:
        return _no_store(current_app.make_response(_stale_answer(exc, team)))
    except OperationError as exc:
        status = 404 if exc.code == "not_found" else 422 if exc.code == "too_long" else 409
        return _no_store(current_app.make_response(({"error": exc.to_dict()}, status)))
    return _no_store(current_app.make_response({"item": teams_ops.current_item(team, item_id)}))


# --- follow-up files: calendar, CSV, XLSX and posters (team_exports.py) -----------------


def _calendar_host() -> str:
    """Return the domain in calendar UIDs: stable, so re-downloads update events."""
    from urllib.parse import urlsplit

    return urlsplit(current_app.config.get("PUBLIC_URL") or "").hostname or "facilitator"


def _download(data: bytes, mimetype: str, filename: str, inline: bool = False):
    response = current_app.response_class(data, content_type=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


ICS_TYPE = "text/calendar; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/teams/<int:team_id>/calendar.ics")
@login_required
def team_calendar(team_id: int):
    """Download the team's calendar: due and follow-up dates of open items."""
    from .. import team_exports

    team = _page_team(team_id)
    data = team_exports.calendar(team, _calendar_host())
    return _download(data, ICS_TYPE, f"team-{team.id}.ics")


@bp.get("/teams/<int:team_id>/items.<any(csv, xlsx):fmt>")
@login_required
def team_items_file(team_id: int, fmt: str):
    """Download the team's items as CSV (Excel in a Finnish locale) or XLSX."""
    from .. import team_exports

    team = _page_team(team_id)
    if fmt == "csv":
        return _download(team_exports.csv_bytes(team), CSV_TYPE, f"team-{team.id}-items.csv")
    return _download(team_exports.xlsx_bytes(team), XLSX_TYPE, f"team-{team.id}-items.xlsx")


def _poster_page(team, link: str | None, template: str):
    from .. import team_exports

    return render_template(
        template,
        team=team,
        poster=team_exports.poster(team),
        link=link,
        link_qr=qr_data_uri(link) if link else None,
    )


@bp.get("/teams/<int:team_id>/poster")
@login_required
def team_poster(team_id: int):
    """The printable staff-room poster; the QR only where the link is known (/t/…/poster)."""
    return _poster_page(_page_team(team_id), None, "teams/poster.html")


@bp.get("/t/<secret>/calendar.ics")
def member_calendar(secret: str):
    """The team's calendar feed behind the team link (subscribe in a calendar app)."""
    from .. import team_exports

    team = teams_ops.team_for_secret(secret)
    if team is None:
        return _link_error("link_revoked", 404)
    data = team_exports.calendar(team, _calendar_host())
    return _no_store(_download(data, ICS_TYPE, f"team-{team.id}.ics", inline=True))


@bp.get("/t/<secret>/poster")
def member_poster(secret: str):
    """The printable staff-room poster with the QR of the team link."""
    team = _link_team(secret)
    page = _poster_page(team, link_url(secret), "teams/poster.html")
    return _no_store(current_app.make_response(page))


@bp.get("/t/<secret>/qr-poster")
def member_qr_poster(secret: str):
    """The printable QR poster of the team link: scan to see our agreed actions."""
    team = _link_team(secret)
    page = _poster_page(team, link_url(secret), "teams/qr_poster.html")
    return _no_store(current_app.make_response(page))
