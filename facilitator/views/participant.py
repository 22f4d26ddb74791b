"""The phone page participants reach by QR code: no account, anonymous."""

import secrets

from flask import Blueprint, abort, current_app, g, render_template, request, session
from flask_babel import get_locale
from markupsafe import Markup

from .. import operations as ops
from ..ratelimit import client_address, join_limiter

bp = Blueprint("participant", __name__)


@bp.get("/j/<code>")
def view(code: str):
    """Show the participant page, giving this phone an anonymous token once."""
    # Shares the join limit with `/join` and the socket `join` (per client address). A
    # phone that already holds a token for the session (a reload) is never limited.
    address = client_address(request.environ)
    workshop = ops.find_workshop_by_code(code)
    tokens = dict(session.get("p") or {})
    if workshop is None or str(workshop.id) not in tokens:
        if join_limiter.exceeded(address):
            abort(429)
        if workshop is None:
            join_limiter.hit(address)
            abort(404)
    g.workshop_language = workshop.language
    if str(workshop.id) not in tokens:
        # Keep only recent sessions' tokens so the cookie stays small.
        if len(tokens) >= 20:
            tokens.pop(next(iter(tokens)))
        tokens[str(workshop.id)] = secrets.token_urlsafe(24)
        session["p"] = tokens
    session.permanent = True
    response = render_template(
        "participant.html", workshop=workshop, i18n_blocks=phone_strings(str(get_locale()))
    )
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def phone_strings(locale: str) -> Markup:
    """Return the phone page's JavaScript string blocks in `locale`, rendered once.

    The blocks (`_participant_i18n.html`: about 290 `gettext` calls, most of a page's
    render) depend on the interface language alone, so each app keeps one copy per
    language for its lifetime (Flask-Babel also reads a catalogue once per process).
    With template auto-reload on (debug), they are rendered for every page.
    """
    cache = current_app.extensions.setdefault("phone_strings", {})
    blocks = cache.get(locale)
    if blocks is None:
        blocks = Markup(render_template("_participant_i18n.html"))
        if not current_app.jinja_env.auto_reload:
            cache[locale] = blocks
    return blocks
