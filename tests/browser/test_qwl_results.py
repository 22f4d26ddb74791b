"""The QWL results view in a real browser: the projector at 1920x1080 (numbers on the
charts, nothing under 24 px, nothing cut off) and a 320 px phone choosing its focus.
The projector screenshot is kept at docs/screenshots/qwl-results-1920.png (retaken with
FACILITATOR_SCREENSHOT_DIR=docs/screenshots)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from tests.browser.conftest import new_session_through_page, phone_page, projector_page
from tests.browser.test_accessibility import violations

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "docs" / "samples" / "qwl"
# Set FACILITATOR_SCREENSHOT_DIR=docs/screenshots to retake the committed screenshots;
# a plain test run keeps its pictures out of the checkout.
SCREENSHOT = (
    Path(os.environ.get("FACILITATOR_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "fa-shots")
    / "qwl-results-1920.png"
)


@pytest.fixture
def server(serve, monkeypatch):
    """The real server with a public join address, as in a room (no loopback warning)."""
    monkeypatch.setenv("FACILITATOR_PUBLIC_URL", "https://tyopaja.example.fi")
    return serve()


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


def import_on_the_page(page, server: str, session_id: int, name: str) -> None:
    """Import a sample file through the QWL page's form, as a facilitator would."""
    page.goto(f"{server}/sessions/{session_id}/qwl")
    page.set_input_files("#qwl-file", str(SAMPLES / name))
    page.locator("form[action$='/qwl/import'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/qwl$"))
    assert page.locator(".flash-success").count() == 1


def test_projector_and_phone_show_the_results(server, browser, control):
    session = new_session_through_page(control, server, "qwl-tulosten-kasittely", "QWL kevät")
    import_on_the_page(
        control, server, session["id"], "kotihoito-syksy-2021-windows1252-sarkain.csv"
    )
    import_on_the_page(control, server, session["id"], "kotihoito-kevat-2022.xlsx")
    status, state = api(control, "GET", f"/sessions/{session['id']}")
    index = next(p["index"] for p in state["phases"] if p["id"] == "results")
    api(control, "POST", f"/sessions/{session['id']}/start")
    assert api(control, "POST", f"/sessions/{session['id']}/phase", {"to": index})[0] == 200

    screen = projector_page(control.context, server, session["id"])
    screen.wait_for_selector(".qwl-projector .qwl-index-value")
    screen.wait_for_timeout(400)
    assert screen.locator(".qwl-index-value").inner_text().replace("\u00a0", " ") == "54,9 %"
    # The trend's numbers are written on it, and every shown statement carries its value.
    values = screen.locator(".qwl-trend-value").all_inner_texts()
    assert [v.replace("\u00a0", " ") for v in values] == ["53,8 %", "54,9 %"]
    assert screen.locator(".qwl-row:not(.qwl-row-head):not([hidden]) .qwl-bar-value").count() >= 5
    # Change is told by an arrow and a sign, not by colour alone.
    assert "▼ −2,5" in screen.locator(".qwl-rows").inner_text()
    # Nothing below 24 px, and nothing spills out of the screen.
    small = screen.evaluate(
        """() => [...document.querySelectorAll('.qwl-projector *')]
            .filter(e => e.offsetParent && e.childNodes.length && [...e.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .filter(e => parseFloat(getComputedStyle(e).fontSize) < 24)
            .map(e => e.className + ': ' + e.textContent.trim().slice(0, 30))"""
    )
    assert small == []
    overflow = screen.evaluate(
        "() => document.documentElement.scrollHeight > innerHeight"
        " || document.documentElement.scrollWidth > innerWidth"
    )
    assert overflow is False
    # Every shown row and side box ends inside its column: the rest is on the next page.
    cut = screen.evaluate(
        """() => ['.qwl-rows', '.qwl-side'].flatMap(sel => {
            const host = document.querySelector(sel).getBoundingClientRect();
            return [...document.querySelector(sel).children]
              .filter(c => !c.hidden && c.getBoundingClientRect().bottom > host.bottom + 1)
              .map(c => sel + ': ' + c.textContent.trim().slice(0, 30));
        })"""
    )
    assert cut == []
    assert screen.locator(".p-pager").inner_text() != ""
    # The statement with 4 answers shows no number anywhere.
    assert "57,1" not in screen.locator("body").inner_text()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=str(SCREENSHOT))
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = violations(axe, screen, "projector results")

    # --- a 320 px phone in the focus vote ------------------------------------------
    focus = next(p["index"] for p in state["phases"] if p["id"] == "focus")
    assert api(control, "POST", f"/sessions/{session['id']}/phase", {"to": focus})[0] == 200
    phone = phone_page(browser, viewport={"width": 320, "height": 640})
    phone.goto(f"{server}/j/{session['join_code']}")
    phone.wait_for_selector(".qwl-phone-statement")
    boxes = phone.locator(".qwl-focus input[type=checkbox]")
    assert boxes.count() == 11  # t09 (4 answers) cannot be chosen
    for n in range(3):
        # A snapshot arriving right after the join may re-render the list and swallow a
        # click: tick again until the phone shows the choice.
        for _attempt in range(3):
            try:
                if not boxes.nth(n).is_checked():
                    boxes.nth(n).click()
                phone.wait_for_function(
                    f"() => document.querySelectorAll('.qwl-focus input:checked').length > {n}",
                    timeout=3000,
                )
                break
            except Exception:  # noqa: BLE001  (retried; the final check below decides)
                continue
    phone.wait_for_function(
        "() => [...document.querySelectorAll('.qwl-focus input')]"
        ".filter(i => i.disabled).length === 8"
    )
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 320
    phone.screenshot(path=str(SCREENSHOT.parent / "qwl-phone-320.png"), full_page=True)
    found += violations(axe, phone, "phone focus 320")
    for path in ("", "/plan"):
        control.goto(f"{server}/sessions/{session['id']}/qwl{path}")
        found += violations(axe, control, "qwl page" + path)
    control.goto(f"{server}/sessions/{session['id']}")
    control.wait_for_selector("#sec-results")
    found += violations(axe, control, "control results")
    assert found == []
    status, after = api(control, "GET", f"/sessions/{session['id']}")
    assert after["results"]["tally"]["voters"] == 1
