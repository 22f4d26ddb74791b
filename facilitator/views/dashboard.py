"""Facilitator pages: sessions, the control view, the projector view, exports, account."""

import io

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, refresh
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from .. import export, logins, prepare, realtime
from .. import operations as ops
from .. import series as series_ops
from ..catalog import available_models
from ..errors import OperationError
from ..extensions import db
from ..forms import (
    ConfirmForm,
    DeleteAccountForm,
    PasswordForm,
    ProfileForm,
    SessionEditForm,
    SessionForm,
)
from ..joinurl import is_loopback, join_address
from ..models import ApiToken, SessionStatus, Workshop
from ..text import render_markdown
from ..workshop_models import localize

bp = Blueprint("dashboard", __name__, url_prefix="")


@bp.before_request
@login_required
def require_login():
    """Keep every page here for signed-in facilitators."""


def own_workshop(session_id: int) -> Workshop:
    """Return the signed-in facilitator's session (or its team's, if shared) or answer 404."""
    from ..teams import can_run

    workshop = db.session.get(Workshop, session_id)
    if workshop is None or not can_run(current_user, workshop):
        abort(404)
    return workshop


def join_url(workshop: Workshop) -> str:
    """Return the address phones open to join a session."""
    return join_address(workshop).url


@bp.get("/sessions")
def sessions():
    """List the facilitator's sessions: live, upcoming, closed."""
    rows = db.session.scalars(
        select(Workshop)
        .filter_by(facilitator_id=current_user.id)
        .order_by(Workshop.created_at.desc())
    ).all()
    groups = {status.value: [] for status in SessionStatus}
    for workshop in rows:
        model = ops.workshop_model(workshop)
        workshop.model_title = localize(model.title, workshop.language)
        workshop.participant_count = ops.participant_count(workshop.id)
        workshop.series_label = series_ops.label(workshop)
        workshop.collected = None
        if workshop.status is SessionStatus.COLLECTING:
            # "18 ideas from 9 phones" before the meeting; listed with the upcoming ones.
            from ..collecting import count_text, counts

            workshop.collected = counts(workshop)
            workshop.collected["text"] = count_text(**workshop.collected)
            groups[SessionStatus.UPCOMING.value].append(workshop)
            continue
        groups[workshop.status.value].append(workshop)
    return render_template("dashboard/sessions.html", groups=groups)


def _models_for_picker(lang: str) -> list[dict]:
    """Return the templates as the new-session page shows them."""
    return [
        {
            "id": m.id,
            "title": localize(m.title, lang),
            "description_html": render_markdown(localize(m.description, lang)),
            "duration_minutes": m.duration_minutes,
            "series": localize(m.series.title, lang) if m.series else None,
            "phases": [
                {"kind": p.kind.value, "title": localize(p.title, lang), "minutes": p.minutes}
                for p in m.phases
            ],
        }
        for m in available_models().values()
    ]


@bp.route("/sessions/new", methods=["GET", "POST"])
def new_session():
    """Create a session from a workshop template."""
    models = available_models()
    form = SessionForm()
    lang = str(current_user.language)
    form.model_id.choices = [(m.id, localize(m.title, lang)) for m in models.values()]
    if request.method == "GET" and models:
        form.model_id.data = next(iter(models))
    team_rows, series_rows = _team_choices(form)
    if request.method == "GET" and request.args.get("team", "").isdigit():
        form.team_id.data = request.args["team"]
    if form.validate_on_submit() and _check_series(form, models, series_rows):
        model = models[form.model_id.data]
        team = team_rows.get(form.team_id.data)
        # One unit of work: the session, its rows (a group's suggested themes), its
        # team and its place in a series.
        with realtime.unit_of_work():
            workshop = ops.create_workshop(
                current_user,
                model,
                form.title.data,
                form.team_name.data or (team.name if team else ""),
                form.language.data,
            )
            if team is not None:
                workshop.team_id = team.id
                if model.series is not None:
                    chosen = series_rows.get(form.series.data)
                    chosen = chosen or series_ops.create(team, model, form.language.data)
                    series_ops.attach(workshop, chosen, model)
        if prepare.fields(workshop):
            # The template lets the facilitator fill in content: do that next.
            return redirect(url_for("dashboard.prepare_session", session_id=workshop.id))
        return redirect(url_for("dashboard.control", session_id=workshop.id))
    return render_template(
        "dashboard/new_session.html",
        form=form,
        models=_models_for_picker(lang),
        has_teams=len(team_rows) > 0,
    ), 400 if form.errors else 200


def _team_choices(form: SessionForm) -> tuple[dict, dict]:
    """Fill the team and series choices: only teams the facilitator can see."""
    from ..teams import teams_of

    teams = {str(t.id): t for t in teams_of(current_user)}
    form.team_id.choices = [("", gettext("No team"))] + [(k, t.name) for k, t in teams.items()]
    rows = {str(s.id): s for t in teams.values() for s in series_ops.of_team(t)}
    form.series.choices = [("new", gettext("Start a new series"))] + [
        (
            k,
            gettext(
                "%(series)s (%(team)s), next session %(number)s",
                series=s.title,
                team=teams[str(s.team_id)].name,
                number=series_ops.next_number(s),
            ),
        )
        for k, s in rows.items()
    ]
    return teams, rows


def _check_series(form: SessionForm, models: dict, series_rows: dict) -> bool:
    """Refuse a series of another team or of another template series."""
    model = models.get(form.model_id.data)
    chosen = series_rows.get(form.series.data)
    if model is None or model.series is None or chosen is None:
        return True
    if str(chosen.team_id) != form.team_id.data or chosen.series_key != model.series.id:
        form.series.errors = [
            gettext("Choose a series of the chosen team made from this template's series.")
        ]
        return False
    return True


def _page_context(workshop: Workshop) -> dict:
    """Return the links every session page needs."""
    return {
        "workshop": workshop,
        "join_url": join_url(workshop),
        "join_reachable": join_address(workshop).reachable,
        "listening_on_loopback": is_loopback(current_app.config.get("LISTEN_HOST") or ""),
        "qr_url": url_for("dashboard.qr", session_id=workshop.id),
        "projector_url": url_for("dashboard.projector", session_id=workshop.id),
        "export_urls": {
            "md": url_for("dashboard.export_file", session_id=workshop.id, fmt="md"),
            "json": url_for("dashboard.export_file", session_id=workshop.id, fmt="json"),
            "html": url_for("dashboard.export_view", session_id=workshop.id),
        },
    }


@bp.get("/sessions/<int:session_id>")
def control(session_id: int):
    """Show the facilitator's control view."""
    return render_template("dashboard/control.html", **_page_context(own_workshop(session_id)))


@bp.get("/sessions/<int:session_id>/projector")
def projector(session_id: int):
    """Show the full-screen projector view, always in the session's language."""
    workshop = own_workshop(session_id)
    g.force_locale = workshop.language
    refresh()
    return render_template("projector.html", **_page_context(workshop))


@bp.get("/sessions/<int:session_id>/qr.svg")
def qr(session_id: int):
    """Return the join QR code as SVG."""
    workshop = own_workshop(session_id)
    image = qrcode.make(
        join_url(workshop),
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@bp.get("/sessions/<int:session_id>/export")
def export_view(session_id: int):
    """Show the session summary as a printable page."""
    workshop = own_workshop(session_id)
    return render_template(
        "dashboard/export.html",
        workshop=workshop,
        summary_html=export.html(workshop),
        **{k: v for k, v in _page_context(workshop).items() if k != "workshop"},
    )


@bp.get("/sessions/<int:session_id>/export.<any(md, json):fmt>")
def export_file(session_id: int, fmt: str):
    """Download the session summary as Markdown or JSON."""
    workshop = own_workshop(session_id)
    name = f"session-{workshop.id}-{workshop.join_code}"
    if fmt == "json":
        response = current_app.json.response(export.summary(workshop))
    else:
        response = Response(export.markdown(workshop), mimetype="text/markdown; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Manage personal API tokens."""
    new_token = None
    if request.method == "POST":
        if request.form.get("delete"):
            try:
                with realtime.unit_of_work():
                    ops.revoke_api_token(current_user, int(request.form["delete"]))
                flash(gettext("The token was revoked."), "info")
            except (ValueError, ops.OperationError):
                abort(404)
            return redirect(url_for("dashboard.account"))
        with realtime.unit_of_work():
            _, new_token = ops.create_api_token(current_user, request.form.get("name", ""))
    return _account_page(new_token=new_token)


def _account_page(profile=None, password=None, new_token=None, status=200):
    """Render the account page with its forms (those given carry errors)."""
    if profile is None:
        profile = ProfileForm(
            prefix="profile",
            formdata=None,
            data={"name": current_user.name, "language": current_user.language},
        )
    tokens = db.session.scalars(
        select(ApiToken).filter_by(facilitator_id=current_user.id).order_by(ApiToken.id)
    ).all()
    return render_template(
        "dashboard/account.html",
        tokens=tokens,
        new_token=new_token,
        profile=profile,
        password=password or PasswordForm(prefix="password", formdata=None),
    ), status


@bp.post("/account/profile")
def account_profile():
    """Change the display name and the interface language."""
    form = ProfileForm(prefix="profile")
    if form.validate_on_submit():
        with realtime.unit_of_work():
            ops.update_profile(current_user, form.name.data, form.language.data)
        # The account language shows at once, also where a language was picked before.
        session["lang"] = form.language.data
        flash(gettext("Your details were saved."), "info")
        return redirect(url_for("dashboard.account"))
    return _account_page(profile=form, status=400)


@bp.post("/account/password")
def account_password():
    """Change the password; the current one must be given."""
    form = PasswordForm(prefix="password")
    if form.validate_on_submit():
        if ops.check_password(current_user, form.current_password.data):
            with realtime.unit_of_work():
                ended = ops.set_password(
                    current_user,
                    form.new_password.data,
                    keep_login_id=logins.current_session_id(),
                )
            flash(gettext("Your password was changed."), "info")
            if ended:
                flash(gettext("Other browsers signed in to your account were signed out."), "info")
            return redirect(url_for("dashboard.account"))
        form.current_password.errors.append(gettext("The current password is wrong."))
    return _account_page(password=form, status=400)


# --- managing sessions ----------------------------------------------------------


def copy_title(title: str) -> str:
    """Return the title of a copy: "Title (copy)", cut to fit the 200-character limit."""
    suffix = gettext("%(title)s (copy)", title="")
    room = ops.SESSION_TITLE_MAX_CHARS - len(suffix)
    return gettext("%(title)s (copy)", title=title[:room].rstrip())


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    """Rename a session; the page also offers copying, reopening and deleting."""
    workshop = own_workshop(session_id)
    form = SessionEditForm(obj=workshop if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with realtime.unit_of_work():
                ops.rename_workshop(workshop, form.title.data, form.team_name.data or "")
        except OperationError as exc:
            form.title.errors.append(exc.to_dict()["message"])
        else:
            flash(gettext("The session details were saved."), "info")
            return redirect(url_for("dashboard.sessions"))
    model = ops.workshop_model(workshop)
    return render_template(
        "dashboard/edit_session.html",
        workshop=workshop,
        form=form,
        action_form=ConfirmForm(),
        model_title=localize(model.title, workshop.language),
    ), 400 if form.errors else 200


@bp.post("/sessions/<int:session_id>/duplicate")
def duplicate_session(session_id: int):
    """Make a new upcoming session from the same template and settings."""
    workshop = own_workshop(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with realtime.unit_of_work():
        copied = ops.duplicate_workshop(workshop, copy_title(workshop.title))
    flash(
        gettext(
            "A copy was made: %(title)s. Its join code is %(code)s.",
            title=copied.title,
            code=copied.join_code,
        ),
        "info",
    )
    return redirect(url_for("dashboard.sessions"))


@bp.post("/sessions/<int:session_id>/reopen")
def reopen_session(session_id: int):
    """Bring a closed session back to live for corrections."""
    workshop = own_workshop(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with realtime.unit_of_work():
            ops.reopen_workshop(workshop)
    except OperationError as exc:
        flash(exc.to_dict()["message"], "error")
        return redirect(url_for("dashboard.sessions"))
    flash(
        gettext(
            "The session is live again in the phase where it was closed. Input is closed: "
            "open it if participants should add something, and close the session when you "
            "are done."
        ),
        "info",
    )
    return redirect(url_for("dashboard.control", session_id=workshop.id))


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
def delete_session(session_id: int):
    """Ask for confirmation, then delete a session with everything in it."""
    workshop = own_workshop(session_id)
    if workshop.facilitator_id != current_user.id:
        # A shared team's member runs its sessions but deletes only their own.
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = workshop.title
        with realtime.unit_of_work():
            ops.delete_workshop(workshop)
        flash(gettext("The session %(title)s was deleted.", title=title), "info")
        return redirect(url_for("dashboard.sessions"))
    return render_template(
        "dashboard/delete_session.html",
        workshop=workshop,
        form=form,
        counts=ops.workshop_content_counts(workshop),
    ), 400 if form.errors else 200


# --- deleting the account ---------------------------------------------------------


@bp.route("/account/delete", methods=["GET", "POST"])
def delete_account():
    """Ask for the password, then delete the account with every session in it.

    Wrong passwords count against the account like failed sign-ins (logins.Backoff), so
    a borrowed browser cannot be used to guess the password here either.
    """
    from .auth import _too_many

    form = DeleteAccountForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        email = current_user.email
        wait = logins.login_wait(email)
        if wait:
            form.password.errors.append(_too_many(wait))
            status, headers = 429, {"Retry-After": str(int(wait) + 1)}
        elif ops.check_password(current_user, form.password.data):
            # One unit of work; the deleted sessions' screens are told after the commit.
            with realtime.unit_of_work():
                ops.delete_facilitator(current_user._get_current_object())
            logout_user()
            flash(gettext("Your account and everything in it were deleted."), "info")
            return redirect(url_for("main.index"))
        else:
            logins.login_failed(email)
            form.password.errors.append(gettext("The password is wrong."))
    if form.errors and status == 200:
        status = 400
    return (
        render_template(
            "dashboard/delete_account.html",
            form=form,
            counts=ops.account_content_counts(current_user),
        ),
        status,
        headers,
    )


# --- preparing a session (facilitator/prepare.py) ---------------------------------


def _prepare_phases(fields: list[dict], submitted: dict, errors: dict) -> list[dict]:
    """Group the preparable fields by phase, with submitted values and errors filled in."""
    phases: list[dict] = []
    for entry in fields:
        key = entry["key"]
        value = submitted.get(key, entry["value"])
        if isinstance(value, list):
            value = "\n".join(value)
        item = {
            **entry,
            "id": "f-" + key.replace(".", "-"),
            "text": value,
            "errors": errors.get(key, []),
        }
        if not phases or phases[-1]["index"] != entry["phase_index"]:
            phases.append(
                {
                    "index": entry["phase_index"],
                    "title": entry["phase_title"],
                    "kind": entry["kind"],
                    "fields": [],
                }
            )
        phases[-1]["fields"].append(item)
    return phases


@bp.route("/sessions/<int:session_id>/prepare", methods=["GET", "POST"])
def prepare_session(session_id: int):
    """Fill in the template's preparable content (statements, columns, prompts, …)."""
    workshop = own_workshop(session_id)
    form = ConfirmForm()
    fields = prepare.fields(workshop)
    submitted: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        submitted = {f["key"]: request.form[f["key"]] for f in fields if f["key"] in request.form}
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                with realtime.unit_of_work():
                    prepare.apply(workshop, submitted)
            except OperationError as exc:
                flash(exc.to_dict()["message"], "error")
                return redirect(url_for("dashboard.prepare_session", session_id=workshop.id))
            except prepare.PrepareError as exc:
                errors, status = exc.by_field(), 400
            else:
                realtime.publish_phase(workshop)
                flash(gettext("The session's content was saved."), "info")
                return redirect(url_for("dashboard.control", session_id=workshop.id))
    has_lines = any(f["type"] == "lines" for f in fields)
    return render_template(
        "dashboard/prepare_session.html",
        workshop=workshop,
        form=form,
        phases=_prepare_phases(fields, submitted, errors),
        errors=errors,
        editable=prepare.editable(workshop),
        model_title=localize(ops.workshop_model(workshop).title, workshop.language),
        copy_sources=prepare.copy_sources(workshop) if has_lines else [],
    ), status


# Pages registered on this blueprint by their own modules: the roll-up, one compilation
# of several units' sessions (views/rollup_pages.py), and series and input before the
# session (views/series_pages.py).
from . import rollup_pages, series_pages  # noqa: E402, F401
