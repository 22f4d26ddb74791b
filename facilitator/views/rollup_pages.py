"""The roll-up pages (on the dashboard blueprint; facilitator/rollup.py builds them).

- `GET /rollup`: choose sessions of one template run in several units; with
  `?s=<id>&s=<id>…` the compilation page.
- `GET /rollup.<json|md|xlsx>?s=<id>&s=<id>…`: the compilation as a file.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from .. import rollup
from ..errors import OperationError, error_dict
from ..i18n import select_locale
from .dashboard import bp

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Refused(Exception):
    def __init__(self, code: str, status: int, **params):
        super().__init__(code)
        self.code, self.status, self.params = code, status, params


def _chosen_ids() -> list[int]:
    raw = request.args.getlist("s")
    if len(raw) > rollup.MAX_UNITS * 2:
        raise _Refused("rollup_too_many", 422, max=rollup.MAX_UNITS)
    ids = []
    for value in raw:
        if not value.isdigit() or len(value) > 9:
            raise _Refused("invalid", 422)
        ids.append(int(value))
    return ids


def _compile(ids: list[int], lang: str) -> dict:
    try:
        workshops = rollup.choose(current_user, ids)
    except OperationError as exc:
        status = 404 if exc.code == "not_found" else 422
        raise _Refused(exc.code, status, **exc.params) from None
    return rollup.compile_units(workshops, lang)


@bp.get("/rollup")
def rollup_page():
    """Choose sessions to compile, or show the compilation of the chosen ones."""
    lang = select_locale()
    ids, data, error, status = [], None, None, 200
    try:
        ids = _chosen_ids()
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
    ), status


@bp.get("/rollup.<any(json, md, xlsx):fmt>")
def rollup_file(fmt: str):
    """Download the compilation of the chosen sessions."""
    lang = select_locale()
    try:
        data = _compile(_chosen_ids(), lang)
    except _Refused as exc:
        return {"error": error_dict(exc.code, **exc.params)}, exc.status
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
