"""The review kind in the real browser: a team's open items from its first session come
back in the second; two phones (320 px and 375 px) check progress through the page, the
facilitator carries one item forward from the control view, and the projector and the
phones show the decision. Screenshots go to $FA_SHOTS if set."""

from __future__ import annotations

import os
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.test_accessibility import violations
from tests.browser.test_projector import assert_readable

SHOTS = os.environ.get("FA_SHOTS")

TEMPLATE = {
    "id": "review-browser",
    "version": 1,
    "title": {"fi": "Seurantapalaveri", "sv": "Uppföljningsmöte", "en": "Follow-up"},
    "description": "Testipohja",
    "phases": [
        {
            "id": "katsaus",
            "kind": "review",
            "title": {
                "fi": "Miten sovitut asiat etenevät?",
                "sv": "Hur går det med det vi kom överens om?",
            },
            "prompt": {"fi": "Arvioi jokainen asia.", "sv": "Bedöm varje sak."},
            "minutes": 15,
        },
        {
            "id": "sovitaan",
            "kind": "actions",
            "title": {"fi": "Sovitaan", "sv": "Vi kommer överens"},
            "prompt": {"fi": "Mitä teemme?", "sv": "Vad gör vi?"},
            "minutes": 10,
            "settings": {"item_kinds": ["action", "experiment"]},
        },
    ],
}


@pytest.fixture
def server(serve):
    return serve({"review-browser": TEMPLATE})


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


def api(page, method: str, path: str, body=None):
    """Call the JSON API from the signed-in page; return (status, JSON)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const res = await fetch('/api/v1' + path, {method, credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: body === null ? undefined : JSON.stringify(body)});
            return [res.status, await res.json()];
        }""",
        [method, path, body],
    )


def test_two_phones_check_progress_and_the_facilitator_carries_one_forward(
    server, browser, control
):
    fac = control.context
    errors: list[str] = []
    control.on("pageerror", lambda e: errors.append(f"control: {e}"))

    status, team = api(control, "POST", "/teams", {"name": "Osasto 5"})
    assert status == 201, team
    team_id = team["team"]["id"]
    body = {"model_id": "review-browser", "title": "Kehittämispäivä 1", "team_id": team_id}
    status, first = api(control, "POST", "/sessions", body)
    assert status == 201, first
    items = {}
    for what, kind in (("Perehdytyslista uusiksi", "action"), ("Hiljainen tunti", "experiment")):
        payload = {"client_id": uuid.uuid4().hex, "what": what, "item_kind": kind}
        status, made = api(control, "POST", f"/sessions/{first['id']}/actions", payload)
        assert status == 201, made
        items[what] = made["action"]["id"]
    body["title"] = "Kehittämispäivä 2"
    status, second = api(control, "POST", "/sessions", body)
    assert status == 201, second
    session_id = second["id"]
    control.goto(f"{server}/sessions/{session_id}")
    projector = fac.new_page()
    projector.on("pageerror", lambda e: errors.append(f"projector: {e}"))
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"{server}/sessions/{session_id}/projector")

    phones = []
    for n, width in enumerate((320, 375)):
        ctx = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 740}})
        ctx.set_default_timeout(TIMEOUT_MS)
        page = ctx.new_page()
        page.on("pageerror", lambda e, n=n: errors.append(f"phone {n}: {e}"))
        page.goto(f"{server}/j/{second['join_code']}")
        phones.append(page)
    for page in phones:
        page.wait_for_selector(".waiting")
    status, _ = api(control, "POST", f"/sessions/{session_id}/start", {})
    assert status == 200

    # Both phones check both items through the page; one adds a note.
    for n, page in enumerate(phones):
        page.wait_for_selector(".review-item input:enabled")
        cards = page.locator("fieldset.review-item")
        assert cards.count() == 2
        cards.filter(has_text="Perehdytyslista").locator("input[value=partly]").check()
        cards.filter(has_text="Hiljainen tunti").locator("input[value=done]").check()
        if n == 0:
            card = cards.filter(has_text="Perehdytyslista")
            card.locator("textarea").fill("Odottaa esihenkilön kommentteja")
            card.locator("button").click()
    for _ in range(50):
        block = api(control, "GET", f"/sessions/{session_id}")[1]["review"]
        answered = {i["id"]: i["responses"] for i in block["items"]}
        if all(n == 2 for n in answered.values()):
            break
        control.wait_for_timeout(200)
    assert answered == {items["Perehdytyslista uusiksi"]: 2, items["Hiljainen tunti"]: 2}
    # Below five answers nobody sees a distribution or a note.
    assert all(i["counts"] is None and i["notes"] is None for i in block["items"])
    assert phones[0].evaluate("document.documentElement.scrollWidth") <= 320
    shot(phones[0], "review-phone-320")

    # The facilitator carries the first item forward from the control view.
    lista = items["Perehdytyslista uusiksi"]
    control.wait_for_selector(f"[data-key='rv-{lista}-carry']")
    shot(control, "review-control-before")
    control.locator(f"[data-key='rv-{lista}-carry']").click()
    control.wait_for_selector(f".review-item.is-carried[data-item='{lista}']")
    status, state = api(control, "GET", f"/sessions/{session_id}")
    carried = [a for a in state["actions"] if a["what"] == "Perehdytyslista uusiksi"]
    assert len(carried) == 1
    item = {i["id"]: i for i in state["review"]["items"]}[lista]
    assert item["status"] == "carried_forward"
    assert item["outcome"]["carried_to"] == carried[0]["id"]
    # The room sees the decision without reloading.
    projector.wait_for_selector(".p-review-decision")
    phones[1].wait_for_selector(".review-decision")
    shot(control, "review-control")
    shot(projector, "review-projector")
    shot(phones[1], "review-phone-375")
    assert "Odottaa esihenkilön" not in projector.content()

    # The team board reads the item's life: the new copy names where it came from.
    board = fac.new_page()
    board.on("pageerror", lambda e: errors.append(f"board: {e}"))
    board.goto(f"{server}/teams/{team_id}")
    board.wait_for_selector(".item-chain")
    chains = board.locator(".item-chain")
    assert chains.count() == 2  # the old item and its copy
    for n in range(2):
        chains.nth(n).locator("summary").click()
    old, new = chains.nth(0).inner_text(), chains.nth(1).inner_text()
    assert "Kehittämispäivä 2" in old  # carried forward to the copy
    assert "Kehittämispäivä 1" in new  # carried forward from the first session
    shot(board, "review-board-chain")

    # Three more phones check the experiment: from five answers its distribution and
    # its notes (without writers) reach the projector and the phones; the other item
    # still has two answers, so its note stays hidden.
    for n in range(3):
        ctx = browser.new_context(**PHONE)
        ctx.set_default_timeout(TIMEOUT_MS)
        page = ctx.new_page()
        page.on("pageerror", lambda e, n=n: errors.append(f"phone {n + 2}: {e}"))
        page.goto(f"{server}/j/{second['join_code']}")
        card = page.locator("fieldset.review-item").filter(has_text="Hiljainen tunti")
        card.locator("input[value=partly]:enabled").check()
        if n == 0:
            card.locator("textarea").fill("Toimi hyvin aamuvuorossa")
            card.locator("button").click()
    page.wait_for_selector(".review-item .chart")
    projector.wait_for_selector(".p-review-chart")
    projector.wait_for_selector("text=Toimi hyvin aamuvuorossa")
    phones[0].wait_for_selector(".review-notes")
    assert "Odottaa esihenkilön" not in projector.content()
    shot(projector, "review-projector-results")
    shot(phones[0], "review-phone-320-results")
    assert phones[0].evaluate("document.documentElement.scrollWidth") <= 320
    assert_readable(projector, "review projector")
    axe = Axe()
    found = violations(axe, phones[0], "review phone 320")
    found += violations(axe, projector, "review projector")
    control.reload()
    control.wait_for_selector(".review-control .chart")
    shot(control, "review-control-results")
    found += violations(axe, control, "review control")
    assert found == [], "\n".join(found)
    assert errors == []
