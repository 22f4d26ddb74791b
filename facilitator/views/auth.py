"""Facilitator accounts: sign up, sign in, sign out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required, login_user, logout_user

from .. import operations as ops
from ..errors import OperationError
from ..forms import LoginForm, SignupForm
from ..i18n import select_locale
from .main import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create a facilitator account and sign in."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = ops.create_facilitator(
                form.email.data, form.name.data, form.password.data, select_locale()
            )
        except OperationError:
            form.email.errors.append(gettext("An account with this email address already exists."))
        else:
            login_user(user)
            return redirect(url_for("dashboard.sessions"))
    return render_template("auth/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign a facilitator in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("dashboard.sessions")))
        form.password.errors.append(gettext("Wrong email or password."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    """Sign out."""
    logout_user()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("main.index"))
