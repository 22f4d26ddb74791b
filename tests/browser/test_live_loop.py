"""The live loop in real browsers: a phone posts an idea, the projector and another phone see it.

Starts the real server (`python -m facilitator`) as a subprocess and drives headless Chromium
through Playwright. Set FACILITATOR_CHROMIUM to use a browser other than /usr/bin/chromium.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import zlib
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE, TIMEOUT_MS, new_session_through_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def watch(page, name: str, errors: list, socket_ids: set) -> None:
    """Collect script errors and the Socket.IO / Engine.IO ids a page is given."""
    page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))

    def remember(text) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        socket_ids.update(re.findall(r'"sid"\s*:\s*"([^"]+)"', text or ""))

    page.on("websocket", lambda ws: ws.on("framereceived", remember))

    def on_response(res) -> None:
        if "/socket.io/" in res.url and res.request.method == "GET":
            # A long-poll that was cut off has no body to read.
            with contextlib.suppress(Exception):
                remember(res.text())

    page.on("response", on_response)


def session_cookie_tokens(context) -> set[str]:
    """Return the anonymous participant tokens kept in a phone's signed session cookie."""
    tokens: set[str] = set()
    for cookie in context.cookies():
        if cookie["name"] != "session":
            continue
        value = cookie["value"]
        compressed = value.startswith(".")
        payload = value.lstrip(".").split(".")[0]
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        data = json.loads(zlib.decompress(raw) if compressed else raw)
        for token in (data.get("p") or {}).values():
            tokens.add(str(token))
    return tokens


def post_api(page, path: str, body: dict) -> int:
    """POST to the JSON API from a signed-in page, with its CSRF token; return the status."""
    return page.evaluate(
        """async ([path, body]) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const res = await fetch(path, {method: 'POST', credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: JSON.stringify(body)});
            return res.status;
        }""",
        [path, body],
    )


def click_if_present(page, selector: str) -> bool:
    """Click a control page button when that page has it and shows it."""
    button = page.locator(selector)
    if button.count() and button.first.is_visible():
        button.first.click()
        return True
    return False


def test_idea_from_phone_reaches_projector_and_other_phone(server, browser, control):
    errors: list[str] = []
    socket_ids: set[str] = set()

    # A facilitator signs up and creates a session through the pages (`control`).
    fac_ctx = control.context
    watch(control, "control", errors, set())
    session = new_session_through_page(
        control, server, "keep-change-give-up", "Osasto 5 kehittämispäivä"
    )
    # The template has content to prepare: the prepare page came first, then the session.
    assert session["prepared"]
    session_id, join_code = session["id"], session["join_code"]

    # The projector on a desktop screen, two phones at the join URL.
    projector = fac_ctx.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    watch(projector, "projector", errors, set())
    projector.goto(f"{server}/sessions/{session_id}/projector")
    phones, phone_contexts = [], []
    for n in range(2):
        ctx = browser.new_context(**PHONE)
        ctx.set_default_timeout(TIMEOUT_MS)
        page = ctx.new_page()
        watch(page, f"phone{n}", errors, socket_ids)
        page.goto(f"{server}/j/{join_code}")
        phones.append(page)
        phone_contexts.append(ctx)

    for page in phones:
        page.wait_for_selector(".waiting")
    projector.wait_for_function(
        "document.getElementById('p-count').textContent.includes('2')", timeout=TIMEOUT_MS
    )

    # Start and move to the ideas phase: the control page's buttons, else the JSON API.
    control.wait_for_load_state("networkidle")
    api = f"/api/v1/sessions/{session_id}"
    if not click_if_present(control, "#btn-start"):
        assert post_api(control, api + "/start", {}) == 200
    for page in phones:
        page.wait_for_selector("#phase-step:not([hidden])")
    if not click_if_present(control, "#btn-next"):
        assert post_api(control, api + "/phase", {"to": "next"}) == 200
    for page in phones:
        page.wait_for_selector("#idea-text")

    # One phone posts an idea into the first column.
    text = "Aamupalaverit lyhyiksi ja seisten"
    sender, other = phones
    sender.fill("#idea-text", text)
    if sender.locator(".column-picker .pill").count():
        sender.locator(".column-picker .pill").first.click()
    sender.locator("form.idea-form [type=submit]").click()

    sender.locator(".idea-own .idea-text", has_text=text).wait_for()
    projector.locator("#p-body .wall li", has_text=text).wait_for()
    other.locator(".idea .idea-text", has_text=text).wait_for()
    assert other.locator(".idea-own", has_text=text).count() == 0, "not the other phone's own idea"
    assert sender.locator("#idea-text").input_value() == ""

    # Markup typed by a participant stays text on every screen.
    markup = '<img src=x onerror="window.__owned=1"><b>lihava</b>'
    sender.fill("#idea-text", markup)
    if sender.locator(".column-picker .pill").count():
        sender.locator(".column-picker .pill").first.click()
    sender.locator("form.idea-form [type=submit]").click()
    projector.locator("#p-body .wall li", has_text="lihava").wait_for()
    other.locator(".idea .idea-text", has_text="lihava").wait_for()
    for page in (projector, other):
        injected = page.locator("#p-body img, #p-body .wall b, .idea-text img, .idea-text b")
        assert injected.count() == 0
        assert page.evaluate("window.__owned === undefined")
    assert projector.locator("#p-body .wall li", has_text=markup).count() == 1

    # Nothing that identifies a participant reaches the room's screen.
    html = projector.content()
    tokens = set()
    for ctx in phone_contexts:
        tokens |= session_cookie_tokens(ctx)
    assert tokens, "the phones should have anonymous tokens in their session cookie"
    assert socket_ids, "the phones should have been given socket ids"
    for secret in tokens | socket_ids:
        assert secret not in html, "a participant identifier appeared on the projector"

    assert not errors, "script errors: " + "; ".join(errors)
    for ctx in phone_contexts:
        ctx.close()
    fac_ctx.close()
