"""Take the README screenshots: a short Finnish session on the real server in Chromium.

Run: python scripts/take_screenshots.py  (needs /usr/bin/chromium and the test extras)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server_process import ServerProcess, signed_in_facilitator  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
IDEAS = [
    (0, "Aamupalaverit lyhyinä ja seisten"),
    (0, "Autamme toisiamme kiireen keskellä"),
    (1, "Vuorolistat julki ajoissa"),
    (1, "Tauot toteutuvat myös kiireisinä päivinä"),
    (2, "Sama asia kirjataan kahteen järjestelmään"),
]


def main() -> None:
    """Run the session and save the screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp))
        # A public address, as in a real room; a loopback one would show the warning.
        server.env["FACILITATOR_PUBLIC_URL"] = "https://tyopaja.example.fi"
        server.start()
        try:
            shoot(server.url)
        finally:
            server.stop()


def shoot(base: str) -> None:
    """Drive the facilitator, projector and two phones, saving pictures on the way."""
    http, csrf = signed_in_facilitator(base, "kuvat@example.fi")
    headers = {"X-CSRFToken": csrf}
    created = http.post(
        f"{base}/api/v1/sessions",
        headers=headers,
        json={
            "model_id": "keep-change-give-up",
            "title": "Osaston 5 kehittämispäivä",
            "team_name": "Osasto 5, sisätautien vuodeosasto",
        },
    ).json()
    sid, code = created["id"], created["join_code"]
    api = f"{base}/api/v1/sessions/{sid}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        desk = browser.new_context(viewport={"width": 1280, "height": 720})
        desk.add_cookies([{"name": c.name, "value": c.value, "url": base} for c in http.cookies])
        projector = desk.new_page()
        projector.goto(f"{base}/sessions/{sid}/projector")
        projector.wait_for_timeout(800)
        projector.screenshot(path=OUT / "projector-join.png")
        http.post(f"{api}/start", headers=headers)
        http.post(f"{api}/phase", json={"to": 1}, headers=headers)
        phones = []
        for _ in range(2):
            ctx = browser.new_context(
                viewport={"width": 375, "height": 740},
                is_mobile=True,
                device_scale_factor=2,
                has_touch=True,
            )
            page = ctx.new_page()
            page.goto(f"{base}/j/{code}")
            phones.append(page)
        phones[0].wait_for_timeout(800)
        state = http.get(api).json()
        columns = [c["id"] for c in state["phase"]["settings"]["columns"]]
        for n, (column, text) in enumerate(IDEAS):
            phone = phones[n % 2]
            phone.locator("textarea").fill(text)
            phone.locator(f"input[name=column][value='{columns[column]}']").check(force=True)
            phone.get_by_role("button", name="Lähetä ajatus").click()
            phone.wait_for_timeout(300)
        http.post(f"{api}/timer", json={"action": "start"}, headers=headers)
        projector.wait_for_timeout(800)
        projector.screenshot(path=OUT / "projector-ideas.png")
        phones[0].screenshot(path=OUT / "phone-ideas.png")
        control = desk.new_page()
        control.set_viewport_size({"width": 1280, "height": 720})
        control.goto(f"{base}/sessions/{sid}")
        control.wait_for_timeout(1000)
        control.screenshot(path=OUT / "control-ideas.png")

        # A lively ward: 40 more ideas from socket clients, the wall at 1920x1080.
        crowd_ideas(base, code, columns)
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.wait_for_timeout(1500)
        projector.screenshot(path=OUT / "projector-45-ideas.png")
        http.post(f"{api}/phase", json={"to": 2}, headers=headers)
        control.wait_for_timeout(1500)
        control.screenshot(path=OUT / "control-group.png")

        small = browser.new_context(
            viewport={"width": 320, "height": 568}, is_mobile=True, device_scale_factor=2
        )
        sv = small.new_page()
        sv.goto(f"{base}/lang/sv?next=/j/{code}")
        sv.wait_for_timeout(1000)
        sv.screenshot(path=OUT / "phone-320-sv.png")
        browser.close()


CROWD = [
    "Raportti lyhyemmäksi ja kirjallisena",
    "Uusille perehdytyskansio ajan tasalle",
    "Lääkehuoneen järjestys yhteisesti sovituksi",
    "Kiitos sanotaan ääneen useammin",
    "Yövuoron jälkeen kaksi vapaata",
    "Hälytyskellojen äänet hiljaisemmiksi",
    "Sijaisten perehdytys ennen ensimmäistä vuoroa",
    "Taukotilaan kunnolliset tuolit",
    "Työnohjausta kerran kuussa kaikille halukkaille",
    "Kirjaamiseen rauhallinen paikka",
]


def crowd_ideas(base: str, code: str, columns: list[str]) -> None:
    """Post forty ideas from four phones with the real Socket.IO client."""
    import uuid

    import requests
    import socketio

    for n in range(4):
        http = requests.Session()
        http.get(f"{base}/j/{code}", timeout=10)
        client = socketio.Client(http_session=http)
        client.connect(base)
        client.call("join", {"role": "participant", "code": code}, timeout=10)
        for i, text in enumerate(CROWD):
            payload = {
                "client_id": uuid.uuid4().hex,
                "text": f"{text} ({n + 1})" if n else text,
                "column": columns[(i + n) % len(columns)],
            }
            client.call("idea.add", payload, timeout=10)
        client.disconnect()


if __name__ == "__main__":
    main()
