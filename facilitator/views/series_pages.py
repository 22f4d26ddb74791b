"""Facilitator pages for series and input before the session (on the dashboard blueprint).

- `/sessions/<id>/collect`: open, move or stop the window of input before the session;
  the link, QR, poster and the message to paste (fi/sv/en); how much came in.
- `/sessions/<id>/collect/poster`: a printable poster with the QR and the window days.
- `/series/<id>/next`: start the series' next session (the team page's button).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from .. import collecting, prepare, realtime
from .. import series as series_ops
from ..catalog import available_models
from ..errors import OperationError
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Series, SessionStatus
from ..teams import visible_team
from ..text import clean_input
from .dashboard import _page_context, bp, join_url, own_workshop


def _field(name: str, max_chars: int = 40) -> str:
    return clean_input(request.form.get(name, ""))[:max_chars]


def _local_input(moment) -> str:
    """Return a moment as a `datetime-local` input value in the app's time zone."""
    local = collecting.local_time(moment)
    return local.strftime("%Y-%m-%dT%H:%M") if local is not None else ""


@bp.route("/sessions/<int:session_id>/collect", methods=["GET", "POST"])
def collect(session_id: int):
    """Open (or move) the window of input before the session, and show what came in."""
    workshop = own_workshop(session_id)
    form = ConfirmForm()
    status = 200
    error = None
    opens = _local_input(workshop.collect_opens_at)
    closes = _local_input(workshop.collect_closes_at)
    if request.method == "POST":
        opens, closes = _field("opens_at"), _field("closes_at")
        if not form.validate_on_submit():
            abort(400)
        try:
            with realtime.unit_of_work():
                collecting.open_window(
                    workshop, collecting.parse_local(opens), collecting.parse_local(closes)
                )
        except OperationError as exc:
            error, status = exc.to_dict()["message"], 400
        else:
            flash(gettext("Input before the session is set."), "info")
            return redirect(url_for("dashboard.collect", session_id=workshop.id))
    return render_template(
        "dashboard/collect.html",
        form=form,
        error=error,
        opens_value=opens,
        closes_value=closes,
        info=collecting.facilitator_dict(workshop, join_url(workshop)),
        opens_local=collecting.local_time(workshop.collect_opens_at),
        closes_local=collecting.local_time(workshop.collect_closes_at),
        can_collect=workshop.status in (SessionStatus.UPCOMING, SessionStatus.COLLECTING),
        **_page_context(workshop),
    ), status


@bp.post("/sessions/<int:session_id>/collect/stop")
def collect_stop(session_id: int):
    """Stop input before the session early; what came in stays."""
    workshop = own_workshop(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with realtime.unit_of_work():
            collecting.stop(workshop)
    except OperationError as exc:
        flash(exc.to_dict()["message"], "error")
    else:
        flash(gettext("Input before the session was stopped. What came in is kept."), "info")
    return redirect(url_for("dashboard.collect", session_id=workshop.id))


@bp.get("/sessions/<int:session_id>/collect/poster")
def collect_poster(session_id: int):
    """A printable poster: title, the days, the QR and the link."""
    workshop = own_workshop(session_id)
    return render_template(
        "dashboard/collect_poster.html",
        opens_day=collecting.local_day(workshop.collect_opens_at),
        closes_day=collecting.local_day(workshop.collect_closes_at),
        **_page_context(workshop),
    )


@bp.post("/series/<int:series_id>/next")
def series_next(series_id: int):
    """Start the series' next session (upcoming), from the suggested or a chosen step."""
    row = db.session.get(Series, series_id)
    if row is None or visible_team(current_user, row.team_id) is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    model = None
    chosen = _field("model_id", 64)
    if chosen:
        model = available_models().get(chosen)
        if model is None:
            abort(404)
    language = _field("language", 5) or str(current_user.language)
    if language not in ("fi", "sv", "en"):
        language = "fi"
    try:
        with realtime.unit_of_work():
            workshop = series_ops.start_next(
                current_user, row, language, _field("title", 200), model
            )
    except OperationError as exc:
        flash(exc.to_dict()["message"], "error")
        return redirect(url_for("teams.team_page", team_id=row.team_id))
    if prepare.fields(workshop):
        return redirect(url_for("dashboard.prepare_session", session_id=workshop.id))
    return redirect(url_for("dashboard.control", session_id=workshop.id))
