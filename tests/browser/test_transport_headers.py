"""Under the pages' security headers, Chromium still reaches the server by websocket."""

from __future__ import annotations

import pytest

from tests.server_process import signed_in_facilitator

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000


def test_phone_socket_is_a_websocket_under_the_policy(server, browser):
    """connect-src 'self' lets the page's own ws: origin through (no silent fall-back
    to long-polling), and Chromium reports nothing about either policy header."""
    http, csrf = signed_in_facilitator(server)
    created = http.post(
        server + "/api/v1/sessions",
        json={"model_id": "keep-change-give-up", "title": "Osastokokous", "language": "fi"},
        headers={"X-CSRFToken": csrf},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    code = created.json()["join_code"]

    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    sockets = []
    received: list[str] = []

    def on_websocket(ws):
        sockets.append(ws.url)
        ws.on("framereceived", lambda payload: received.append(str(payload)))

    page.on("websocket", on_websocket)
    page.goto(f"{server}/j/{code}")
    page.wait_for_selector(".waiting")
    page.wait_for_function("() => true")  # let the join ack arrive
    page.wait_for_timeout(500)

    assert any("/socket.io/" in url and "transport=websocket" in url for url in sockets), sockets
    assert all(url.startswith(server.replace("http", "ws", 1)) for url in sockets), sockets
    # The Engine.IO open packet, the Socket.IO connect and the join answer came that way.
    assert len(received) >= 3, received
    complaints = [
        line
        for line in console
        if "Content Security Policy" in line
        or "Permissions-Policy" in line
        or "Permissions policy" in line
    ]
    assert not complaints, complaints
    ctx.close()
