"""Public pages: landing, join by code, language choice, health check."""

from urllib.parse import urlparse

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext

from .. import operations as ops
from ..extensions import csrf
from ..forms import JoinForm
from ..i18n import CODES
from ..ratelimit import client_address, join_limiter

bp = Blueprint("main", __name__)


# Ids in URLs are PostgreSQL INTEGERs: a larger number names nothing (and must not
# reach the database, where it would fail rather than find nothing).
DB_ID_MAX = 2**31 - 1


@bp.before_app_request
def bound_url_ids():
    """Answer 404 for any `<int:...>` URL part beyond the database's integer range."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= DB_ID_MAX:
            abort(404)


@bp.get("/")
def index():
    """Show the landing page with the join-by-code form."""
    return render_template("index.html", form=JoinForm())


@bp.route("/join", methods=["GET", "POST"])
@csrf.exempt
def join():
    """Find a session by its typed code and send the phone to it."""
    # No CSRF token: looking up a code changes nothing, and a phone may post the form
    # from a page cached hours ago. Guessing is limited per address instead.
    form = JoinForm(request.values)
    error = None
    if request.values.get("code") and form.validate():
        address = client_address(request.environ)
        if join_limiter.exceeded(address):
            error = gettext("Too many attempts. Please wait a moment and try again.")
            return render_template("join.html", form=form, error=error), 429
        workshop = ops.find_workshop_by_code(form.code.data)
        if workshop is not None:
            return redirect(url_for("participant.view", code=workshop.join_code))
        join_limiter.hit(address)
        error = gettext("No session was found with that code. Check the code on the projector.")
    return render_template("join.html", form=form, error=error), 404 if error else 200


@bp.get("/lang/<lang>")
def set_language(lang: str):
    """Remember the chosen interface language and go back."""
    if lang in CODES:
        session["lang"] = lang
        session.permanent = True
    return redirect(safe_next(request.args.get("next"), "/"))


def safe_next(target: str | None, default: str) -> str:
    """Return a local path to go to next, or the default for anything else."""
    # Only local paths: an open redirect would let others misuse our domain.
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.get("/healthz")
def health():
    """Answer a load balancer's health check."""
    return {"status": "ok"}
