"""The phone page's JavaScript strings follow the phone's language, page after page.

`views/participant.py` renders the string blocks once per language and reuses them; a
phone must still get its own language (its `/lang` choice, else the session's), and one
language's blocks must never reach a phone of another.
"""

import json
import re

from flask_babel import force_locale, gettext

BLOCK = re.compile(r'<script type="application/json" id="(i18n[\w-]*)">(.*?)</script>', re.S)


def strings_of(html: str) -> dict[str, dict]:
    """Return the page's JSON string blocks by their id."""
    blocks = {name: json.loads(body) for name, body in BLOCK.findall(html)}
    assert {"i18n", "i18n-common"} <= set(blocks), sorted(blocks)
    return blocks


def translated(app, lang: str, text: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext(text)


def phone_page(app, code: str, choice: str | None = None) -> str:
    """Open the phone page as a new phone, after choosing `choice` with `/lang`."""
    phone = app.test_client()
    if choice:
        phone.get(f"/lang/{choice}")
    response = phone.get(f"/j/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_phone_strings_follow_the_language_and_do_not_leak(app, facilitator):
    """Phones of a Finnish and a Swedish session, with and without a choice, in turn."""
    codes = {}
    for lang in ("fi", "sv"):
        response = facilitator.api(
            "POST",
            "/sessions",
            {"model_id": "keep-change-give-up", "title": "Kehittämispäivä", "language": lang},
        )
        assert response.status_code == 201, response.get_json()
        codes[lang] = response.get_json()["join_code"]
    post = {lang: translated(app, lang, "Post idea") for lang in ("fi", "sv", "en")}
    common = {lang: translated(app, lang, "Connection restored") for lang in ("fi", "sv", "en")}
    assert len(set(post.values())) == 3

    seen = {}
    # Alternate languages so that every language's blocks are already cached when a
    # phone of another language asks.
    for session_lang, choice, expected in [
        ("fi", None, "fi"),
        ("sv", None, "sv"),
        ("fi", None, "fi"),
        ("fi", "en", "en"),
        ("sv", "fi", "fi"),
        ("fi", "sv", "sv"),
        ("sv", None, "sv"),
        ("sv", "en", "en"),
    ]:
        html = phone_page(app, codes[session_lang], choice)
        assert f'<html lang="{expected}">' in html
        blocks = strings_of(html)
        assert blocks["i18n"]["Post idea"] == post[expected], (session_lang, choice)
        assert blocks["i18n-common"]["Connection restored"] == common[expected]
        # The same phone language gives the very same blocks, whatever the session.
        seen.setdefault(expected, blocks)
        assert blocks == seen[expected]
    assert set(seen) == {"fi", "sv", "en"}

    # The reused blocks are what a fresh render gives.
    app.extensions["phone_strings"].clear()
    for session_lang, choice, expected in [("sv", None, "sv"), ("fi", "en", "en")]:
        assert strings_of(phone_page(app, codes[session_lang], choice)) == seen[expected]


def test_a_phone_switching_language_gets_the_new_strings(app, facilitator):
    """One phone, one session: `/lang` switches the page's strings on the next load."""
    session = facilitator.create_session()
    code = session["join_code"]
    phone = app.test_client()
    first = strings_of(phone.get(f"/j/{code}").get_data(as_text=True))
    assert first["i18n"]["Post idea"] == translated(app, "fi", "Post idea")
    for lang in ("sv", "en", "fi"):
        phone.get(f"/lang/{lang}")
        html = phone.get(f"/j/{code}").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert strings_of(html)["i18n"]["Post idea"] == translated(app, lang, "Post idea")
