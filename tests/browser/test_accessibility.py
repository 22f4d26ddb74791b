"""WCAG 2.1 A/AA checks with axe-core on every page, in every phase kind, in Chromium.

The live views (control 1280×800, projector 1920×1080, phone 375 px) are checked in every
phase of sytyttaja and in the phases of the other shipped templates whose kinds (or
variants: labelled scale with grades, small groups, poll, private, classify) sytyttaja
lacks; python-socketio phones and the facilitator post a little input first, so results
pass the anonymity threshold and the views have content."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.room import Room
from tests.browser.test_projector import MIN_PX, readable

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(axe: Axe, page, where: str) -> list[str]:
    """Return axe's WCAG A/AA violations on a page, one line each."""
    page.wait_for_timeout(400)
    result = axe.run(page, options=WCAG)
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:3]
        )
        for v in result.response["violations"]
    ]


# Template -> the phases the live walk checks (None: all, with upcoming and closed). The
# other phases are still visited and fed, since later phases build on them.
LIVE = {
    "sytyttaja": None,
    "kiireen-hallinta": {"task-groups"},  # classify, six categories, live results
    "vertaisryhma": {"groups", "next-topic"},  # small groups with one writer; poll
    "palautumisesta-voimaa": {"reflection"},  # private, optional anonymous sharing
    "arviointi": {"goals"},  # rate with labelled points, don't know and grades
}


def public_and_dashboard_pages(base: str, browser, room: Room) -> list[str]:
    """Check the pages outside the live session: public, sign-up, dashboard, forms."""
    found: list[str] = []
    sid = room.id
    # Another session, so the prepare page offers "Copy from an earlier session".
    room.call("POST", "/api/v1/sessions", {"model_id": "sytyttaja", "title": "Aiempi"})
    axe = Axe()
    page = browser.new_context().new_page()
    for path in ("/", "/join?code=ZZZZZZ", "/auth/login", "/auth/signup", "/no-such-page"):
        page.goto(base + path)
        found += violations(axe, page, path)
    page.goto(base + "/auth/signup")
    page.locator("form button[type=submit]").first.click()
    found += violations(axe, page, "signup with errors")
    page.context.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    desk.add_cookies([{"name": c.name, "value": c.value, "url": base} for c in room.http.cookies])
    control = desk.new_page()
    for path in (
        "/sessions",
        "/sessions/new",
        "/account",
        f"/sessions/{sid}/export",
        f"/sessions/{sid}/edit",
        f"/sessions/{sid}/delete",
        f"/sessions/{sid}/prepare",
    ):
        control.goto(base + path)
        found += violations(axe, control, path)
    control.goto(base + "/account")
    control.locator("form[action$='/account/password'] button[type=submit]").click()
    found += violations(axe, control, "account with errors")
    control.goto(f"{base}/sessions/{sid}/prepare")
    control.locator("#f-pulse-statements").fill("")
    control.locator("form.prepare-form button[type=submit]").click()
    found += violations(axe, control, "prepare with errors")
    # Last: the empty form is refused, the account stays.
    control.goto(base + "/account/delete")
    found += violations(axe, control, "/account/delete")
    control.locator("form[action$='/account/delete'] button[type=submit]").click()
    found += violations(axe, control, "account delete with errors")
    desk.close()
    return found


def answer_on_the_phone(phone, kind: str) -> None:
    """The browser phone takes part too, so its own choices show."""
    if kind == "ideas":
        phone.locator("textarea").first.fill("Hyvä työkaveri auttaa")
        phone.locator("form button[type=submit]").first.click()
    elif kind in ("classify", "rate", "poll"):
        scope = {"classify": ".classify-items", "rate": ".scale", "poll": ".poll-options"}[kind]
        phone.locator(f"{scope} input:enabled").first.check()
    elif kind == "private":
        phone.locator(".private-form textarea").first.fill("Lähden kävelylle")


@pytest.mark.parametrize("model_id", list(LIVE))
def test_pages_meet_wcag_aa_in_every_phase_kind(server, browser, model_id):
    """Public, facilitator, projector and phone pages have no axe WCAG 2.1 AA violations."""
    base = server
    room = Room(base, model_id, email=f"a11y-{model_id}@example.fi")
    wanted = LIVE[model_id]
    found: list[str] = []
    if wanted is None:
        found += public_and_dashboard_pages(base, browser, room)
    axe = Axe()
    cookies = [{"name": c.name, "value": c.value, "url": base} for c in room.http.cookies]
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    desk.add_cookies(cookies)
    wall = browser.new_context(viewport={"width": 1920, "height": 1080})
    wall.add_cookies(cookies)
    control, projector = desk.new_page(), wall.new_page()
    control.goto(f"{base}/sessions/{room.id}")
    projector.goto(f"{base}/sessions/{room.id}/projector")
    mobile = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    mobile.set_default_timeout(15_000)
    phone = mobile.new_page()
    phone.goto(f"{base}/j/{room.code}")
    phone.wait_for_selector(".waiting")
    room.join(5)
    screens = ((control, "control"), (projector, "projector"), (phone, "phone"))

    def check(where: str) -> None:
        for page_, name in screens:
            found.extend(violations(axe, page_, f"{model_id} {name} {where}"))
        # The room reads the wall from the back: no text under 24 px in any kind either.
        found.extend(
            f"{model_id} projector {where}: {t['px']}px {t['tag']}.{t['cls']}: {t['text']}"
            for t in readable(projector)
            if t["px"] < MIN_PX
        )

    try:
        if wanted is None:
            check("upcoming")
        room.session("POST", "/start")
        for phase in room.phases():
            if phase["index"]:
                room.session("POST", "/phase", {"to": phase["index"]})
            room.feed(phase)
            if wanted is not None and phase["id"] not in wanted:
                continue
            answer_on_the_phone(phone, phase["kind"])
            check(f"{phase['kind']} ({phase['id']})")
            if phase["kind"] in ("poll", "classify") and wanted is not None:
                # Closing reveals the results held back until then.
                room.session("POST", "/input", {"open": False})
                check(f"{phase['kind']} ({phase['id']}) input closed")
        if wanted is None:
            room.session("POST", "/close")
            check("closed")
    finally:
        room.close()
        for context in (desk, wall, mobile):
            context.close()
    assert found == [], "\n".join(found)
