"""Poll, private reflection and the grown rate kind in the real browser: phones answer
through the page (fi and sv), the private answers survive a reload from localStorage
and only the count reaches the projector; screenshots go to $FA_SHOTS if set."""

from __future__ import annotations

import os
import re

import pytest

from tests.browser.conftest import PHONE, TIMEOUT_MS, new_session_through_page
from tests.browser.test_live_loop import post_api

SHOTS = os.environ.get("FA_SHOTS")

TEMPLATE = {
    "id": "poll-private-browser",
    "version": 1,
    "title": {"fi": "Kysely ja pohdinta", "sv": "Enkät och reflektion", "en": "Poll"},
    "description": "Testipohja",
    "phases": [
        {
            "id": "kysely",
            "kind": "poll",
            "title": {"fi": "Milloin kiire on pahin?", "sv": "När är brådskan värst?"},
            "prompt": {"fi": "Valitse yksi.", "sv": "Välj ett."},
            "minutes": 5,
            "settings": {
                "options": [
                    {"id": "aamu", "title": {"fi": "Aamulla", "sv": "På morgonen"}},
                    {"id": "ilta", "title": {"fi": "Illalla", "sv": "På kvällen"}},
                ],
                "dont_know": True,
                "show_results": "live",
            },
        },
        {
            "id": "arvio",
            "kind": "rate",
            "title": {"fi": "Tavoitteet", "sv": "Målen"},
            "prompt": {"fi": "Arvioi.", "sv": "Bedöm."},
            "minutes": 5,
            "settings": {
                "statements": [
                    {"id": "t1", "text": {"fi": "Tauot pidetään", "sv": "Pauserna hålls"}}
                ],
                "scale": {
                    "min": 1,
                    "max": 4,
                    "labels": [
                        {"fi": "Ei toteutunut", "sv": "Uppnåddes inte"},
                        {"fi": "Osittain", "sv": "Delvis"},
                        {"fi": "Pääosin", "sv": "Till största delen"},
                        {"fi": "Täysin", "sv": "Helt"},
                    ],
                },
                "dont_know": True,
                "grades": True,
            },
        },
        {
            "id": "oma",
            "kind": "private",
            "title": {"fi": "Oma lupaukseni", "sv": "Mitt eget löfte"},
            "prompt": {"fi": "Vastaukset jäävät puhelimeesi.", "sv": "Svaren stannar i telefonen."},
            "minutes": 5,
            "settings": {
                "items": [{"id": "lupaus", "text": {"fi": "Mitä lupaan?", "sv": "Vad lovar jag?"}}],
                "share": "optional",
            },
        },
    ],
}


@pytest.fixture
def server(serve):
    return serve({"poll-private-browser": TEMPLATE})


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


def test_poll_rate_and_private_through_the_pages(server, browser, control):
    fac = control.context
    errors: list[str] = []
    control.on("pageerror", lambda e: errors.append(f"control: {e}"))
    session = new_session_through_page(control, server, "poll-private-browser", "Kysely")
    session_id, code, api = session["id"], session["join_code"], session["api"]
    projector = fac.new_page()
    projector.on("pageerror", lambda e: errors.append(f"projector: {e}"))
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"{server}/sessions/{session_id}/projector")

    phones = []
    for n in range(5):
        ctx = browser.new_context(**PHONE)
        ctx.set_default_timeout(TIMEOUT_MS)
        page = ctx.new_page()
        page.on("pageerror", lambda e, n=n: errors.append(f"phone {n}: {e}"))
        if n == 1:
            # Until the language page has settled: a request of it still in flight could
            # answer after /j/<code> with the older cookie, without the participant token.
            page.goto(f"{server}/lang/sv", wait_until="networkidle")
        page.goto(f"{server}/j/{code}")
        phones.append(page)
    # Each phone shows "waiting" only once its join was answered, so it is in the room
    # and sees the start. Start lands on phase 0: one `phase` event, one re-read of the
    # snapshot (a second move to phase 0 would send another, and a snapshot asked for
    # before a click could arrive after it and clear the radio for a moment).
    for page in phones:
        page.wait_for_selector(".waiting")
    assert post_api(control, api + "/start", {}) == 200
    for page in phones:
        page.wait_for_selector(".poll-options input:enabled")

    # Poll: five phones choose through the page; live results appear from five.
    for n, page in enumerate(phones):
        name = "På morgonen" if n == 1 else ("Aamulla" if n % 2 == 0 else "Illalla")
        page.get_by_label(name).check()
    for _ in range(50):
        block = control.evaluate(f"fetch('{api}').then(r => r.json())")["poll"]
        if block["responses"] == 5:
            break
        phones[0].wait_for_timeout(200)
    assert block["counts"] == {"aamu": 4, "ilta": 1}, block
    phones[0].wait_for_selector(".poll-result .chart")
    projector.wait_for_selector(".p-poll .chart")
    shot(phones[0], "poll-phone-fi")
    shot(phones[1], "poll-phone-sv")
    shot(projector, "poll-projector")
    control.reload()
    control.wait_for_selector(".poll-chart")
    shot(control, "poll-control")

    # Rate with labels, don't know and the agreed grade.
    assert post_api(control, api + "/phase", {"to": 1}) == 200
    phones[0].get_by_label(re.compile("Pääosin")).check()
    phones[1].get_by_label(re.compile("Vet inte|Kan inte säga|Don't know|En osaa")).check()
    status = control.evaluate(
        f"""fetch('{api}/phases/arvio/grades/t1', {{method: 'PUT', credentials: 'same-origin',
            headers: {{'Content-Type': 'application/json',
                       'X-CSRFToken': document.querySelector('meta[name="csrf-token"]').content}},
            body: JSON.stringify({{grade: 3}})}}).then(r => r.status)"""
    )
    assert status == 200
    projector.wait_for_selector("td.rate-grade:has-text('Pääosin')")
    phones[0].wait_for_selector(".rate-grade")
    shot(phones[0], "rate-phone-fi")
    shot(phones[1], "rate-phone-sv")
    shot(projector, "rate-projector")

    # Private: the answer stays in the browser (a reload keeps it); done is counted.
    assert post_api(control, api + "/phase", {"to": 2}) == 200
    area = phones[0].locator("textarea")
    area.fill("Lähden kävelylle joka päivä")
    phones[0].reload()
    assert phones[0].locator("textarea").input_value() == "Lähden kävelylle joka päivä"
    for page in phones[:3]:
        page.locator(".private-actions .btn.primary").click()
    # "Valmiina 3/5" in Finnish; the spacing around the slash is the translation's.
    projector.wait_for_selector("text=/\\b3\\s*\\/\\s*5\\b/")
    shot(phones[0], "private-phone-fi")
    shot(phones[1], "private-phone-sv")
    shot(projector, "private-projector")
    control.reload()
    control.wait_for_selector("#sec-private")
    shot(control, "private-control")
    assert "kävelylle" not in projector.content()
    assert errors == []
