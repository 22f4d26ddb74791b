"""Language selection: the user's choice, else the session language, else Finnish."""

from flask import g, session
from flask_login import current_user

from .config import LANGUAGES

CODES = {code for code, _ in LANGUAGES}


def select_locale() -> str:
    """Pick the interface language for this request."""
    chosen = session.get("lang")
    if chosen in CODES:
        return chosen
    workshop_lang = getattr(g, "workshop_language", None)
    if workshop_lang in CODES:
        return workshop_lang
    # API token callers have no login session: use their account's language.
    user = getattr(g, "api_user", None)
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    if user is not None and user.language in CODES:
        return user.language
    return "fi"
