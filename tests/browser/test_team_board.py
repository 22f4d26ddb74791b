"""The team board in real browsers: a team member marks an action done on a phone through
the team link, the facilitator's open board shows it without reloading; then the
facilitator makes a new link and the open phone page says the old one no longer works."""

from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PHONE, TIMEOUT_MS, sign_up_through_pages
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser


def api(page, method: str, path: str, body=None) -> dict:
    """Call the JSON API from a signed-in page with its CSRF token; return status and body."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const init = {method, credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}};
            if (body) init.body = JSON.stringify(body);
            const res = await fetch(path, init);
            return {status: res.status, body: await res.json()};
        }""",
        [method, path, body],
    )


def test_member_marks_done_and_link_rotation(server, browser):
    errors: list[str] = []
    fac_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    fac_ctx.set_default_timeout(TIMEOUT_MS)
    board = fac_ctx.new_page()
    board.on("pageerror", lambda exc: errors.append(f"board: {exc}"))
    sign_up_through_pages(board, server)

    # A team through the page, a session under it with an agreed action.
    board.locator("nav a[href$='/teams']").click()
    board.fill("#team-name", "Osasto 5")
    board.locator("form[action$='/teams'] [type=submit]").click()
    board.wait_for_url(re.compile(r"/teams/\d+$"))
    team_id = int(board.url.rsplit("/", 1)[1])
    created = api(
        board,
        "POST",
        "/api/v1/sessions",
        {"model_id": "keep-change-give-up", "title": "Kevät", "team_id": team_id},
    )
    assert created["status"] == 201, created
    action = api(
        board,
        "POST",
        f"/api/v1/sessions/{created['body']['id']}/actions",
        {"client_id": uuid.uuid4().hex, "what": "Perehdytyskansio kahvihuoneeseen"},
    )
    assert action["status"] == 201, action
    action_id = action["body"]["action"]["id"]

    # The team link is made on the board page and shown once, with its QR.
    board.locator("#rotate-link").click()
    board.wait_for_selector("#new-link-url")
    link = board.input_value("#new-link-url")
    assert "/t/fat_" in link
    assert board.locator("img.team-qr").is_visible()
    board.wait_for_selector(f"#board-item-{action_id}")
    board.wait_for_selector("#team-root[data-live='true']")
    assert re.search(r"\b0\s*/\s*1\b", board.locator("#board-progress").inner_text())

    # A team member opens the link on a phone, without an account, and marks it done.
    phone_ctx = browser.new_context(**PHONE)
    phone_ctx.set_default_timeout(TIMEOUT_MS)
    phone = phone_ctx.new_page()
    phone.on("pageerror", lambda exc: errors.append(f"phone: {exc}"))
    phone.goto(link)
    phone.wait_for_selector(f"#board-item-{action_id}")
    phone.wait_for_selector("#team-root[data-live='true']")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the member board scrolls sideways ({width} px)"
    phone.screenshot(path="/tmp/team_member_375.png", full_page=True)
    item = phone.locator(f"#board-item-{action_id}")
    item.locator("select[name=status]").select_option("done")
    item.locator("input[name=note]").fill("Kansio on hyllyssä")
    item.locator("button[type=submit]").click()
    phone.wait_for_selector(f"#board-item-{action_id}[data-status='done']")

    # The facilitator's board shows it without reloading, with the history entry.
    board.wait_for_selector(f"#board-item-{action_id}[data-status='done']")
    assert re.search(r"\b1\s*/\s*1\b", board.locator("#board-progress").inner_text())
    board.locator(f"#board-item-{action_id} details summary").click()
    assert "Kansio on hyllyssä" in board.locator(f"#board-item-{action_id}").inner_text()
    board.screenshot(path="/tmp/team_board_1280.png", full_page=True)
    axe = Axe()
    found = violations(axe, board, "team board") + violations(axe, phone, "member board")

    # A new link: the open phone page says the old one no longer works, and stays so.
    board.locator("#rotate-link").click()
    board.wait_for_selector("#new-link-url")
    assert board.input_value("#new-link-url") != link
    ended = phone.locator("#board-ended")
    ended.wait_for(state="visible")
    assert ended.inner_text().strip()
    assert phone.locator(f"#board-item-{action_id} button[type=submit]").is_disabled()
    phone.screenshot(path="/tmp/team_member_ended.png", full_page=True)
    found += violations(axe, phone, "member board, link ended")
    assert phone.goto(link).status == 404

    # The new link in Swedish on the phone; the team list page.
    new_link = board.input_value("#new-link-url")
    path = "/" + new_link.split("://", 1)[1].split("/", 1)[1]
    phone.goto(server + "/lang/sv?next=" + path)
    phone.wait_for_selector(f"#board-item-{action_id}[data-status='done']")
    assert phone.locator("html").get_attribute("lang") == "sv"
    phone.locator(f"#board-item-{action_id} details summary").click()
    phone.screenshot(path="/tmp/team_member_375_sv.png", full_page=True)
    found += violations(axe, phone, "member board sv")
    board.goto(server + "/teams")
    found += violations(axe, board, "team list")
    assert found == []

    assert errors == []
    phone_ctx.close()
    fac_ctx.close()
