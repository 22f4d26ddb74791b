"""The roll-up pages (on the dashboard blueprint; facilitator/rollup.py builds them).

- `GET /rollup`: choose sessions of one template run in several units; with
  `?s=<id>&s=<id>…` the compilation page.
- `GET /rollup.<json|md|xlsx>?s=<id>&s=<id>…`: the compilation as a file.
- `POST /rollup/links` (form: `s`…, `name`): a read-only link for a manager, shown once;
  `POST /rollup/links/<id>/revoke` ends it.
- `manager_bp` (no account): `GET /r/<secret>` the compilation, read-only;
  `GET /r/<secret>.<json|md|xlsx>` the files. A revoked link answers 404 at once.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from .. import realtime, rollup
from ..errors import OperationError, error_dict
from ..i18n import select_locale
from ..joinurl import join_base
from ..text import clean_input
from .dashboard import bp

manager_bp = Blueprint("rollup_link", __name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Refused(Exception):
    def __init__(self, code: str, status: int, **params):
        super().__init__(code)
        self.code, self.status, self.params = code, status, params


def _chosen_ids() -> list[int]:
    return _ids_from(request.args.getlist("s"))


def _compile(ids: list[int], lang: str) -> dict:
    try:
        workshops = rollup.choose(current_user, ids)
    except OperationError as exc:
        status = 404 if exc.code == "not_found" else 422
        raise _Refused(exc.code, status, **exc.params) from None
    return rollup.compile_units(workshops, lang)


def _ids_from(values: list[str]) -> list[int]:
    if len(values) > rollup.MAX_UNITS * 2:
        raise _Refused("rollup_too_many", 422, max=rollup.MAX_UNITS)
    if any(not v.isdigit() or len(v) > 9 for v in values):
        raise _Refused("invalid", 422)
    return [int(v) for v in values]


def _render(ids: list[int], new_link: str | None = None):
    lang = select_locale()
    data, error, status = None, None, 200
    try:
        if ids:
            data = _compile(ids, lang)
    except _Refused as exc:
        error, status = error_dict(exc.code, **exc.params)["message"], exc.status
    query = "&".join(f"s={i}" for i in ids)
    return render_template(
        "dashboard/rollup.html",
        groups=rollup.candidates(current_user, lang),
        chosen=set(ids),
        r=rollup.report(data, lang) if data else None,
        query=query,
        error=error,
        links=rollup.links_of(current_user),
        new_link=new_link,
    ), status


@bp.get("/rollup")
def rollup_page():
    """Choose sessions to compile, or show the compilation of the chosen ones."""
    try:
        ids = _chosen_ids()
    except _Refused as exc:
        page, _status = _render([])
        return page, exc.status
    return _render(ids)


@bp.post("/rollup/links")
def rollup_make_link():
    """Make a read-only link to the compilation of the chosen sessions (shown once)."""
    try:
        ids = _ids_from(request.form.getlist("s"))
        workshops = rollup.choose(current_user, ids)
    except _Refused as exc:
        page, _status = _render([])
        return page, exc.status
    except OperationError as exc:
        return _render(ids)[0], 404 if exc.code == "not_found" else 422
    name = clean_input(request.form.get("name", ""))[: rollup.LINK_NAME_MAX + 1]
    try:
        with realtime.unit_of_work():
            _link, secret = rollup.make_link(current_user, workshops, name)
    except OperationError as exc:
        flash(exc.to_dict()["message"], "error")
        return redirect(url_for("dashboard.rollup_page") + "?" + "&".join(f"s={i}" for i in ids))
    return _render(ids, new_link=f"{join_base().base}/r/{secret}")


@bp.post("/rollup/links/<int:link_id>/revoke")
def rollup_revoke_link(link_id: int):
    """End one of the facilitator's read-only links at once."""
    try:
        with realtime.unit_of_work():
            rollup.revoke_link(current_user, link_id)
    except OperationError:
        abort(404)
    flash(gettext("The link no longer works."), "success")
    return redirect(url_for("dashboard.rollup_page"))


@bp.get("/rollup.<any(json, md, xlsx):fmt>")
def rollup_file(fmt: str):
    """Download the compilation of the chosen sessions."""
    lang = select_locale()
    try:
        data = _compile(_chosen_ids(), lang)
    except _Refused as exc:
        return {"error": error_dict(exc.code, **exc.params)}, exc.status
    return _file(data, fmt, lang)


def _file(data: dict, fmt: str, lang: str):
    if fmt == "json":
        response = current_app.json.response(data)
    elif fmt == "md":
        response = current_app.response_class(
            rollup.markdown(data, lang), content_type="text/markdown; charset=utf-8"
        )
    else:
        response = current_app.response_class(rollup.xlsx_bytes(data, lang), content_type=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="rollup.{fmt}"'
    return response


# --- the manager's read-only link (no account) -------------------------------------------------


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _link_data(secret: str, lang: str) -> dict | None:
    try:
        workshops = rollup.link_workshops(secret)
    except OperationError:
        return None
    return rollup.compile_units(workshops, lang)


@manager_bp.get("/r/<secret>")
def manager_page(secret: str):
    """The compilation behind a read-only link, for a manager without an account."""
    lang = select_locale()
    data = _link_data(secret, lang)
    if data is None:
        abort(404)
    page = render_template(
        "dashboard/rollup_shared.html", r=rollup.report(data, lang), base=request.path
    )
    return _no_store(current_app.make_response(page))


@manager_bp.get("/r/<secret>.<any(json, md, xlsx):fmt>")
def manager_file(secret: str, fmt: str):
    """The files of the compilation behind a read-only link."""
    lang = select_locale()
    data = _link_data(secret, lang)
    if data is None:
        return _no_store(
            current_app.make_response(({"error": error_dict("rollup_link_gone")}, 404))
        )
    return _no_store(_file(data, fmt, lang))
