"""The team link in real browsers, the cases test_team_board.py leaves open:

- a stale update on a phone (375 px): the facilitator changed the item while the phone's
  save was on its way; the phone gets a clear message and the current status, and saving
  again works; the facilitator's board shows the member's update without reloading;
- the facilitator *stops* the link (not a new one) while two member pages are open: both
  say at once that the link no longer works, their forms are disabled, a save tried
  anyway changes nothing, and the link, its feed and its poster answer 404.
"""

from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PHONE, TIMEOUT_MS, sign_up_through_pages
from tests.browser.test_accessibility import violations
from tests.browser.test_team_board import api

pytestmark = pytest.mark.browser


def test_stale_save_on_a_phone_then_the_link_is_stopped(server, browser):
    errors: list[str] = []
    fac_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    fac_ctx.set_default_timeout(TIMEOUT_MS)
    board = fac_ctx.new_page()
    board.on("pageerror", lambda exc: errors.append(f"board: {exc}"))
    sign_up_through_pages(board, server)

    board.locator("nav a[href$='/teams']").click()
    board.fill("#team-name", "Päivystys")
    board.locator("form[action$='/teams'] [type=submit]").click()
    board.wait_for_url(re.compile(r"/teams/\d+$"))
    team_id = int(board.url.rsplit("/", 1)[1])
    created = api(
        board,
        "POST",
        "/api/v1/sessions",
        {"model_id": "kokouskaytannot", "title": "Kokoukset", "team_id": team_id},
    )
    assert created["status"] == 201, created
    sid = created["body"]["id"]
    rule = api(
        board,
        "POST",
        f"/api/v1/sessions/{sid}/actions",
        {
            "client_id": uuid.uuid4().hex,
            "item_kind": "ground_rule",
            "what": "Jokainen kokous päättyy sovittuihin asioihin",
            "how_check": "Muistion lopussa",
        },
    )
    assert rule["status"] == 201, rule
    action = api(
        board,
        "POST",
        f"/api/v1/sessions/{sid}/actions",
        {"client_id": uuid.uuid4().hex, "what": "Asialistapohja yhteiseen kansioon"},
    )
    item_id = action["body"]["action"]["id"]
    board.locator("#rotate-link").click()
    board.wait_for_selector("#new-link-url")
    link = board.input_value("#new-link-url")
    board.wait_for_selector("#team-root[data-live='true']")

    phones = []
    for _ in range(2):
        ctx = browser.new_context(**PHONE)
        ctx.set_default_timeout(TIMEOUT_MS)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(f"phone: {exc}"))
        page.goto(link)
        page.wait_for_selector("#team-root[data-live='true']")
        page.wait_for_selector(f"#board-item-{item_id}")
        phones.append(page)
    phone, other = phones
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the member board scrolls sideways ({width} px)"

    # The phone's save leaves with version 1; before it arrives the facilitator moves the
    # item to "in progress" (version 2).
    held = {"done": False}

    def hold(route, request):
        if request.method == "POST" and not held["done"]:
            held["done"] = True
            moved = api(
                board,
                "PATCH",
                f"/api/v1/teams/{team_id}/items/{item_id}",
                {"version": 1, "status": "in_progress", "note": "Pohja tekeillä"},
            )
            assert moved["status"] == 200, moved
        route.continue_()

    phone.route(re.compile(rf"/t/[^/]+/items/{item_id}$"), hold)
    item = phone.locator(f"#board-item-{item_id}")
    item.locator("select[name=status]").select_option("done")
    item.locator("button[type=submit]").click()
    # Refused as stale: a message, and the item as it now is (the facilitator's change).
    phone.wait_for_selector(f"#board-item-{item_id}[data-status='in_progress']")
    phone.wait_for_function(
        "id => /\\S/.test(document.querySelector('#board-item-' + id + ' .item-message')"
        ".textContent)",
        arg=item_id,
    )
    stale_text = item.locator(".item-message").inner_text()
    assert held["done"]
    assert item.locator("select[name=status]").input_value() == "in_progress"
    phone.screenshot(path="/tmp/team_member_stale_375.png", full_page=True)
    # Saving again from the current version works; the board shows it without reloading.
    phone.unroute(re.compile(rf"/t/[^/]+/items/{item_id}$"))
    item.locator("select[name=status]").select_option("done")
    item.locator("input[name=note]").fill("Pohja on kansiossa")
    item.locator("button[type=submit]").click()
    phone.wait_for_selector(f"#board-item-{item_id}[data-status='done']")
    assert item.locator(".item-message").inner_text() not in ("", stale_text)  # "Saved"
    board.wait_for_selector(f"#board-item-{item_id}[data-status='done']")
    other.wait_for_selector(f"#board-item-{item_id}[data-status='done']")
    board.locator(f"#board-item-{item_id} details summary").click()
    history = board.locator(f"#board-item-{item_id}").inner_text()
    assert "Pohja tekeillä" in history and "Pohja on kansiossa" in history

    axe = Axe()
    found = violations(axe, phone, "member board after a stale save")

    # The facilitator stops the link while both member pages are open.
    board.locator(f"form[action$='/teams/{team_id}/link/revoke'] [type=submit]").click()
    board.wait_for_load_state()
    for page in (phone, other):
        ended = page.locator("#board-ended")
        ended.wait_for(state="visible")
        assert ended.inner_text().strip()
        assert page.locator(f"#board-item-{item_id} button[type=submit]").is_disabled()
        assert page.locator(f"#board-item-{item_id} select[name=status]").is_disabled()
        # The calendar feed and posters ended with the link: no dead links are offered.
        assert page.locator(".team-files").is_hidden()
    other.screenshot(path="/tmp/team_member_stopped_375.png", full_page=True)
    found += violations(axe, other, "member board, link stopped")
    # A save tried anyway (a page that missed the event) changes nothing.
    tried = other.evaluate(
        """async ([url, id]) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const res = await fetch(url + '/items/' + id, {method: 'POST',
                credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: JSON.stringify({version: 3, status: 'dropped'})});
            return {status: res.status, body: await res.json()};
        }""",
        [link, item_id],
    )
    assert tried["status"] == 404 and tried["body"]["error"]["code"] == "link_revoked"
    current = api(board, "GET", f"/api/v1/teams/{team_id}/board")["body"]["items"]
    assert {i["id"]: i["status"] for i in current}[item_id] == "done"
    for path in ("", "/calendar.ics", "/poster"):
        assert other.request.get(link + path).status == 404, path
    assert found == []
    assert errors == [], errors
    assert stale_text
    for page in phones:
        page.context.close()
    fac_ctx.close()
