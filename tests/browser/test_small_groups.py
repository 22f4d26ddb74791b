"""Six phones in two small groups: each group sees only its own wall; the projector
shows both groups' summaries. Runs the real server with a test template."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import new_session_through_page, phone_page, projector_page
from tests.browser.test_live_loop import post_api
from tests.phases.test_small_groups import template


@pytest.fixture
def server(serve):
    """The real server with a small-groups template in its models directory."""
    settings = {"split": "count", "groups": 2, "questions": ["Mikä kuormittaa?", "Mikä auttaa?"]}
    return serve({"sg-browser": template("sg-browser", settings)})


def test_six_phones_in_two_groups(server, browser, control, tmp_path):
    fac_ctx = control.context
    session = new_session_through_page(control, server, "sg-browser", "Pienryhmät")
    session_id, join_code, api = session["id"], session["join_code"], session["api"]

    projector = projector_page(fac_ctx, server, session_id)
    phones = []
    for _ in range(6):
        page = phone_page(browser)
        page.goto(f"{server}/j/{join_code}")
        phones.append(page)
    for page in phones:
        page.wait_for_selector(".waiting")
    assert post_api(control, api + "/start", {}) == 200
    assert post_api(control, api + "/phase", {"to": 0}) == 200
    assert post_api(control, api + "/groups/form", {}) == 200

    groups: dict[int, list] = {1: [], 2: []}
    for page in phones:
        heading = page.locator("#sg-mine")
        heading.wait_for()
        number = int(re.search(r"\d+", heading.inner_text()).group())
        groups[number].append(page)
    assert [len(groups[1]), len(groups[2])] == [3, 3]

    for number, members in groups.items():
        members[0].fill("#sg-text", f"Ryhmän {number} ajatus")
        members[0].locator(".sg-mine form [type=submit]").click()
    for number, members in groups.items():
        other = 2 if number == 1 else 1
        for page in members:
            page.locator(".sg-notes li", has_text=f"Ryhmän {number} ajatus").wait_for()
            assert page.locator(".sg-notes li", has_text=f"Ryhmän {other} ajatus").count() == 0
    for number in (1, 2):
        projector.locator(".sg-group", has_text=f"Ryhmän {number} ajatus").wait_for()
    assert projector.locator(".sg-group").count() == 2
    projector.screenshot(path=str(tmp_path / "sg-projector.png"))
    groups[1][0].screenshot(path="/tmp/sg-phone.png")
    projector.screenshot(path="/tmp/sg-projector.png")
    control.goto(f"{server}/sessions/{session_id}")
    control.locator(".sg-group").first.wait_for()
    control.screenshot(path="/tmp/sg-control.png", full_page=True)
