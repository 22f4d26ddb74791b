"""Language selection: the user's choice, else the session language, else Finnish."""

from flask import g, session
from flask_login import current_user

from .config import LANGUAGES

CODES = {code for code, _ in LANGUAGES}


def select_locale() -> str:
    """Pick the interface language for this request."""
    # The projector speaks the session's language whoever is signed in on its browser.
    forced = getattr(g, "force_locale", None)
    if forced in CODES:
        return forced
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


def chosen_language() -> str | None:
    """Return the language this browser chose with `/lang`, if any."""
    chosen = session.get("lang")
    return chosen if chosen in CODES else None


def content_language(model, chosen: str | None, session_language: str) -> str:
    """Return the language for a template's text: the choice where the template has it."""
    if chosen and chosen in model.title:
        return chosen
    return session_language
