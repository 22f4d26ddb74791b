"""WCAG 2.1 A/AA checks with axe-core on every page, in every phase kind, in Chromium."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.server_process import ServerProcess, signed_in_facilitator

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("FACILITATOR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(axe: Axe, page, where: str) -> list[str]:
    """Return axe's WCAG A/AA violations on a page, one line each."""
    page.wait_for_timeout(400)
    result = axe.run(page, options=WCAG)
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:3]
        )
        for v in result.response["violations"]
    ]


def test_pages_meet_wcag_aa_in_every_phase(tmp_path):
    """Public, facilitator, projector and phone pages have no axe WCAG 2.1 AA violations."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing")
        pytest.skip(f"{CHROMIUM} not installed")
    server = ServerProcess(tmp_path)
    server.start()
    found: list[str] = []
    try:
        base = server.url
        http, csrf = signed_in_facilitator(base, "a11y@example.fi")
        headers = {"X-CSRFToken": csrf}
        created = http.post(
            f"{base}/api/v1/sessions",
            headers=headers,
            json={"model_id": "sytyttaja", "title": "Saavutettavuus"},
        ).json()
        sid, code = created["id"], created["join_code"]
        api = f"{base}/api/v1/sessions/{sid}"
        axe = Axe()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            anonymous = browser.new_context()
            page = anonymous.new_page()
            for path in ("/", "/join?code=ZZZZZZ", "/auth/login", "/auth/signup", "/no-such-page"):
                page.goto(base + path)
                found += violations(axe, page, path)
            page.goto(base + "/auth/signup")
            page.locator("form button[type=submit]").first.click()
            found += violations(axe, page, "signup with errors")

            desk = browser.new_context(viewport={"width": 1280, "height": 800})
            desk.add_cookies(
                [{"name": c.name, "value": c.value, "url": base} for c in http.cookies]
            )
            control, projector = desk.new_page(), desk.new_page()
            for path in ("/sessions", "/sessions/new", "/account", f"/sessions/{sid}/export"):
                control.goto(base + path)
                found += violations(axe, control, path)
            control.goto(f"{base}/sessions/{sid}")
            projector.goto(f"{base}/sessions/{sid}/projector")
            phone_ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
            phone = phone_ctx.new_page()
            phone.goto(f"{base}/j/{code}")
            for page_, name in ((control, "control"), (projector, "projector"), (phone, "phone")):
                found += violations(axe, page_, f"{name} upcoming")
            http.post(f"{api}/start", headers=headers)
            phases = http.get(api).json()["phases"]
            for phase in phases:
                http.post(f"{api}/phase", json={"to": phase["index"]}, headers=headers)
                if phase["kind"] == "ideas":
                    phone.locator("textarea").first.fill("Hyvä työkaveri auttaa")
                    phone.locator("form button[type=submit]").first.click()
                for page_, name in (
                    (control, "control"),
                    (projector, "projector"),
                    (phone, "phone"),
                ):
                    found += violations(axe, page_, f"{name} {phase['kind']} ({phase['id']})")
            http.post(f"{api}/close", headers=headers)
            for page_, name in ((control, "control"), (projector, "projector"), (phone, "phone")):
                found += violations(axe, page_, f"{name} closed")
            browser.close()
    finally:
        server.stop()
    assert found == [], "\n".join(found)
