"""The control view's forms for experiments and ground rules (actions phase `item_kinds`)
in Chromium: fill one in, see it listed with its fields, record what was learned."""

from __future__ import annotations

import pytest

from tests.browser.conftest import new_session_through_page

pytestmark = pytest.mark.browser

API_POST = """([url, body]) => fetch(url, {method: 'POST', headers: {
  'Content-Type': 'application/json',
  'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
  body: JSON.stringify(body)}).then(r => r.json())"""


def test_experiment_form_records_all_its_fields(server, control, tmp_path):
    session = new_session_through_page(control, server, "dynamo-tapaaminen", "Dynamo 2")
    errors: list[str] = []
    control.on("pageerror", lambda e: errors.append(str(e)))
    control.evaluate(API_POST, [session["api"] + "/start", {}])
    state = control.evaluate(API_POST, [session["api"] + "/phase", {"to": 3}])
    assert state["phase"]["kind"] == "actions"
    control.goto(f"{server}/sessions/{session['id']}")
    control.wait_for_selector("#new-experiment-what")
    # This phase records experiments only: the plain action form is not offered.
    assert control.locator("#sec-action-form").is_hidden()
    control.fill("#new-experiment-what", "Hiljainen tunti aamuisin")
    control.fill("#new-experiment-why", "Kirjaamiselle rauhaa")
    control.fill("#new-experiment-how_know", "Kirjaukset valmiina klo 10")
    control.fill("#new-experiment-who", "Aamuvuoro")
    control.fill("#new-experiment-due", "2027-01-31")
    control.locator("[data-key=add-experiment]").click()
    item = control.locator(".item-kind-list .action", has_text="Hiljainen tunti aamuisin")
    item.wait_for()
    assert "Kirjaukset valmiina klo 10" in item.inner_text()
    control.screenshot(path=str(tmp_path / "experiment-form.png"), full_page=True)

    # Later: what we learned, through the same form in edit mode.
    item.locator("[data-key^=edit-item-]").click()
    control.locator(".item-kind-list textarea[name=learned]").fill("Toimi, kun ovi oli kiinni")
    control.locator("[data-key=save-experiment]").click()
    control.locator(".item-kind-list .action", has_text="Toimi, kun ovi oli kiinni").wait_for()
    actions = control.evaluate(f"fetch('{session['api']}').then(r => r.json())")["actions"]
    assert [
        (a["item_kind"], a["why"], a["how_know"], a["who"], a["due"], a["learned"]) for a in actions
    ] == [
        (
            "experiment",
            "Kirjaamiselle rauhaa",
            "Kirjaukset valmiina klo 10",
            "Aamuvuoro",
            "2027-01-31",
            "Toimi, kun ovi oli kiinni",
        )
    ]
    width = control.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    assert not errors, errors
