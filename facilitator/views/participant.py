"""The phone page participants reach by QR code: no account, anonymous."""

import secrets

from flask import Blueprint, abort, g, render_template, request, session

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
    response = render_template("participant.html", workshop=workshop)
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
