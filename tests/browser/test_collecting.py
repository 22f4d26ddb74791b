"""Input before the session in Chromium: the facilitator opens the window on the collect
page, a 320 px phone writes ideas days ahead, the facilitator's page counts them without
a reload, and starting the session keeps them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import new_session_through_page, phone_page

pytestmark = pytest.mark.browser

SMALL_PHONE = {"viewport": {"width": 320, "height": 568}, "is_mobile": True, "has_touch": True}


def local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Helsinki")).strftime("%Y-%m-%dT%H:%M")


def test_phone_writes_before_the_session_and_the_facilitator_sees_the_count(
    server, browser, control, tmp_path
):
    session = new_session_through_page(control, server, "keep-change-give-up", "Ennakkotehtävä")
    errors: list[str] = []
    control.on("pageerror", lambda e: errors.append(str(e)))
    control.goto(f"{server}/sessions/{session['id']}/collect")
    now = datetime.now(UTC)
    control.fill("#opens_at", local(now - timedelta(hours=1)))
    control.fill("#closes_at", local(now + timedelta(days=3)))
    control.locator("#collect-open").click()
    control.wait_for_url(re.compile(r"/collect$"))
    assert control.locator("#collect-count").inner_text() == "0 ajatusta 0 puhelimesta"
    assert session["join_code"] in control.input_value("#collect-message-fi")

    phone = phone_page(browser, **SMALL_PHONE)
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"{server}/j/{session['join_code']}")
    phone.wait_for_selector("#idea-text")
    for text in ["Yövuoron raportti lyhyemmäksi", "Lisää aikaa perehdytykseen"]:
        phone.locator(".column-picker .pill").nth(1).click()
        phone.fill("#idea-text", text)
        phone.locator("form.idea-form [type=submit]").click()
        phone.locator(".idea-own .idea-text", has_text=text).wait_for()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the phone page scrolls sideways ({width} px)"
    phone.screenshot(path=str(tmp_path / "collecting-phone-320.png"), full_page=True)

    # The facilitator's open page counts them (it re-reads every 10 s, no reload).
    control.locator("#collect-count", has_text=re.compile(r"^2 ajatusta 1 puhelimesta$")).wait_for(
        timeout=25_000
    )
    control.screenshot(path=str(tmp_path / "collecting-control.png"), full_page=True)

    # Starting from the control view keeps what was collected; the phone follows.
    control.goto(f"{server}/sessions/{session['id']}")
    control.locator("#btn-start").click()
    control.wait_for_selector("#btn-start", state="hidden")
    phone.wait_for_selector("#phase-step:not([hidden])")
    state = control.evaluate(f"fetch('{session['api']}').then(r => r.json())")
    assert state["session"]["status"] == "live"
    ideas_index = next(p["index"] for p in state["phases"] if p["kind"] == "ideas")
    moved = control.evaluate(
        """([api, to]) => fetch(api + '/phase', {method: 'POST', headers: {
             'Content-Type': 'application/json',
             'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
           body: JSON.stringify({to})}).then(r => r.json())""",
        [session["api"], ideas_index],
    )
    texts = sorted(i["text"] for i in moved["ideas"])
    assert texts == ["Lisää aikaa perehdytykseen", "Yövuoron raportti lyhyemmäksi"]
    phone.locator(".idea-own .idea-text", has_text="Lisää aikaa").wait_for()
    assert not errors, errors
    phone.context.close()
