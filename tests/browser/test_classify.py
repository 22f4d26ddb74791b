"""Classifying in the browser: phones place tasks into categories, the projector's matrix
marks where people agree, the control view sets a final category; a later phase shows the
banner. Runs the real server with the sorting template of tests/phases/test_classify.py.
Screenshots go to $FACILITATOR_SHOTS when set."""

from __future__ import annotations

import copy
import os

import pytest

from tests.browser.conftest import phone_page, projector_page
from tests.browser.test_live_loop import post_api
from tests.phases.test_classify import TEMPLATE

SHOTS = os.environ.get("FACILITATOR_SHOTS")
ERRORS: list[str] = []


@pytest.fixture
def server(serve):
    """The real server with the sorting template (Finnish and Swedish text)."""
    data = copy.deepcopy(TEMPLATE)
    for category, sv in zip(
        data["phases"][1]["settings"]["categories"], ["Central", "Onödig", "Olämplig"], strict=True
    ):
        title = category["title"]
        category["title"] = {"fi": title if isinstance(title, str) else title["fi"], "sv": sv}
    return serve({"sorting": data})


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_phones_classify_and_the_room_sees_the_matrix(server, browser, control, language):
    fac_ctx = control.context
    body = {"model_id": "sorting", "title": "Kiire", "language": language}
    assert post_api(control, "/api/v1/sessions", body) == 201
    sessions = control.evaluate("fetch('/api/v1/sessions').then(r => r.json())")
    session = sessions["sessions"][0] if isinstance(sessions, dict) else sessions[0]
    sid, code = session["id"], session["join_code"]
    api = f"/api/v1/sessions/{sid}"

    phones = []
    for _ in range(5):
        page = phone_page(browser)
        page.on("pageerror", lambda e: ERRORS.append(str(e)))
        page.goto(f"{server}/j/{code}")
        phones.append(page)
    assert post_api(control, api + "/start", {}) == 200
    texts = ["Raportointi", "Palaverit", "Asiakastyö"]
    for page, text in zip(phones, texts, strict=False):
        page.wait_for_selector("#idea-text")
        page.fill("#idea-text", text)
        page.locator(".column-picker .pill").nth(1).click()
        page.locator("form.idea-form [type=submit]").click()
    phones[0].wait_for_function("document.querySelectorAll('.idea, .idea-card, li').length >= 3")
    assert post_api(control, api + "/phase", {"to": 1}) == 200

    for page in phones:
        page.wait_for_selector(".classify-items fieldset")
        assert page.locator(".classify-items fieldset").count() == 3
        page.locator(".classify-items fieldset").first.locator("label.pill").nth(1).click()
        page.wait_for_function(
            "document.querySelector('.classify-items fieldset input:checked') !== null"
        )
    assert not ERRORS, ERRORS
    phones[0].wait_for_timeout(500)
    shot(phones[0], f"classify-phone-{language}")

    projector = projector_page(fac_ctx, server, sid)
    projector.wait_for_selector(".classify-matrix")
    # Hidden from the room until input closes.
    assert projector.locator(".classify-matrix td.is-agreed").count() == 0
    assert post_api(control, api + "/input", {"open": False}) == 200
    projector.wait_for_selector(".classify-matrix td.is-agreed")
    shot(projector, f"classify-projector-{language}")

    control.goto(f"{server}/sessions/{sid}")
    control.wait_for_selector(".classify-matrix select")
    control.locator(".classify-matrix select").nth(1).select_option(index=3)
    control.wait_for_selector(".classify-matrix td.is-final")
    shot(control, f"classify-control-{language}")

    # A later phase with a banner: the items decided unnecessary.
    assert post_api(control, api + "/phase", {"to": 3}) == 200
    phones[1].wait_for_selector("#phase-banner:not([hidden])")
    assert phones[1].locator("#phase-banner li").count() == 1
    projector.wait_for_selector("#phase-banner:not([hidden])")
    shot(phones[1], f"banner-phone-{language}")
    shot(projector, f"banner-projector-{language}")
