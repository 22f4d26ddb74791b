"""Teams: CRUD and sharing, sessions under a team, the board across sessions, item kinds,
history, the team link (rotation while a page is open) and concurrent updates."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest
import yaml

from facilitator.extensions import socketio
from facilitator.workshop_models import check_models_cli
from tests.conftest import FacilitatorClient

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def other(app):
    """A second facilitator with their own cookies."""
    return FacilitatorClient(app, app.test_client(), email="toinen@example.fi")


def make_team(fac, name="Osasto 5") -> dict:
    r = fac.api("POST", "/teams", {"name": name, "description": "Sisätautien vuodeosasto"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["team"]


def session_in(fac, team_id: int, title: str) -> dict:
    r = fac.api(
        "POST",
        "/sessions",
        {"model_id": "keep-change-give-up", "title": title, "team_id": team_id},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def add_action(fac, session_id: int, what: str, **fields) -> dict:
    body = {"client_id": uuid.uuid4().hex, "what": what, **fields}
    r = fac.api("POST", f"/sessions/{session_id}/actions", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["action"]


def board(fac, team_id: int, query: str = "") -> dict:
    r = fac.api("GET", f"/teams/{team_id}/board{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_team_crud_and_sharing(facilitator, other):
    team = make_team(facilitator)
    assert team["role"] == "owner" and team["has_link"] is False
    # Not shared: the other facilitator sees nothing of it.
    assert other.api("GET", f"/teams/{team['id']}").status_code == 404
    assert other.api("GET", f"/teams/{team['id']}/board").status_code == 404
    assert other.api("GET", "/teams").get_json()["teams"] == []
    assert other.client.get(f"/teams/{team['id']}").status_code == 404
    # An unknown address gets a clear error; a known one is shared.
    r = facilitator.api("POST", f"/teams/{team['id']}/members", {"email": "ei@example.fi"})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "no_account"
    r = facilitator.api("POST", f"/teams/{team['id']}/members", {"email": "toinen@example.fi"})
    assert r.status_code == 201
    assert [m["role"] for m in r.get_json()["members"]] == ["owner", "member"]
    listed = other.api("GET", "/teams").get_json()["teams"]
    assert [(t["name"], t["role"]) for t in listed] == [("Osasto 5", "member")]
    # A member cannot rename, share or delete; the owner can rename.
    assert other.api("PATCH", f"/teams/{team['id']}", {"name": "X"}).status_code == 403
    r = other.api("DELETE", f"/teams/{team['id']}")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "owner_only"
    r = facilitator.api("PATCH", f"/teams/{team['id']}", {"name": "Osasto 5 B"})
    assert r.get_json()["team"]["name"] == "Osasto 5 B"
    # The owner removes the member: the team disappears for them at once.
    member_id = r and facilitator.api("GET", f"/teams/{team['id']}").get_json()["members"][1]["id"]
    assert facilitator.api("DELETE", f"/teams/{team['id']}/members/{member_id}").status_code == 200
    assert other.api("GET", f"/teams/{team['id']}").status_code == 404
    # Deleting keeps the sessions, without a team.
    session = session_in(facilitator, team["id"], "Kevät")
    assert facilitator.api("DELETE", f"/teams/{team['id']}").status_code == 200
    assert facilitator.api("GET", f"/teams/{team['id']}").status_code == 404
    kept = facilitator.api("GET", "/sessions").get_json()["sessions"]
    assert [(s["id"], s["team_id"]) for s in kept] == [(session["id"], None)]


def test_pages_list_and_create(facilitator):
    page = facilitator.client.get("/teams")
    assert page.status_code == 200
    r = facilitator.client.post(
        "/teams", data={"name": "Kotihoito Itä", "csrf_token": facilitator.csrf}
    )
    assert r.status_code == 302
    board_page = facilitator.client.get(r.headers["Location"])
    assert board_page.status_code == 200 and "Kotihoito Itä" in board_page.get_data(as_text=True)
    empty = facilitator.client.post("/teams", data={"name": " ", "csrf_token": facilitator.csrf})
    assert empty.status_code == 422


def test_sessions_under_a_team_and_shared_running(app, facilitator, other):
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"], "Syksy")
    assert session["team_id"] == team["id"] and session["team"] == "Osasto 5"
    # Without a team as before; a team the caller cannot see is refused.
    plain = facilitator.create_session()
    assert plain["team_id"] is None
    r = other.api(
        "POST",
        "/sessions",
        {"model_id": "keep-change-give-up", "title": "x", "team_id": team["id"]},
    )
    assert r.status_code == 404
    # Not shared: the other facilitator cannot run the team's session.
    assert other.api("GET", f"/sessions/{session['id']}").status_code == 404
    facilitator.api("POST", f"/teams/{team['id']}/members", {"email": "toinen@example.fi"})
    # Shared: they see it and can run it, but not the owner's session outside the team.
    assert other.api("POST", f"/sessions/{session['id']}/start").status_code == 200
    assert other.client.get(f"/sessions/{session['id']}").status_code == 200
    sio = socketio.test_client(app, flask_test_client=other.client)
    ack = sio.emit("join", {"role": "facilitator", "session_id": session["id"]}, callback=True)
    assert ack["ok"] is True
    sio.disconnect()
    # Running is not owning: only the session's own facilitator deletes it.
    assert other.api("DELETE", f"/sessions/{session['id']}").status_code == 404
    assert other.client.get(f"/sessions/{session['id']}/delete").status_code == 404
    assert other.api("GET", f"/sessions/{plain['id']}").status_code == 404
    # A session is put under a team and taken out again by its own facilitator.
    r = facilitator.api("PUT", f"/teams/{team['id']}/sessions/{plain['id']}")
    assert r.status_code == 200 and r.get_json()["team_id"] == team["id"]
    r = facilitator.api("DELETE", f"/teams/{team['id']}/sessions/{plain['id']}")
    assert r.get_json()["team_id"] is None


def test_board_across_two_sessions_with_kinds_and_filters(facilitator):
    team = make_team(facilitator)
    first = session_in(facilitator, team["id"], "Kevät")
    second = session_in(facilitator, team["id"], "Syksy")
    add_action(
        facilitator,
        first["id"],
        "Vuoronvaihdon raportti kirjallisena",
        who="Sairaanhoitajat",
        due="2020-01-31",
        first_step="Pohja Teamsiin",
    )
    add_action(facilitator, first["id"], "Taukohuoneen siivousvuorot", status="done")
    # keep-change-give-up records only actions: another kind is refused with a clear code.
    r = facilitator.api(
        "POST",
        f"/sessions/{second['id']}/actions",
        {"client_id": uuid.uuid4().hex, "what": "Kokeillaan", "item_kind": "experiment"},
    )
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "item_kind_not_allowed"
    add_action(facilitator, second["id"], "Uusi perehdytyskansio", due="2999-01-01")
    data = board(facilitator, team["id"])
    assert data["progress"] == {"done": 1, "total": 3, "overdue": 1}
    titles = [(i["what"], i["session"]["title"], i["overdue"]) for i in data["items"]]
    assert titles == [
        ("Vuoronvaihdon raportti kirjallisena", "Kevät", True),
        ("Taukohuoneen siivousvuorot", "Kevät", False),
        ("Uusi perehdytyskansio", "Syksy", False),
    ]
    first_item = data["items"][0]
    assert first_item["item_kind"] == "action" and first_item["first_step"] == "Pohja Teamsiin"
    assert first_item["version"] == 1 and first_item["history"] == []
    # Filters: status, kind and session.
    assert [i["what"] for i in board(facilitator, team["id"], "?status=done")["items"]] == [
        "Taukohuoneen siivousvuorot"
    ]
    assert len(board(facilitator, team["id"], f"?session={second['id']}")["items"]) == 1
    assert board(facilitator, team["id"], "?kind=ground_rule")["items"] == []
    assert facilitator.api("GET", f"/teams/{team['id']}/board?status=bogus").status_code == 422
    # Nothing identifying a participant is on the board.
    text = str(data)
    for key in ("participant", "client_id", "token", "sid"):
        assert f"'{key}" not in text


def test_experiment_and_ground_rule_fields(app, facilitator, tmp_path):
    """A template choosing all three kinds records each with its own fields."""
    data = yaml.safe_load((ROOT / "workshop_models" / "keep-change-give-up.yaml").read_text())
    data["id"] = "kinds-test"
    for phase in data["phases"]:
        if phase["kind"] == "actions":
            phase.setdefault("settings", {})["item_kinds"] = ["action", "experiment", "ground_rule"]
    (tmp_path / "kinds-test.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    app.config["MODELS_DIR"] = str(tmp_path)
    app.extensions.pop("workshop_models", None)
    team = make_team(facilitator)
    r = facilitator.api(
        "POST", "/sessions", {"model_id": "kinds-test", "title": "Dynamo 1", "team_id": team["id"]}
    )
    session = r.get_json()
    state = facilitator.go_to(session["id"], "actions")
    assert state["phase"]["settings"]["item_kinds"] == ["action", "experiment", "ground_rule"]
    experiment = add_action(
        facilitator,
        session["id"],
        "Kokeillaan hiljaista tuntia",
        item_kind="experiment",
        why="Keskeytykset",
        how_know="Virheilmoitukset vähenevät",
        due="2030-06-30",
    )
    rule = add_action(
        facilitator,
        session["id"],
        "Kysytään ennen kuin oletetaan",
        item_kind="ground_rule",
        how_check="Kuukausipalaverissa",
    )
    assert experiment["item_kind"] == "experiment" and experiment["how_know"].startswith("Virhe")
    assert rule["item_kind"] == "ground_rule" and rule["how_check"] == "Kuukausipalaverissa"
    items = board(facilitator, team["id"], "?kind=experiment")["items"]
    assert [i["why"] for i in items] == ["Keskeytykset"]
    # A facilitator records what was learned on the board.
    r = facilitator.api(
        "PATCH",
        f"/teams/{team['id']}/items/{experiment['id']}",
        {"version": 1, "learned": "Toimii aamuvuorossa", "status": "done"},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["item"]["learned"] == "Toimii aamuvuorossa"
    # The export keeps working and carries the kind.
    export = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    assert "ground_rule" in str(export)


def rotate(fac, team_id: int) -> str:
    r = fac.api("POST", f"/teams/{team_id}/link")
    assert r.status_code == 201, r.get_json()
    link = r.get_json()["link"]
    assert "<svg" in link["qr_svg"] and link["url"].endswith(link["secret"])
    return link["secret"]


def test_member_link_history_and_rotation(app, facilitator):
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"], "Kevät")
    action = add_action(facilitator, session["id"], "Perehdytyskansio")
    secret = rotate(facilitator, team["id"])
    assert secret.startswith("fat_") and len(secret) >= 4 + 43  # 256 random bits
    phone = app.test_client()
    page = phone.get(f"/t/{secret}")
    assert page.status_code == 200 and "Osasto 5" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    # A facilitator's board is open: it hears the member's update live.
    board_socket = socketio.test_client(app, flask_test_client=facilitator.client)
    ack = board_socket.emit("team.join", {"team_id": team["id"]}, callback=True)
    assert ack["ok"] is True
    member_socket = socketio.test_client(app, flask_test_client=phone)
    assert member_socket.emit("team.join", {"link": secret}, callback=True)["ok"] is True
    board_socket.get_received()
    r = phone.post(
        f"/t/{secret}/items/{action['id']}",
        json={"version": 1, "status": "done", "note": "Kansio on kahvihuoneessa"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 200, r.get_json()
    item = r.get_json()["item"]
    assert item["status"] == "done" and item["version"] == 2
    assert item["history"][0]["who"] is None  # "team member", translated by the page
    assert item["history"][0]["from"] == "open" and item["history"][0]["to"] == "done"
    live = [e for e in board_socket.get_received() if e["name"] == "team.item"]
    assert live and live[-1]["args"][0]["item"]["status"] == "done"
    # A member may change progress only, not the item's text.
    r = phone.post(
        f"/t/{secret}/items/{action['id']}",
        json={"version": 2, "what": "Muuta"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 422
    # A facilitator's update is signed with their name.
    r = facilitator.api(
        "PATCH",
        f"/teams/{team['id']}/items/{action['id']}",
        {"version": 2, "status": "in_progress"},
    )
    assert (
        r.get_json()["item"]["history"][0]["who"] == "Testi Fasilitaattori"
        or r.get_json()["item"]["history"][0]["who"]
    )
    # Rotation: the old link is refused at once and the open page is told.
    member_socket.get_received()
    new_secret = rotate(facilitator, team["id"])
    assert new_secret != secret
    told = [e for e in member_socket.get_received() if e["name"] == "team.link_ended"]
    assert told and told[0]["args"][0]["error"]["code"] == "link_revoked"
    assert phone.get(f"/t/{secret}").status_code == 404
    # The old page hears nothing more of the team's board.
    facilitator.api(
        "PATCH", f"/teams/{team['id']}/items/{action['id']}", {"version": 3, "note": "x"}
    )
    assert [e for e in member_socket.get_received() if e["name"] == "team.item"] == []
    assert [e for e in board_socket.get_received() if e["name"] == "team.item"]
    r = phone.post(
        f"/t/{secret}/items/{action['id']}",
        json={"version": 4, "status": "done"},
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "link_revoked"
    assert member_socket.emit("team.join", {"link": secret}, callback=True)["ok"] is False
    assert phone.get(f"/t/{new_secret}").status_code == 200
    # Revoking ends the new one too.
    assert facilitator.api("DELETE", f"/teams/{team['id']}/link").status_code == 200
    assert phone.get(f"/t/{new_secret}").status_code == 404
    board_socket.disconnect()
    member_socket.disconnect()


def test_stale_update_gets_409_with_current(facilitator):
    team = make_team(facilitator)
    session = session_in(facilitator, team["id"], "Kevät")
    action = add_action(facilitator, session["id"], "Perehdytyskansio")
    path = f"/teams/{team['id']}/items/{action['id']}"
    first = facilitator.api(
        "PATCH", path, {"version": 1, "status": "in_progress", "note": "Aloitettu"}
    )
    assert first.status_code == 200
    # A second person still looking at version 1: refused, nothing overwritten.
    second = facilitator.api("PATCH", path, {"version": 1, "status": "dropped"})
    assert second.status_code == 409
    body = second.get_json()
    assert body["error"]["code"] == "stale" and body["error"]["message"]
    assert body["item"]["version"] == 2 and body["item"]["status"] == "in_progress"
    # Retrying from the current version works; both updates are in the history.
    third = facilitator.api("PATCH", path, {"version": 2, "status": "carried_forward"})
    assert third.status_code == 200
    history = third.get_json()["item"]["history"]
    assert [h["to"] for h in history] == ["carried_forward", "in_progress"]
    assert history[1]["note"] == "Aloitettu"
    # Carried forward is set aside from the progress count; old API values still work.
    assert board(facilitator, team["id"])["progress"]["total"] == 0
    r = facilitator.api(
        "PATCH", f"/sessions/{session['id']}/actions/{action['id']}", {"status": "done"}
    )
    assert r.status_code == 200 and r.get_json()["action"]["version"] == 4


def test_check_models_validates_item_kinds(tmp_path):
    source = ROOT / "workshop_models" / "keep-change-give-up.yaml"
    data = yaml.safe_load(source.read_text())
    for phase in data["phases"]:
        if phase["kind"] == "actions":
            phase.setdefault("settings", {})["item_kinds"] = ["experiment", "ground_rule"]
    (tmp_path / "keep-change-give-up.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    out = io.StringIO()
    assert check_models_cli(tmp_path, out) == 0, out.getvalue()
    for phase in data["phases"]:
        if phase["kind"] == "actions":
            phase["settings"]["item_kinds"] = ["action", "wish"]
    (tmp_path / "keep-change-give-up.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    out = io.StringIO()
    assert check_models_cli(tmp_path, out) == 1
    assert "item_kinds" in out.getvalue()
