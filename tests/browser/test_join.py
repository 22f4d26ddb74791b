"""Joining by a typed code on a small phone, and the projector's language, in Chromium."""

from __future__ import annotations

import pytest

from tests.server_process import signed_in_facilitator

pytestmark = pytest.mark.browser

SMALL_PHONE = {"viewport": {"width": 320, "height": 568}, "is_mobile": True, "has_touch": True}
TIMEOUT_MS = 15_000


def _session(server: str, language: str = "fi") -> tuple[object, dict]:
    """Create a session over the API; return the signed-in HTTP session and the summary."""
    http, csrf = signed_in_facilitator(server)
    created = http.post(
        server + "/api/v1/sessions",
        json={"model_id": "keep-change-give-up", "title": "Osastokokous", "language": language},
        headers={"X-CSRFToken": csrf},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return http, created.json()


def test_typed_code_joins_on_a_320px_phone(server, browser):
    _http, session = _session(server)
    code = session["join_code"]
    typed = f"{code[:3].lower()} -{code[3:].lower()}"
    ctx = browser.new_context(**SMALL_PHONE)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # A wrong code first: a message, the typed code kept.
    page.goto(server + "/")
    page.fill("#code", "zzz 999")
    page.locator(".join-card [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#code-error").is_visible()
    assert "koodilla" in page.locator("#code-error").inner_text()
    assert page.input_value("#code") == "zzz 999"

    # The right code, typed the way people type it.
    page.fill("#code", typed)
    page.locator(".join-card [type=submit]").click()
    page.wait_for_url(f"**/j/{code}")
    page.wait_for_selector(".waiting")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the phone page scrolls sideways ({width} px)"
    assert not errors, errors
    ctx.close()


def test_guessing_codes_gets_the_rate_limit_message(server, browser):
    ctx = browser.new_context(**SMALL_PHONE)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    status = None
    for _ in range(31):
        response = page.goto(server + "/join?code=ZZZZZZ")
        status = response.status
        if status == 429:
            break
    assert status == 429
    assert "Liian monta yritystä" in page.content()
    ctx.close()


def test_projector_uses_the_session_language_when_the_facilitator_reads_english(server, browser):
    http, session = _session(server, language="fi")
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    ctx.add_cookies(
        [
            {"name": c.name, "value": c.value, "url": server}
            for c in http.cookies
            if c.name in ("session", "remember_token")
        ]
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    control = ctx.new_page()
    control.goto(server + "/lang/en?next=/sessions/" + str(session["id"]))
    assert control.locator("html").get_attribute("lang") == "en"
    projector = ctx.new_page()
    projector.goto(f"{server}/sessions/{session['id']}/projector")
    assert projector.locator("html").get_attribute("lang") == "fi"
    projector.wait_for_selector("#p-title")
    body = projector.locator("body").inner_text()
    assert "Liity" in body, body[:500]
    assert "Join with your phone" not in body
    ctx.close()
