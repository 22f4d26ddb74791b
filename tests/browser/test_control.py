"""The facilitator's control view in Chromium: grouping by drag and drop and by keyboard,
and the every-minute controls above the fold.

Ideas come from real python-socketio phones against the real server; the facilitator
works in the page and the results are checked through the JSON API and the export.
"""

from __future__ import annotations

import uuid

import pytest
import socketio

from tests.server_process import signed_in_facilitator

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000

IDEAS = {
    "keep": [
        "Aamupalaverit pitävät kaikki ajan tasalla",
        "Kollegan apu kiireessä",
        "Yhteiset kahvihetket",
        "Perehdytyskansio uusille",
        "Joustavat vuorotoiveet",
        "Palaute asukkailta ja omaisilta",
        "Kirjaamisen yhteiset mallit",
        "Viikkopalaverin muistio",
        "Hyvä huumori vaikeinakin päivinä",
        "Omahoitajamalli",
        "Ergonomiset nostolaitteet",
        "Tiimin oma WhatsApp-ryhmä",
        "Työnohjaus kerran kuussa",
        "Lääkärin kierto tiistaisin",
    ],
    "change": [
        "Vuorolistat julki kaksi viikkoa aiemmin",
        "Raportointi lyhyemmäksi",
        "Sijaisten perehdytys ennen ensimmäistä vuoroa",
        "Tauot oikeasti pidettäviksi",
        "Lääkehuollon tarkistuslista selkeämmäksi",
        "Yövuoron ja aamuvuoron vaihto rauhallisemmaksi",
        "Omaisten puhelut tiettyyn aikaan",
        "Hälytysten äänet hiljaisemmiksi",
        "Kehityskeskustelut joka vuosi",
        "Siivousvälineet omalle paikalleen",
        "Tiedotteet yhteen paikkaan",
        "Kokoukset alkamaan ajallaan",
        "Uuden potilastietojärjestelmän koulutus",
    ],
    "give-up": [
        "Päällekkäinen kirjaaminen paperille",
        "Turhat sähköpostiketjut",
        "Kiire vuoronvaihdossa",
        "Selän takana puhuminen",
        "Ylimääräiset tulosteet",
        "Epäselvät vastuut lääkejaossa",
        "Iltavuoron yksin jääminen",
        "Tarvikkeiden etsiminen",
        "Puhelimen jatkuva pirinä",
        "Kokoukset ilman asialistaa",
        "Samojen asioiden kysyminen moneen kertaan",
        "Viime hetken vuoromuutokset",
        "Tyhjät lomakkeet kaapissa",
    ],
}


class Phone:
    """A participant phone: its own cookie and a real Socket.IO connection."""

    def __init__(self, base: str, code: str):
        import requests

        http = requests.Session()
        assert http.get(f"{base}/j/{code}").status_code == 200
        self.client = socketio.Client(reconnection=False)
        cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        self.client.connect(
            base, headers={"Cookie": cookies}, transports=["websocket"], wait_timeout=10
        )
        ack = self.client.call("join", {"role": "participant", "code": code}, timeout=10)
        assert ack["ok"], ack

    def idea(self, text: str, column: str) -> int:
        ack = self.client.call(
            "idea.add",
            {"client_id": uuid.uuid4().hex, "text": text, "column": column},
            timeout=10,
        )
        assert ack["ok"], ack
        return ack["idea"]["id"]

    def close(self) -> None:
        self.client.disconnect()


def grouping_session(base: str, n_ideas: int, language: str = "fi", email: str = "fasi@example.fi"):
    """Sign up, create a keep-change-give-up session, post ideas from phones, open grouping.

    Returns the signed-in requests session, its CSRF token, the session id and the ideas
    (id, text, column) in posting order. Phones stay connected (call `close`).
    """
    http, csrf = signed_in_facilitator(base, email)
    headers = {"X-CSRFToken": csrf}
    created = http.post(
        f"{base}/api/v1/sessions",
        headers=headers,
        json={
            "model_id": "keep-change-give-up",
            "title": "Osasto 5 kehittämispäivä"
            if language == "fi"
            else "Avdelning 5 utvecklingsdag",
            "team_name": "Osasto 5" if language == "fi" else "Avdelning 5",
            "language": language,
        },
    ).json()
    sid, code = created["id"], created["join_code"]
    api = f"{base}/api/v1/sessions/{sid}"
    assert http.post(f"{api}/start", headers=headers).status_code == 200
    state = http.get(api).json()
    ideas_index = next(p["index"] for p in state["phases"] if p["kind"] == "ideas")
    http.post(f"{api}/phase", headers=headers, json={"to": ideas_index})
    texts = [(text, col) for col, items in IDEAS.items() for text in items]
    texts = sorted(texts, key=lambda x: texts.index(x) % 14)[:n_ideas]  # mix the columns
    phones = [Phone(base, code) for _ in range(max(1, min(4, n_ideas // 8 + 1)))]
    ideas = []
    for n, (text, col) in enumerate(texts):
        ideas.append((phones[n % len(phones)].idea(text, col), text, col))
    group_index = next(p["index"] for p in state["phases"] if p["kind"] == "group")
    assert http.post(f"{api}/phase", headers=headers, json={"to": group_index}).status_code == 200
    return {"http": http, "csrf": csrf, "sid": sid, "api": api, "ideas": ideas, "phones": phones}


def control_page(browser, base: str, setup: dict, width: int, height: int, lang: str | None = None):
    """Open the control view of the session in a desktop-sized page, signed in."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [{"name": c.name, "value": c.value, "url": base} for c in setup["http"].cookies]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if lang:
        page.goto(f"{base}/lang/{lang}")
    page.goto(f"{base}/sessions/{setup['sid']}")
    page.wait_for_selector(".group-board .idea-card")
    return page, errors


def themes_by_idea(setup: dict) -> dict[int, int | None]:
    state = setup["http"].get(setup["api"]).json()
    return {i["id"]: i["theme_id"] for i in state["ideas"]}


def add_theme(setup: dict, title: str) -> int:
    r = setup["http"].post(
        f"{setup['api']}/themes",
        headers={"X-CSRFToken": setup["csrf"]},
        json={"title": title, "phase_id": "themes"},
    )
    assert r.status_code == 201, r.text
    return r.json()["theme"]["id"]


def drag(page, source, target) -> None:
    """Drag with real pointer moves in small steps, as SortableJS needs."""
    source.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = source.bounding_box()
    goal = target.bounding_box()
    # Grab the card by its text (the checkbox and the menu button do not start a drag).
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=20)
    page.mouse.move(goal["x"] + goal["width"] / 2 + 2, goal["y"] + goal["height"] / 2 + 2, steps=3)
    page.mouse.up()


def test_drag_and_drop_groups_an_idea_and_it_persists(server, browser):
    setup = grouping_session(server, 6)
    theme_id = add_theme(setup, "Tiedonkulku")
    page, errors = control_page(browser, server, setup, 1440, 900)
    idea_id, text, _ = setup["ideas"][0]
    theme = page.locator(f".theme[data-theme-id='{theme_id}'] .card-list")
    theme.wait_for()
    card = page.locator(f".pool .idea-card[data-id='{idea_id}']")
    drag(page, card, theme)

    page.locator(f".theme[data-theme-id='{theme_id}'] .idea-card[data-id='{idea_id}']").wait_for()
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent.includes('Tiedonkulku')"
    )
    assert themes_by_idea(setup)[idea_id] == theme_id

    page.reload()
    page.locator(f".theme[data-theme-id='{theme_id}'] .idea-card[data-id='{idea_id}']").wait_for()
    assert page.locator(f".pool .idea-card[data-id='{idea_id}']").count() == 0
    exported = setup["http"].get(f"{setup['api']}/export.json").json()
    group = next(p for p in exported["phases"] if p["kind"] == "group")
    assert next(t for t in group["themes"] if t["id"] == theme_id)["ideas"] == [text]

    # Back out of the theme by dragging onto the ideas without a theme.
    card = page.locator(f".theme[data-theme-id='{theme_id}'] .idea-card[data-id='{idea_id}']")
    drag(page, card, page.locator(".pool .card-list").first)
    page.locator(f".pool .idea-card[data-id='{idea_id}']").wait_for()
    page.wait_for_function(
        f"() => !document.querySelector(\".theme[data-theme-id='{theme_id}'] .idea-card\")"
    )
    assert themes_by_idea(setup)[idea_id] is None
    assert not errors, errors
    for phone in setup["phones"]:
        phone.close()


def test_touch_long_press_and_drag_groups_an_idea(server, browser):
    """On a tablet a long press picks a card up and the finger drops it on a theme."""
    setup = grouping_session(server, 4)
    theme_id = add_theme(setup, "Tiedonkulku")
    context = browser.new_context(
        viewport={"width": 1024, "height": 1366}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [{"name": c.name, "value": c.value, "url": server} for c in setup["http"].cookies]
    )
    page = context.new_page()
    page.goto(f"{server}/sessions/{setup['sid']}")
    page.wait_for_selector(".group-board .idea-card")
    idea_id = setup["ideas"][0][0]
    card = page.locator(f".pool .idea-card[data-id='{idea_id}']")
    card.evaluate("e => e.scrollIntoView({block: 'center'})")
    start, goal = (
        card.bounding_box(),
        page.locator(f".theme[data-theme-id='{theme_id}'] .card-list").bounding_box(),
    )
    cdp = context.new_cdp_session(page)

    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    gx, gy = goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2
    touch("touchStart", x, y)
    page.wait_for_timeout(400)  # a long press
    for step in range(1, 21):
        touch("touchMove", x + (gx - x) * step / 20, y + (gy - y) * step / 20)
        page.wait_for_timeout(16)
    touch("touchEnd", gx, gy)
    page.locator(f".theme[data-theme-id='{theme_id}'] .idea-card[data-id='{idea_id}']").wait_for()
    page.wait_for_function("() => document.getElementById('live-status').textContent.length > 0")
    assert themes_by_idea(setup)[idea_id] == theme_id
    context.close()
    for phone in setup["phones"]:
        phone.close()


def test_keyboard_selection_moves_three_ideas_and_makes_a_theme(server, browser):
    setup = grouping_session(server, 8)
    theme_id = add_theme(setup, "Työvuorot")
    page, errors = control_page(browser, server, setup, 1280, 720)
    first = [i for i, _, _ in setup["ideas"][:3]]

    # Tick three ideas with the keyboard alone: focus each checkbox, press Space.
    for idea_id in first:
        page.focus(f"#sel-{idea_id}")
        page.keyboard.press("Space")
    assert "3" in page.locator("#bulk-count").inner_text()
    page.focus("#bulk-theme")
    page.select_option("#bulk-theme", str(theme_id))
    page.focus("#bulk-move")
    page.keyboard.press("Enter")
    for idea_id in first:
        page.locator(
            f".theme[data-theme-id='{theme_id}'] .idea-card[data-id='{idea_id}']"
        ).wait_for()
    page.wait_for_function("() => document.getElementById('live-status').textContent.includes('3')")
    assert page.evaluate("document.activeElement.id") == "bulk-move", "focus stays on the button"
    grouped = themes_by_idea(setup)
    assert [grouped[i] for i in first] == [theme_id] * 3
    assert page.locator(".idea-card input[type=checkbox]:checked").count() == 0

    # A new theme from two more ticked ideas, typed and submitted from the keyboard.
    more = [i for i, _, _ in setup["ideas"][3:5]]
    # The move's own `themes` event may re-render the board just after; like a person,
    # tick again an idea whose tick did not take.
    for _ in range(3):
        for idea_id in more:
            if not page.locator(f"#sel-{idea_id}").is_checked():
                page.focus(f"#sel-{idea_id}")
                page.keyboard.press("Space")
        page.wait_for_timeout(400)
        if all(page.locator(f"#sel-{idea_id}").is_checked() for idea_id in more):
            break
    page.locator("#bulk-count", has_text="2").wait_for()
    page.focus("#new-theme")
    page.keyboard.type("Kiire ja tauot")
    page.focus("#theme-from-selection")
    page.keyboard.press("Enter")
    new_theme = page.locator(".theme", has=page.locator("h4", has_text="Kiire ja tauot"))
    new_theme.wait_for()
    for idea_id in more:
        new_theme.locator(f".idea-card[data-id='{idea_id}']").wait_for()
    assert page.locator("#new-theme").input_value() == ""
    state = setup["http"].get(setup["api"]).json()
    made = next(t for t in state["themes"] if t["title"] == "Kiire ja tauot")
    grouped = {i["id"]: i["theme_id"] for i in state["ideas"]}
    assert [grouped[i] for i in more] == [made["id"]] * 2
    assert not errors, errors
    for phone in setup["phones"]:
        phone.close()


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)])
def test_every_minute_controls_are_above_the_fold(server, browser, size):
    setup = grouping_session(server, 40)
    width, height = size
    page, errors = control_page(browser, server, setup, width, height)
    # 4 phones joined and are connected: the count reads "online / joined" in any language.
    page.wait_for_function(
        r"() => /4\s*\/\s*4/.test(document.getElementById('presence-text').textContent)"
    )
    for selector in (
        "#join-code",
        "#presence-text",
        "#projector-link",
        "#btn-next",
        "#timer-display",
        "#btn-timer-toggle",
        "#input-state",
        ".now-skip",
    ):
        element = page.locator(selector)
        assert element.is_visible(), selector
        box = element.bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    # The facilitator notes fold away and stay folded after a reload.
    notes = page.locator("#phase-notes-box")
    assert notes.get_attribute("open") is not None
    page.locator("#notes-heading").click()
    assert notes.get_attribute("open") is None
    page.reload()
    page.wait_for_selector(".group-board .idea-card")
    assert page.locator("#phase-notes-box").get_attribute("open") is None

    # The skip link takes the keyboard to the wall.
    page.locator(".now-skip").click()
    assert page.evaluate("document.activeElement.id") == "phase-body"

    # Back in the ideas phase the input toggle is there too, above the fold on load.
    ideas_index = next(
        p["index"] for p in setup["http"].get(setup["api"]).json()["phases"] if p["kind"] == "ideas"
    )
    setup["http"].post(
        f"{setup['api']}/phase", headers={"X-CSRFToken": setup["csrf"]}, json={"to": ideas_index}
    )
    page.reload()
    page.locator("#btn-input").wait_for()
    box = page.locator("#btn-input").bounding_box()
    assert box["y"] + box["height"] <= height and box["x"] + box["width"] <= width, box
    assert not errors, errors
    for phone in setup["phones"]:
        phone.close()
