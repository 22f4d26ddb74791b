"""Language selection: the user's choice, else the session language, else Finnish."""

from flask import g, request, session
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
    if request and current_user and current_user.is_authenticated:
        return current_user.language
    return "fi"
