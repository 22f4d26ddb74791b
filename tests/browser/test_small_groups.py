"""Six phones in two small groups: each group sees only its own wall; the projector
shows both groups' summaries. Runs the real server with a test template."""

from __future__ import annotations

import re
import uuid

import pytest
import yaml

from tests.browser.test_live_loop import PHONE, TIMEOUT_MS, post_api
from tests.phases.test_small_groups import template
from tests.server_process import ServerProcess


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The real server with a small-groups template in its models directory."""
    models = tmp_path / "models"
    models.mkdir()
    settings = {"split": "count", "groups": 2, "questions": ["Mikä kuormittaa?", "Mikä auttaa?"]}
    text = yaml.safe_dump(template("sg-browser", settings), allow_unicode=True)
    (models / "sg-browser.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("FACILITATOR_MODELS_DIR", str(models))
    process = ServerProcess(tmp_path)
    process.start()
    yield process.url
    process.stop()


def test_six_phones_in_two_groups(server, browser, tmp_path):
    fac_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    fac_ctx.set_default_timeout(TIMEOUT_MS)
    control = fac_ctx.new_page()
    control.goto(server + "/auth/signup")
    control.fill("#name", "Fasilitaattori")
    control.fill("#email", f"fasi-{uuid.uuid4().hex[:8]}@example.fi")
    control.fill("#password", "hyva-salasana-123")
    control.fill("#password2", "hyva-salasana-123")
    control.locator("form[action$='/auth/signup'] [type=submit]").click()
    control.wait_for_url(re.compile(r"/auth/login"))
    control.fill("#password", "hyva-salasana-123")
    control.locator("form[action*='/auth/login'] [type=submit]").click()
    control.wait_for_url(re.compile(r"/sessions$"))
    control.goto(server + "/sessions/new")
    control.fill("#title", "Pienryhmät")
    control.check("input[type=radio][value='sg-browser']")
    control.locator("form[action$='/sessions/new'] [type=submit]").click()
    control.wait_for_url(re.compile(r"/sessions/\d+$"))
    session_id = int(control.url.rstrip("/").rsplit("/", 1)[1])
    api = f"/api/v1/sessions/{session_id}"
    info = control.evaluate(f"fetch('{api}').then(r => r.json())")
    join_code = info["session"]["join_code"]

    projector = fac_ctx.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"{server}/sessions/{session_id}/projector")
    phones = []
    for _ in range(6):
        ctx = browser.new_context(**PHONE)
        ctx.set_default_timeout(TIMEOUT_MS)
        page = ctx.new_page()
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
