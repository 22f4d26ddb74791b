"""WCAG 2.1 A/AA checks with axe-core on every page, in every phase kind, in Chromium."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.server_process import signed_in_facilitator

pytestmark = pytest.mark.browser

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


def test_pages_meet_wcag_aa_in_every_phase(server, browser):
    """Public, facilitator, projector and phone pages have no axe WCAG 2.1 AA violations."""
    base = server
    found: list[str] = []
    http, csrf = signed_in_facilitator(base, "a11y@example.fi")
    headers = {"X-CSRFToken": csrf}
    created = http.post(
        f"{base}/api/v1/sessions",
        headers=headers,
        json={"model_id": "sytyttaja", "title": "Saavutettavuus"},
    ).json()
    sid, code = created["id"], created["join_code"]
    # Another session, so the prepare page offers "Copy from an earlier session".
    http.post(
        f"{base}/api/v1/sessions",
        headers=headers,
        json={"model_id": "sytyttaja", "title": "Aiempi"},
    )
    api = f"{base}/api/v1/sessions/{sid}"
    axe = Axe()
    page = browser.new_context().new_page()
    for path in ("/", "/join?code=ZZZZZZ", "/auth/login", "/auth/signup", "/no-such-page"):
        page.goto(base + path)
        found += violations(axe, page, path)
    page.goto(base + "/auth/signup")
    page.locator("form button[type=submit]").first.click()
    found += violations(axe, page, "signup with errors")

    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    desk.add_cookies([{"name": c.name, "value": c.value, "url": base} for c in http.cookies])
    control, projector = desk.new_page(), desk.new_page()
    for path in (
        "/sessions",
        "/sessions/new",
        "/account",
        f"/sessions/{sid}/export",
        f"/sessions/{sid}/edit",
        f"/sessions/{sid}/delete",
        f"/sessions/{sid}/prepare",
        # Last: the click below submits this page's form.
        "/account/delete",
    ):
        control.goto(base + path)
        found += violations(axe, control, path)
    control.locator("form[action$='/account/delete'] button[type=submit]").click()
    found += violations(axe, control, "account delete with errors")
    control.goto(base + "/account")
    control.locator("form[action$='/account/password'] button[type=submit]").click()
    found += violations(axe, control, "account with errors")
    control.goto(f"{base}/sessions/{sid}/prepare")
    control.locator("#f-pulse-statements").fill("")
    control.locator("form.prepare-form button[type=submit]").click()
    found += violations(axe, control, "prepare with errors")
    control.goto(f"{base}/sessions/{sid}")
    projector.goto(f"{base}/sessions/{sid}/projector")
    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    phone.goto(f"{base}/j/{code}")
    screens = ((control, "control"), (projector, "projector"), (phone, "phone"))
    for page_, name in screens:
        found += violations(axe, page_, f"{name} upcoming")
    http.post(f"{api}/start", headers=headers)
    for phase in http.get(api).json()["phases"]:
        http.post(f"{api}/phase", json={"to": phase["index"]}, headers=headers)
        if phase["kind"] == "ideas":
            phone.locator("textarea").first.fill("Hyvä työkaveri auttaa")
            phone.locator("form button[type=submit]").first.click()
        for page_, name in screens:
            found += violations(axe, page_, f"{name} {phase['kind']} ({phase['id']})")
    http.post(f"{api}/close", headers=headers)
    for page_, name in screens:
        found += violations(axe, page_, f"{name} closed")
    assert found == [], "\n".join(found)
