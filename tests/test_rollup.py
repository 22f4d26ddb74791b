"""Roll-up: sessions of one template run in several units, compiled side by side for a
manager: items, themes and vote totals by unit, ratings pooled only where every unit
meets the threshold, no raw walls, only sessions the facilitator can see."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from openpyxl import load_workbook

from tests.conftest import FacilitatorClient

RAW_IDEA = "Salainen raakaidea {unit} jota johtaja ei saa nähdä"
THEME = "Kiire ja keskeytykset {unit}"


@pytest.fixture
def other(app):
    return FacilitatorClient(app, app.test_client(), email="toinen@example.fi")


def unit_session(fac, phone_factory, team_name: str, raters: int, value: int) -> dict:
    """Run a sytyttaja session in a unit: ratings, a raw idea, a theme voted on, an action."""
    r = fac.api("POST", "/teams", {"name": team_name})
    team = r.get_json()["team"]
    r = fac.api(
        "POST",
        "/sessions",
        {"model_id": "sytyttaja", "title": f"Sytyttäjä {team_name}", "team_id": team["id"]},
    )
    assert r.status_code == 201, r.get_json()
    session = r.get_json()
    sid = session["id"]
    phones = [phone_factory(session["join_code"]) for _ in range(raters)]
    state = fac.go_to(sid, "rate")
    statement = state["rate"]["statements"][0]["id"]
    for phone in phones:
        ack = phone.emit(
            "rate.set", {"client_id": uuid.uuid4().hex, "statement": statement, "value": value}
        )
        assert ack["ok"], ack
    # A raw idea under a theme in the drains phase, then a vote on the theme.
    state = fac.api("GET", f"/sessions/{sid}").get_json()
    drains = next(p for p in state["phases"] if p["id"] == "drains")
    fac.api("POST", f"/sessions/{sid}/phase", {"to": drains["index"]})
    ack = phones[0].add_idea(RAW_IDEA.format(unit=team_name))
    assert ack["ok"], ack
    idea_id = ack["idea"]["id"]
    fac.go_to(sid, "group")
    theme = fac.api(
        "POST",
        f"/sessions/{sid}/themes",
        {"title": THEME.format(unit=team_name), "phase_id": "themes"},
    ).get_json()["theme"]
    r = fac.api("PATCH", f"/sessions/{sid}/ideas/{idea_id}", {"theme_id": theme["id"]})
    assert r.status_code == 200, r.get_json()
    fac.go_to(sid, "vote")
    for phone in phones[:2]:
        ack = phone.emit(
            "vote.set",
            {"client_id": uuid.uuid4().hex, "item": f"theme:{theme['id']}", "count": 1},
        )
        assert ack["ok"], ack
    fac.go_to(sid, "actions")
    r = fac.api(
        "POST",
        f"/sessions/{sid}/actions",
        {
            "client_id": uuid.uuid4().hex,
            "what": f"Hiljainen tunti {team_name}",
            "due": "2027-01-31",
        },
    )
    assert r.status_code == 201, r.get_json()
    fac.api("POST", f"/sessions/{sid}/close")
    return {"session": session, "team": team, "statement": statement, "name": team_name}


def rollup_json(fac, ids, status=200):
    query = "&".join(f"s={i}" for i in ids)
    r = fac.client.get(f"/rollup.json?{query}")
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    return r.get_json()


def test_three_units_pooling_rule_and_no_raw_walls(facilitator, phone_factory):
    a = unit_session(facilitator, phone_factory, "Päivystys A", raters=5, value=4)
    b = unit_session(facilitator, phone_factory, "Päivystys B", raters=6, value=2)
    c = unit_session(facilitator, phone_factory, "Päivystys C", raters=3, value=5)
    ids = [u["session"]["id"] for u in (a, b, c)]
    data = rollup_json(facilitator, ids)
    assert [u["name"] for u in data["units"]] == ["Päivystys A", "Päivystys B", "Päivystys C"]
    assert data["template"]["id"] == "sytyttaja"
    # Items side by side, one column per unit.
    assert [[i["what"] for i in g["items"]] for g in data["items"]] == [
        ["Hiljainen tunti Päivystys A"],
        ["Hiljainen tunti Päivystys B"],
        ["Hiljainen tunti Päivystys C"],
    ]
    # Themes by unit, with their vote totals.
    themes = next(p for p in data["phases"] if p["type"] == "themes")
    for unit, entry in zip((a, b, c), themes["units"], strict=True):
        named = {t["title"]: t["votes"] for t in entry["themes"]}
        assert named[THEME.format(unit=unit["name"])] == 2
    votes = next(p for p in data["phases"] if p["type"] == "votes")
    assert [u["voters"] for u in votes["units"]] == [2, 2, 2]
    # Ratings: C has 3 answers (< 5): nothing pooled, C's own figure hidden.
    ratings = next(p for p in data["phases"] if p["type"] == "ratings")
    assert ratings["threshold"] == 5
    first = next(s for s in ratings["statements"] if s["id"] == a["statement"])
    assert first["pooled"] is None
    assert first["not_shown"] == "fewer_than_threshold_in_some_unit"
    assert [u["mean"] for u in first["units"]] == [4.0, 2.0, None]
    assert [u["responses"] for u in first["units"]] == [5, 6, 3]
    # No raw walls in any format: the idea texts are nowhere, the theme names are.
    md = facilitator.client.get("/rollup.md?" + "&".join(f"s={i}" for i in ids))
    assert md.status_code == 200 and md.headers["Content-Type"] == "text/markdown; charset=utf-8"
    page = facilitator.client.get("/rollup?" + "&".join(f"s={i}" for i in ids))
    assert page.status_code == 200
    xlsx = facilitator.client.get("/rollup.xlsx?" + "&".join(f"s={i}" for i in ids))
    book = load_workbook(io.BytesIO(xlsx.data))
    cells = " ".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    for text in (str(data), md.get_data(as_text=True), page.get_data(as_text=True), cells):
        for unit in (a, b, c):
            assert RAW_IDEA.format(unit=unit["name"]) not in text
            assert THEME.format(unit=unit["name"]) in text
        assert "participant_id" not in text and "join_code" not in text
    html = page.get_data(as_text=True)
    # The facilitator reads Finnish: "not shown: fewer than 5 answers in some unit".
    assert "ei näytetä: jossakin yksikössä alle 5 vastausta" in html
    assert "ei näytetä: jossakin yksikössä alle 5 vastausta" in md.get_data(as_text=True)
    assert [ws.title for ws in book.worksheets][:2] == ["Units", "Agreed items"] or len(
        book.worksheets
    ) == 4


def test_pooled_when_every_unit_meets_the_threshold(facilitator, phone_factory):
    a = unit_session(facilitator, phone_factory, "Osasto 1", raters=5, value=4)
    b = unit_session(facilitator, phone_factory, "Osasto 2", raters=5, value=2)
    data = rollup_json(facilitator, [a["session"]["id"], b["session"]["id"]])
    ratings = next(p for p in data["phases"] if p["type"] == "ratings")
    first = next(s for s in ratings["statements"] if s["id"] == a["statement"])
    assert first["pooled"] == {
        "responses": 10,
        "mean": 3.0,
        "distribution": first["pooled"]["distribution"],
    }
    assert first["pooled"]["distribution"]["4"] == 5 and first["pooled"]["distribution"]["2"] == 5
    assert first["not_shown"] is None
    # A statement nobody rated: not shown either (0 < 5 in every unit).
    other = next(s for s in ratings["statements"] if s["id"] != a["statement"])
    assert other["pooled"] is None


def test_choice_rules_and_access_control(facilitator, other, phone_factory):
    a = unit_session(facilitator, phone_factory, "Kotihoito 1", raters=1, value=3)
    b = unit_session(facilitator, phone_factory, "Kotihoito 2", raters=1, value=3)
    ids = [a["session"]["id"], b["session"]["id"]]
    # Too few, mixed templates, unknown and malformed ids.
    assert rollup_json(facilitator, ids[:1], 422)["error"]["code"] == "rollup_too_few"
    plain = facilitator.create_session()
    assert (
        rollup_json(facilitator, [ids[0], plain["id"]], 422)["error"]["code"]
        == "rollup_mixed_templates"
    )
    assert rollup_json(facilitator, [ids[0], 999999], 404)["error"]["code"] == "not_found"
    assert facilitator.client.get("/rollup.json?s=abc&s=1").status_code == 422
    # The page lists the sessions by template and shows the error on the page.
    page = facilitator.client.get(f"/rollup?s={ids[0]}")
    assert page.status_code == 422 and "Kotihoito 1" in page.get_data(as_text=True)
    # Someone else cannot compile them, nor see them listed.
    assert rollup_json(other, ids, 404)["error"]["code"] == "not_found"
    assert "Kotihoito 1" not in other.client.get("/rollup").get_data(as_text=True)
    # Shared through a team: that unit's session becomes visible, the other stays hidden.
    facilitator.api("POST", f"/teams/{a['team']['id']}/members", {"email": "toinen@example.fi"})
    assert rollup_json(other, ids, 404)["error"]["code"] == "not_found"
    facilitator.api("POST", f"/teams/{b['team']['id']}/members", {"email": "toinen@example.fi"})
    assert [u["name"] for u in rollup_json(other, ids)["units"]] == ["Kotihoito 1", "Kotihoito 2"]
    assert "Kotihoito 1" in other.client.get("/rollup").get_data(as_text=True)
    # Signed out: the sign-in page.
    assert other.app.test_client().get(f"/rollup.json?s={ids[0]}&s={ids[1]}").status_code in (
        302,
        401,
    )


def test_read_only_link_for_a_manager(app, facilitator, phone_factory):
    a = unit_session(facilitator, phone_factory, "Vuodeosasto 1", raters=1, value=3)
    b = unit_session(facilitator, phone_factory, "Vuodeosasto 2", raters=1, value=3)
    ids = [a["session"]["id"], b["session"]["id"]]
    page = facilitator.client.post(
        "/rollup/links",
        data={"s": [str(i) for i in ids], "name": "Ylihoitaja", "csrf_token": facilitator.csrf},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    url = re.search(r'id="rollup-link-url" class="link-url" readonly value="([^"]+)"', html)
    path = "/r/" + url.group(1).split("/r/", 1)[1]
    secret = path.rsplit("/", 1)[1]
    assert secret.startswith("far_") and len(secret) >= 4 + 43
    manager = app.test_client()
    shown = manager.get(path)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    text = shown.get_data(as_text=True)
    assert "Vuodeosasto 1" in text and "Vuodeosasto 2" in text
    assert RAW_IDEA.format(unit="Vuodeosasto 1") not in text
    assert 'name="robots" content="noindex"' in text
    data = manager.get(path + ".json")
    assert data.status_code == 200 and len(data.get_json()["units"]) == 2
    assert manager.get(path + ".xlsx").status_code == 200
    # A made-up secret, and the link after it is stopped: 404 at once.
    assert manager.get("/r/far_nope").status_code == 404
    listed = facilitator.client.get("/rollup").get_data(as_text=True)
    assert "Ylihoitaja" in listed
    link_id = re.search(r"/rollup/links/(\d+)/revoke", listed).group(1)
    # Someone else cannot stop it.
    other = FacilitatorClient(app, app.test_client(), email="kolmas@example.fi")
    r = other.client.post(f"/rollup/links/{link_id}/revoke", data={"csrf_token": other.csrf})
    assert r.status_code == 404
    assert manager.get(path).status_code == 200
    r = facilitator.client.post(
        f"/rollup/links/{link_id}/revoke", data={"csrf_token": facilitator.csrf}
    )
    assert r.status_code == 302
    assert manager.get(path).status_code == 404
    gone = manager.get(path + ".json")
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "rollup_link_gone"
    # A link ends too when one of its sessions is deleted.
    page = facilitator.client.post(
        "/rollup/links", data={"s": [str(i) for i in ids], "csrf_token": facilitator.csrf}
    ).get_data(as_text=True)
    url = re.search(r'id="rollup-link-url" class="link-url" readonly value="([^"]+)"', page)
    path = "/r/" + url.group(1).split("/r/", 1)[1]
    assert manager.get(path).status_code == 200
    assert facilitator.api("DELETE", f"/sessions/{ids[0]}").status_code == 200
    assert manager.get(path).status_code == 404
