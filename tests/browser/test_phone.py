"""The phone page on small screens: hyphenated words, whole dates, a compact header, drafts.

Real server, headless Chromium at 320×568 and 375×740 (see conftest.py).
"""

from __future__ import annotations

import uuid

import pytest

from tests.server_process import signed_in_facilitator

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
SMALL = {"width": 320, "height": 568}
MEDIUM = {"width": 375, "height": 740}

# Longer than a 320 px line: it can only fit by breaking, and must break at a hyphen.
LONG_WORD = {
    "fi": "Työhyvinvointikyselytulostenkäsittelymalli",
    "sv": "Arbetsvälbefinnandeenkätsresultatbehandlingsmodell",
}
IDEA = {
    "fi": "Raporttipohjasta yhteinen {word} valmiiksi 31.12.2026 mennessä",
    "sv": "Gemensam rapportmall och {word} klar senast 31.12.2026",
}
TITLE = {
    "fi": "Osasto 5 kehittämispäivä: työhyvinvointi ja perhekeskustoimintamalli",
    "sv": "Avdelning 5 utvecklingsdag: arbetsvälbefinnande och familjecentralsverksamhet",
}

# For every visible text node under `root`: the lines its words are laid out on. A word
# (between spaces) may continue on the next line only right after a soft hyphen (drawn
# as "-"), a hyphen or a slash; anything else is a word cut in the middle.
BROKEN_WORDS_JS = """(root) => {
  const bad = [];
  const ok = new Set(['\\u00AD', '-', '\\u2010', '\\u2013', '\\u2014', '/']);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.data;
    let prevTop = null, prevIdx = -1;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (/\\s/.test(ch)) { prevTop = null; continue; }
      if (ch === '\\u00AD') continue;
      const r = document.createRange();
      r.setStart(node, i); r.setEnd(node, i + 1);
      // The last box: a line's end hyphen is drawn with the letter after it.
      const rects = r.getClientRects(), rect = rects[rects.length - 1];
      if (!rect || !rect.width) continue;
      if (prevTop !== null && rect.top > prevTop + 2) {
        const before = text.slice(prevIdx, i);
        if (![...before].some((c) => ok.has(c))) {
          const start = text.lastIndexOf(' ', i) + 1, end = text.indexOf(' ', i);
          bad.push(text.slice(start, end < 0 ? text.length : end).replace(/\\u00AD/g, '|'));
        }
      }
      prevTop = rect.top; prevIdx = i;
    }
  }
  return bad;
}"""

# How many lines the first occurrence of `word` (soft hyphens ignored) takes, and the
# text of each line, with the soft hyphen that ends a line shown as "-".
WORD_LINES_JS = """([root, word]) => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const plain = node.data.replace(/\\u00AD/g, '');
    const at = plain.indexOf(word);
    if (at < 0) continue;
    // Map positions of the plain text back to the node's text.
    const map = [];
    for (let i = 0; i < node.data.length; i++) if (node.data[i] !== '\\u00AD') map.push(i);
    const from = map[at], to = map[at + word.length - 1] + 1;
    const lines = [];
    let top = null;
    for (let i = from; i < to; i++) {
      const r = document.createRange();
      r.setStart(node, i); r.setEnd(node, i + 1);
      // The last box: a line's end hyphen is drawn with the letter after it.
      const rects = r.getClientRects(), rect = rects[rects.length - 1];
      if (!rect || !rect.width) continue;
      if (top === null || rect.top > top + 2) { lines.push(''); top = rect.top; }
      lines[lines.length - 1] += node.data[i] === '\\u00AD' ? '-' : node.data[i];
    }
    return lines;
  }
  return null;
}"""


def overflow(page) -> list[str]:
    """Return the elements of the phone page that are wider than their box or the screen."""
    return page.evaluate(
        """() => {
          const out = [];
          if (document.documentElement.scrollWidth > window.innerWidth) out.push('page');
          document.querySelectorAll('#main *, .phone-bar *').forEach((el) => {
            const r = el.getBoundingClientRect();
            if (!r.width) return;
            for (let a = el.parentElement; a; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== 'visible') return; // clipped on purpose
            }
            if (r.right > window.innerWidth + 0.5 || r.left < -0.5) {
              out.push((el.id || el.className || el.tagName) + ' ' + Math.round(r.right));
            }
          });
          return out;
        }"""
    )


def new_session(base: str, http, headers: dict, lang: str, model: str = "sytyttaja") -> dict:
    """Create a live session in `lang` with one agreed action; return ids and phase indexes."""
    created = http.post(
        f"{base}/api/v1/sessions",
        headers=headers,
        json={"model_id": model, "title": TITLE[lang], "team_name": "Osasto 5", "language": lang},
    ).json()
    api = f"{base}/api/v1/sessions/{created['id']}"
    http.post(
        f"{api}/actions",
        headers=headers,
        json={
            "client_id": uuid.uuid4().hex,
            "what": IDEA[lang].format(word=LONG_WORD[lang]),
            "who": "Osastonhoitaja ja vuorosuunnittelija",
            "due": "2026-12-31",
            "follow_up": "2027-02-15",
        },
    )
    assert http.post(f"{api}/start", headers=headers).status_code == 200
    phases = {p["kind"]: p["index"] for p in reversed(http.get(api).json()["phases"])}
    return {"api": api, "code": created["join_code"], "phases": phases}


def go(http, headers: dict, session: dict, kind: str) -> None:
    """Move the session to the first phase of a kind."""
    response = http.post(
        session["api"] + "/phase", headers=headers, json={"to": session["phases"][kind]}
    )
    assert response.status_code == 200, response.text


def phone(browser, viewport: dict):
    """Return a touch phone page of the given size."""
    ctx = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx.new_page()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_long_words_hyphenate_dates_stay_whole_and_input_is_on_screen(server, browser, lang):
    http, csrf = signed_in_facilitator(server, f"phone-{lang}@example.fi")
    headers = {"X-CSRFToken": csrf}
    session = new_session(server, http, headers, lang)
    small, medium = phone(browser, SMALL), phone(browser, MEDIUM)
    errors: list[str] = []
    for page in (small, medium):
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/j/{session['code']}")
        page.wait_for_selector("#phase-step:not([hidden])")

    go(http, headers, session, "ideas")
    for page in (small, medium):
        page.wait_for_selector("#idea-text")
        # The compact header leaves the step, prompt and the whole input on the first screen.
        assert page.evaluate("window.scrollY") == 0
        box = page.locator("#idea-text").bounding_box()
        height = page.viewport_size["height"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (page.viewport_size, box)
        bar = page.locator(".phone-bar").bounding_box()
        assert bar["height"] <= 50, "the phone header is one line"

    text = IDEA[lang].format(word=LONG_WORD[lang])
    small.fill("#idea-text", text)
    small.locator("form.idea-form [type=submit]").click()
    own = small.locator(".idea-own .idea-text", has_text=LONG_WORD[lang])
    own.wait_for()
    medium.locator(".idea-text", has_text=LONG_WORD[lang]).wait_for()

    for page in (small, medium):
        assert overflow(page) == [], "nothing is wider than the phone"
        assert page.evaluate(BROKEN_WORDS_JS, page.locator("#main").element_handle()) == []
        assert page.evaluate(BROKEN_WORDS_JS, page.locator(".phone-bar").element_handle()) == []
        # The date in the idea stays on one line.
        date_lines = (
            page.evaluate(WORD_LINES_JS, [own.element_handle(), "31.12.2026"])
            if (page is small)
            else page.evaluate(
                WORD_LINES_JS,
                [page.locator(".idea-text", has_text="31.12.2026").element_handle(), "31.12.2026"],
            )
        )
        assert date_lines == ["31.12.2026"]

    # The long word is hyphenated where the patterns allow, with a visible hyphen.
    lines = small.evaluate(WORD_LINES_JS, [own.element_handle(), LONG_WORD[lang]])
    assert len(lines) > 1, lines
    points = small.evaluate(
        "([w, l]) => FAHyphenate.text(w, l).split('\\u00AD')", [LONG_WORD[lang], lang]
    )
    assert len(points) > 2, "the patterns know where to split the word"
    for line in lines[:-1]:
        assert line.endswith("-"), lines
    joined = [line.rstrip("-") for line in lines]
    boundaries = {sum(len(p) for p in points[: i + 1]) for i in range(len(points) - 1)}
    cut = 0
    for part in joined[:-1]:
        cut += len(part)
        assert cut in boundaries, (lines, points)
    # The typed text is stored and shown as typed: the soft hyphens are only on screen.
    assert (
        small.locator(".idea-own .idea-text").first.evaluate(
            "el => el.textContent.replace(/\\u00AD/g, '')"
        )
        == text
    )

    # Agreed actions: the date is one line, labels and values fit the narrow card.
    go(http, headers, session, "actions")
    for page in (small, medium):
        card = page.locator(".action-card").first
        card.wait_for()
        assert overflow(page) == []
        assert page.evaluate(BROKEN_WORDS_JS, card.element_handle()) == []
        dates = card.locator(".nowrap")
        assert dates.count() == 2
        for n in range(dates.count()):
            rects = dates.nth(n).evaluate("el => el.getClientRects().length")
            assert rects == 1, "a date is on one line"
        shown = "31.12.2026"  # Finland's format in Finnish and Swedish alike
        assert shown in dates.first.text_content()

    for kind in ("vote", "rate"):
        go(http, headers, session, kind)
        for page in (small, medium):
            page.wait_for_selector(".vote-item" if kind == "vote" else ".statement")
            assert overflow(page) == [], kind
            assert page.evaluate(BROKEN_WORDS_JS, page.locator("#main").element_handle()) == []
    assert not errors, errors


def test_draft_survives_reload_and_reopen_and_is_gone_once_sent(server, browser):
    http, csrf = signed_in_facilitator(server, "drafts@example.fi")
    headers = {"X-CSRFToken": csrf}
    session = new_session(server, http, headers, "fi", model="keep-change-give-up")
    go(http, headers, session, "ideas")
    page = phone(browser, MEDIUM)
    url = f"{server}/j/{session['code']}"
    page.goto(url)
    page.wait_for_selector("#idea-text")

    # A half-written idea and its column come back after a reload and in a reopened tab.
    draft = "Vuorolistat julki kaksi viikkoa"
    page.locator("#idea-text").press_sequentially(draft)
    page.locator(".column-picker .pill").nth(1).click()
    page.reload()
    page.wait_for_selector("#idea-text")
    assert page.locator("#idea-text").input_value() == draft
    assert page.locator(".column-picker input").nth(1).is_checked()
    page.close()
    page = page.context.new_page()
    page.goto(url)
    page.wait_for_selector("#idea-text")
    assert page.locator("#idea-text").input_value() == draft

    # Sent and acknowledged: the field is empty after a reload.
    page.locator("#idea-text").press_sequentially(" ennen")
    page.locator("form.idea-form [type=submit]").click()
    posted = page.locator(".idea-own:not(.idea-pending)", has_text=draft + " ennen")
    posted.wait_for()
    page.reload()
    page.wait_for_selector("#idea-text")
    posted.wait_for()
    assert page.locator("#idea-text").input_value() == ""
    assert not page.locator(".column-picker input:checked").count()

    # An edit in progress comes back too; cancelling it forgets it.
    posted.locator("button", has_text="Muokkaa").click()
    edit = page.locator(".edit-form textarea")
    edit.fill("Vuorolistat julki kolme viikkoa ennen")
    page.reload()
    edit.wait_for()
    assert edit.input_value() == "Vuorolistat julki kolme viikkoa ennen"
    page.locator(".edit-form button", has_text="Peruuta").click()
    page.reload()
    posted.wait_for()
    assert page.locator(".edit-form").count() == 0
    assert (
        page.locator(".idea-own .idea-text").first.evaluate(
            "el => el.textContent.replace(/\\u00AD/g, '')"
        )
        == draft + " ennen"
    )

    # A saved edit leaves no draft behind.
    posted.locator("button", has_text="Muokkaa").click()
    edit.fill("Vuorolistat julki kolme viikkoa ennen")
    page.locator(".edit-form [type=submit]").click()
    page.locator(".idea-own", has_text="kolme viikkoa").wait_for()
    page.reload()
    page.locator(".idea-own", has_text="kolme viikkoa").wait_for()
    assert page.locator(".edit-form").count() == 0
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('fa.draft.'))")
    assert keys == [], keys
