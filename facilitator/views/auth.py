"""Facilitator accounts: sign up, sign in, sign out (here or on every device).

Neither page tells whether an e-mail address has an account: a wrong password and an
unknown address get the same answer in the same time, and sign-up always ends with the
same message and the sign-in page. Guessing is slowed per account and per address
(`logins.py`): a refused attempt is answered 429 with how long to wait.
"""

import contextlib
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from .. import logins, realtime
from .. import operations as ops
from ..errors import OperationError
from ..forms import LoginForm, SignupForm
from ..i18n import select_locale
from .main import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _too_many(seconds: float) -> str:
    """Return the translated "wait N minutes" message."""
    return ngettext(
        "Too many attempts. Try again in %(num)d minute.",
        "Too many attempts. Try again in %(num)d minutes.",
        logins.minutes(seconds),
    )


def _page(template: str, form, status: int, wait: float = 0.0):
    """Render a form page; a 429 carries Retry-After and comes after a short pause.

    The pause (a sleep, which only holds this request) keeps a guessing loop from
    turning cheap refusals into a flood of page renders.
    """
    if status == 429:
        time.sleep(current_app.config["LOGIN_REFUSED_DELAY_SECONDS"])
        headers = {"Retry-After": str(int(wait) + 1)}
        return render_template(template, form=form), status, headers
    return render_template(template, form=form), status


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create a facilitator account, then send the person to sign in.

    A taken address gets exactly the same answer as a free one: nothing here tells
    whether an address has an account, and the existing account is left untouched.
    """
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        wait = logins.signup_wait(email)
        if wait:
            form.form_errors.append(_too_many(wait))
            return _page("auth/signup.html", form, 429, wait)
        logins.signup_attempted(email)
        # A taken address (email_taken) is answered as if it had been free.
        with contextlib.suppress(OperationError), realtime.unit_of_work():
            ops.create_facilitator(email, form.name.data, form.password.data, select_locale())
        session["signup_email"] = email
        flash(
            gettext(
                "If this address had no account yet, your account is now ready: sign in "
                "below. If it already had one, nothing was changed: sign in with that "
                "account's password."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return _page("auth/signup.html", form, 400 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign a facilitator in, unless the account or the address must wait."""
    form = LoginForm()
    if request.method == "GET" and session.get("signup_email"):
        form.email.data = session.pop("signup_email")
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        wait = logins.login_wait(email)
        if wait:
            # Even the right password waits: the answer must not confirm a guess.
            form.form_errors.append(_too_many(wait))
            return _page("auth/login.html", form, 429, wait)
        user = ops.authenticate(email, form.password.data)
        if user is not None:
            logins.login_succeeded(email)
            logins.sign_in(user, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next"), url_for("dashboard.sessions")))
        logins.login_failed(email)
        form.password.errors.append(gettext("Wrong email or password."))
    return _page("auth/login.html", form, 400 if form.errors else 200)


@bp.post("/logout")
@login_required
def logout():
    """Sign out: this sign-in ends on the server, so copied cookies stop working too."""
    logins.sign_out()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("main.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """Sign out of every browser and device, this one included."""
    logins.sign_out_everywhere(current_user._get_current_object())
    flash(gettext("You have signed out on all devices."), "info")
    return redirect(url_for("auth.login"))
