"""The staff-room poster ("huoneentaulu") and the team-link QR poster print on one A4 page.

Worst case on the real server: a 200-character team name, more open items and ground
rules than the poster shows, every text at its longest. Chromium prints the page to A4
as "Print or save as PDF" does. Set FACILITATOR_EXPORT_PDF_DIR to keep the PDFs and
screenshots.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import yaml

from tests.browser.test_export_print import page_count
from tests.server_process import ROOT, ServerProcess, signed_in_facilitator

pytestmark = pytest.mark.browser


@pytest.fixture
def kinds_server(tmp_path):
    """The real server with a template whose actions phase records all three kinds."""
    models = tmp_path / "models"
    models.mkdir()
    data = yaml.safe_load((ROOT / "workshop_models" / "keep-change-give-up.yaml").read_text())
    data["id"] = "kinds-test"
    for phase in data["phases"]:
        if phase["kind"] == "actions":
            phase.setdefault("settings", {})["item_kinds"] = ["action", "experiment", "ground_rule"]
    (models / "kinds-test.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    process = ServerProcess(tmp_path)
    process.env["FACILITATOR_MODELS_DIR"] = str(models)
    process.start()
    yield process.url
    process.stop()


def long_text(start: str, length: int) -> str:
    words = (start + " ja sitten vielä yksi pitkä lisäys työyhteisön yhteiseen sopimukseen").split()
    out = []
    while len(" ".join(out)) < length:
        out += words
    return " ".join(out)[:length]


def test_posters_print_on_one_a4_page(kinds_server, browser):
    base = kinds_server
    http, csrf = signed_in_facilitator(base, "poster@example.fi")
    headers = {"X-CSRFToken": csrf}
    api = f"{base}/api/v1"
    team = http.post(
        f"{api}/teams", headers=headers, json={"name": long_text("Päivystyksen osasto", 200)}
    ).json()["team"]
    session = http.post(
        f"{api}/sessions",
        headers=headers,
        json={"model_id": "kinds-test", "title": "Kevät", "team_id": team["id"]},
    ).json()
    for n in range(12):
        r = http.post(
            f"{api}/sessions/{session['id']}/actions",
            headers=headers,
            json={
                "client_id": uuid.uuid4().hex,
                "what": long_text(f"Toimenpide {n}", 1000),
                "who": long_text("Osastonhoitaja", 200),
                "due": f"2027-0{1 + n % 9}-15",
                "first_step": long_text("Ensimmäinen askel", 1000),
            },
        )
        assert r.status_code == 201, r.text
    for n in range(9):
        r = http.post(
            f"{api}/sessions/{session['id']}/actions",
            headers=headers,
            json={
                "client_id": uuid.uuid4().hex,
                "item_kind": "ground_rule",
                "what": long_text(f"Pelisääntö {n}", 1000),
                "how_check": long_text("Kuukausipalaverissa", 1000),
            },
        )
        assert r.status_code == 201, r.text
    link = http.post(f"{api}/teams/{team['id']}/link", headers=headers).json()["link"]

    keep = os.environ.get("FACILITATOR_EXPORT_PDF_DIR")
    context = browser.new_context()
    page = context.new_page()
    for path, name in (("/poster", "poster"), ("/qr-poster", "qr-poster")):
        page.goto(link["url"] + path)
        assert page.locator("h1").count() == 1
        if name == "poster":
            assert page.locator(".poster-items li").count() == 8
            assert page.locator(".poster-rules li").count() == 6
            assert page.locator(".poster-qr img").count() == 1
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            Path(keep, f"{name}.pdf").write_bytes(pdf)
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 794, "height": 1123})
            page.screenshot(path=str(Path(keep, f"{name}-print.png")), full_page=True)
            page.emulate_media(media="screen")
        assert page_count(pdf) == 1, name
    # A phone at 320 px: nothing wider than the screen.
    phone = browser.new_context(viewport={"width": 320, "height": 640})
    small = phone.new_page()
    small.goto(link["url"] + "/poster")
    width = small.evaluate("document.documentElement.scrollWidth")
    if keep:
        small.screenshot(path=str(Path(keep, "poster-320.png")), full_page=True)
    assert width <= 320
    phone.close()
    context.close()


def test_follow_up_pages_meet_wcag_aa_and_fit_a_320px_phone(server, browser):
    """The posters, the team page with its files and the roll-up (the facilitator's page
    and the supervisor's read-only one): no axe WCAG A/AA violation, no sideways scroll."""
    import re

    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import violations

    http, csrf = signed_in_facilitator(server, "wcag-follow@example.fi")
    headers = {"X-CSRFToken": csrf}
    api = f"{server}/api/v1"
    ids, team_id = [], None
    for name in ("Päivystys A", "Päivystys B"):
        team = http.post(f"{api}/teams", headers=headers, json={"name": name}).json()["team"]
        team_id = team_id or team["id"]
        session = http.post(
            f"{api}/sessions",
            headers=headers,
            json={
                "model_id": "keep-change-give-up",
                "title": f"Kevät {name}",
                "team_id": team["id"],
            },
        ).json()
        ids.append(session["id"])
        for what in ("Vuorolistat julki kolme viikkoa etukäteen", "Palaverit 20 minuuttiin"):
            http.post(
                f"{api}/sessions/{session['id']}/actions",
                headers=headers,
                json={"client_id": uuid.uuid4().hex, "what": what, "due": "2027-01-31"},
            )
    link = http.post(f"{api}/teams/{team_id}/link", headers=headers).json()["link"]
    query = "&".join(f"s={i}" for i in ids)
    made = http.post(
        f"{server}/rollup/links", data={"s": [str(i) for i in ids], "csrf_token": csrf}
    ).text
    shared = re.search(r'id="rollup-link-url" class="link-url" readonly value="([^"]+)"', made)
    pages = [
        ("team page", f"{server}/teams/{team_id}"),
        ("member board", link["url"]),
        ("poster", link["url"] + "/poster"),
        ("qr poster", link["url"] + "/qr-poster"),
        ("roll-up", f"{server}/rollup?{query}"),
        ("read-only roll-up", shared.group(1)),
    ]
    axe = Axe()
    found: list[str] = []
    for width in (1280, 320):
        context = browser.new_context(viewport={"width": width, "height": 800})
        context.add_cookies(
            [{"name": c.name, "value": c.value, "url": server} for c in http.cookies]
        )
        page = context.new_page()
        for where, url in pages:
            page.goto(url)
            if width == 1280:
                found += violations(axe, page, where)
            else:
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > 320:
                    found.append(f"{where}: {wide} px wide at 320 px")
        context.close()
    assert found == [], "\n".join(found)
