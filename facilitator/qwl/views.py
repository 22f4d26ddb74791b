"""The QWL pages of a session (signed-in facilitators who may run it):

- GET  /sessions/<id>/qwl             import a file, type a round in, the rounds, the plan
- POST /sessions/<id>/qwl/import      multipart `file` (form; the API has the same)
- POST /sessions/<id>/qwl/form        a round typed in (form)
- POST /sessions/<id>/qwl/rounds/<round_id>/delete
- GET  /sessions/<id>/qwl/plan        the development plan as a printable A4 page
- GET  /sessions/<id>/qwl/plan.xlsx   the development plan as an Excel workbook
Every write is one unit of work: parsed first, stored in one transaction, then published.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_login import login_required

from .. import realtime
from ..errors import OperationError
from ..models import SessionStatus
from . import parse, plan, store
from .tables import QwlRound

bp = Blueprint("qwl", __name__, url_prefix="/sessions/<int:session_id>/qwl")

FORM_ROWS = 12
MAX_FILE_BYTES = 512 * 1024


@bp.before_request
@login_required
def require_login():
    """Keep the QWL pages for signed-in facilitators."""


def _workshop(session_id: int):
    from ..views.dashboard import own_workshop

    return own_workshop(session_id)


def _page(workshop, error=None, form=None, status=200):
    return (
        render_template(
            "qwl/page.html",
            workshop=workshop,
            rounds=store.rounds_list(workshop),
            summary=store.summary(workshop),
            error=error,
            form=form or {},
            form_rows=FORM_ROWS,
            columns=parse.COLUMNS,
            writable=workshop.status is not SessionStatus.CLOSED,
        ),
        status,
    )


@bp.get("")
def page(session_id: int):
    """Show the import form, the typing form, the stored rounds and the plan links."""
    return _page(_workshop(session_id))


def _store(workshop, parsed, source: str):
    with realtime.unit_of_work():
        store.save_round(workshop, parsed, source)
    flash(
        gettext("Imported %(unit)s, %(round)s.", unit=parsed.unit, round=parsed.label)
        + (
            " "
            + gettext(
                "%(n)s statements had fewer than 5 answers: they are not shown.",
                n=parsed.hidden,
            )
            if parsed.hidden
            else ""
        ),
        "success",
    )
    return redirect(url_for("qwl.page", session_id=workshop.id))


@bp.post("/import")
def import_file(session_id: int):
    """Import one round from an uploaded CSV or XLSX file."""
    workshop = _workshop(session_id)
    if workshop.status is SessionStatus.CLOSED:
        return _page(workshop, error={"message": gettext("This session has ended.")}, status=409)
    upload = request.files.get("file")
    data = upload.read(MAX_FILE_BYTES + 1) if upload else b""
    if len(data) > MAX_FILE_BYTES:
        return _page(workshop, error={"message": gettext("The file is too large.")}, status=413)
    try:
        parsed = parse.parse(data)
    except parse.ImportProblem as problem:
        return _page(workshop, error=problem.to_dict(), status=422)
    return _store(workshop, parsed, "xlsx" if data.startswith(b"PK\x03\x04") else "csv")


@bp.post("/form")
def import_form(session_id: int):
    """Store one round typed in on the page (the same checks as a file)."""
    workshop = _workshop(session_id)
    if workshop.status is SessionStatus.CLOSED:
        return _page(workshop, error={"message": gettext("This session has ended.")}, status=409)
    values = {k: v for k, v in request.form.items() if re.fullmatch(r"[a-z_]+(-\d+)?", k)}
    keys = ("statement_id", "dimension", "text", "score", "previous", "answers")
    header = [parse.COLUMNS[k][0] for k in ("unit", "round", "index", *keys)]
    rows = [header]
    for n in range(FORM_ROWS):
        cells = [values.get(f"{k}-{n}", "").strip() for k in keys]
        if not any(cells):
            continue
        first = len(rows) == 1
        top = [values.get(k, "").strip() if first else "" for k in ("unit", "round", "index")]
        rows.append(top + cells)
    try:
        parsed = parse.parse_rows(rows)
    except parse.ImportProblem as problem:
        return _page(workshop, error=problem.to_dict(), form=values, status=422)
    return _store(workshop, parsed, "form")


@bp.post("/rounds/<int:round_id>/delete")
def delete_round(session_id: int, round_id: int):
    """Remove a stored round."""
    workshop = _workshop(session_id)
    label = _delete(workshop, round_id)
    flash(gettext("Removed the round %(round)s.", round=label), "success")
    return redirect(url_for("qwl.page", session_id=workshop.id))


def _delete(workshop, round_id: int) -> str:
    """Remove a round in one unit of work; answer 404 for another session's round."""
    from ..extensions import db

    found = db.session.get(QwlRound, round_id)
    label = found.label if found is not None else ""
    try:
        with realtime.unit_of_work():
            store.delete_round(workshop, round_id)
    except OperationError:
        from flask import abort

        abort(404)
    return label


@bp.get("/plan")
def plan_page(session_id: int):
    """Show the development plan as a printable A4 page, in the session's language."""
    workshop = _workshop(session_id)
    with force_locale(workshop.language):
        data = plan.build(workshop)
        html = render_template("qwl/plan.html", workshop=workshop, plan=data)
    return html


@bp.get("/plan.xlsx")
def plan_xlsx(session_id: int):
    """Download the development plan as an Excel workbook."""
    workshop = _workshop(session_id)
    with force_locale(workshop.language):
        body = plan.xlsx(plan.build(workshop))
    name = f"kehittamissuunnitelma-{workshop.id}.xlsx"
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
