"""The review kind end to end: a team's open items come back at its next session, phones
check their progress (set semantics, retries, the threshold), the facilitator sets the
status, records what was learned, carries items forward (a chain across three sessions)
or drops them with a reason; refusals, the board's chain and the export.

The sessions are built from a template this module writes into a temporary models
directory; they run through the Flask-SocketIO test client with several phones.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
import yaml

from facilitator.workshop_models import check_models_cli
from tests.conftest import models_dir, test_app
from tests.test_participant_events import assert_error


def template(template_id: str, settings: dict) -> dict:
    """Return a template: an info phase, a review, an actions phase and a summary."""
    return {
        "id": template_id,
        "version": 1,
        "title": {"fi": "Seuranta", "sv": "Uppföljning", "en": "Follow-up"},
        "description": "Testipohja",
        "phases": [
            {"id": "alku", "kind": "info", "title": "Alku", "prompt": "Tervetuloa", "minutes": 2},
            {
                "id": "katsaus",
                "kind": "review",
                "title": "Mitä sovimme viimeksi?",
                "prompt": "Miten sovitut asiat ovat edenneet?",
                "minutes": 15,
                "settings": settings,
            },
            {
                "id": "sovitaan",
                "kind": "actions",
                "title": "Sovitaan",
                "prompt": "Mitä teemme?",
                "minutes": 10,
                "settings": {"item_kinds": ["action", "experiment", "ground_rule"]},
            },
            {"id": "yhteenveto", "kind": "summary", "title": "Yhteenveto", "minutes": 5},
        ],
    }


TEMPLATES = {
    "review-all": {},
    "review-quiet": {"item_kinds": ["experiment"], "notes": False, "show_results": "after_close"},
}


@pytest.fixture
def app(database_url, tmp_path):
    templates = {tid: template(tid, s) for tid, s in TEMPLATES.items()}
    with test_app(database_url, MODELS_DIR=models_dir(tmp_path, templates)) as app:
        yield app


def make_team(fac, name="Osasto 5") -> int:
    r = fac.api("POST", "/teams", {"name": name})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["team"]["id"]


def session_in(fac, team_id, title: str, model_id="review-all") -> dict:
    body = {"model_id": model_id, "title": title}
    if team_id is not None:
        body["team_id"] = team_id
    r = fac.api("POST", "/sessions", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def add_item(fac, session_id: int, what: str, **fields) -> dict:
    body = {"client_id": uuid.uuid4().hex, "what": what, **fields}
    r = fac.api("POST", f"/sessions/{session_id}/actions", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["action"]


def check(phone, item_id, progress, note=None, client_id=None):
    payload = {"client_id": client_id or uuid.uuid4().hex, "item_id": item_id}
    payload["progress"] = progress
    if note is not None:
        payload["note"] = note
    return phone.emit("review.set", payload)


def review_of(phone) -> dict:
    ack = phone.emit("sync")
    assert ack["ok"], ack
    return ack["state"]["review"]


def control(fac, session) -> dict:
    return fac.api("GET", f"/sessions/{session['id']}").get_json()["review"]


def by_id(block) -> dict:
    return {i["id"]: i for i in block["items"]}


def item_url(session, item_id, tail="") -> str:
    return f"/sessions/{session['id']}/review/katsaus/items/{item_id}{tail}"


@pytest.fixture
def earlier(facilitator):
    """A team with a first session's items: two open, one done, one experiment, and
    another team's item that must never come in."""
    team_id = make_team(facilitator)
    first = session_in(facilitator, team_id, "Kehittämispäivä 1")
    items = {
        "lista": add_item(facilitator, first["id"], "Perehdytyslista uusiksi", who="Sari"),
        "tauot": add_item(facilitator, first["id"], "Tauot vuorolistaan"),
        "valmis": add_item(facilitator, first["id"], "Kahvinkeitin", status="done"),
        "kokeilu": add_item(
            facilitator,
            first["id"],
            "Hiljainen tunti aamuisin",
            item_kind="experiment",
            why="Keskeytykset",
        ),
    }
    other_team = make_team(facilitator, "Osasto 7")
    elsewhere = session_in(facilitator, other_team, "Toinen tiimi")
    items["vieras"] = add_item(facilitator, elsewhere["id"], "Toisen tiimin asia")
    return team_id, first, items


def test_open_items_come_in_and_checks_are_set_with_a_threshold(
    facilitator, phone_factory, earlier
):
    """Only the team's open items of the chosen kinds come in; a phone's check is set
    (a retry or a change never adds one); distributions and notes wait for five."""
    team_id, _first, items = earlier
    second = session_in(facilitator, team_id, "Kehittämispäivä 2")
    phones = [phone_factory(second["join_code"]) for _ in range(6)]
    state = facilitator.go_to(second["id"], "review")
    block = state["review"]
    assert block["team"]["name"] == "Osasto 5"
    assert [i["what"] for i in block["items"]] == [
        "Perehdytyslista uusiksi",
        "Tauot vuorolistaan",
        "Hiljainen tunti aamuisin",
    ]
    assert block["items"][0]["session"]["title"] == "Kehittämispäivä 1"
    lista = items["lista"]["id"]
    client_id = uuid.uuid4().hex
    for _ in range(2):  # a retry after a reconnect
        ack = check(phones[0], lista, "partly", "Puolet tehty", client_id=client_id)
        assert ack == {
            "ok": True,
            "item_id": lista,
            "my_review": {"progress": "partly", "note": "Puolet tehty"},
        }
    assert check(phones[0], lista, "done")["my_review"] == {"progress": "done", "note": ""}
    for phone in phones[1:4]:
        assert check(phone, lista, "partly", "Odottaa esihenkilöä")["ok"]
    item = by_id(control(facilitator, second))[lista]
    assert item["responses"] == 4 and item["counts"] is None and item["notes"] is None
    assert review_of(phones[0])["my_review"] == {str(lista): {"progress": "done", "note": ""}}
    assert check(phones[4], lista, "dont_know", "  Aloitettu ")["ok"]
    item = by_id(control(facilitator, second))[lista]
    assert item["counts"] == {"done": 1, "partly": 3, "not_started": 0, "dont_know": 1}
    # Notes without writers, sorted by text (their order tells nothing).
    assert item["notes"] == ["Aloitettu"] + ["Odottaa esihenkilöä"] * 3
    seen = review_of(phones[5])
    assert by_id(seen)[lista]["counts"]["partly"] == 3
    assert "participant_id" not in json.dumps(seen) and "token" not in json.dumps(seen)
    events = phones[5].received("review.results")
    assert events and by_id(events[-1]["args"][0])[lista]["responses"] == 5
    # Taking a check back: below five again, hidden again.
    assert check(phones[4], lista, None)["my_review"] is None
    assert by_id(control(facilitator, second))[lista]["counts"] is None


def test_refusals(facilitator, phone_factory, earlier):
    """Out of phase, another team's item, a note too long, an unknown progress, closed input."""
    team_id, _first, items = earlier
    second = session_in(facilitator, team_id, "Kehittämispäivä 2")
    phone = phone_factory(second["join_code"])
    facilitator.api("POST", f"/sessions/{second['id']}/start")
    lista = items["lista"]["id"]
    assert_error(check(phone, lista, "done"), "wrong_phase")
    facilitator.go_to(second["id"], "review")
    assert_error(check(phone, items["vieras"]["id"], "done"), "not_found")
    assert_error(check(phone, items["valmis"]["id"], "done"), "not_found")
    too_long = check(phone, lista, "done", "x" * 301)
    assert_error(too_long, "too_long")
    assert "300" in too_long["error"]["message"]
    assert check(phone, lista, "done", "x" * 300)["ok"]
    assert_error(check(phone, lista, "maybe"), "invalid")
    assert_error(check(phone, lista, None, "pelkkä huomio"), "invalid")
    assert_error(phone.emit("review.set", {"client_id": "x" * 10, "item_id": "1"}), "invalid")
    # The facilitator's routes refuse another team's item and another session's phase.
    r = facilitator.api("PATCH", item_url(second, items["vieras"]["id"]), {"status": "done"})
    assert r.status_code == 404
    r = facilitator.api("POST", f"/sessions/{second['id']}/review/alku/items/{lista}/carry", {})
    assert r.status_code == 404
    r = facilitator.api("POST", item_url(second, lista, "/drop"), {"reason": "  "})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "empty"
    facilitator.api("POST", f"/sessions/{second['id']}/input", {"open": False})
    assert_error(check(phone, lista, "partly"), "phase_closed")


def test_quiet_template_kinds_notes_and_reveal(facilitator, phone_factory, earlier):
    """item_kinds narrows what comes in; notes off refuses a note; after_close hides the
    distribution from the room until input closes (the facilitator sees it live)."""
    team_id, _first, items = earlier
    second = session_in(facilitator, team_id, "Kokeilujen katsaus", "review-quiet")
    phones = [phone_factory(second["join_code"]) for _ in range(5)]
    block = facilitator.go_to(second["id"], "review")["review"]
    kokeilu = items["kokeilu"]["id"]
    assert [i["id"] for i in block["items"]] == [kokeilu]
    assert_error(check(phones[0], kokeilu, "done", "huomio"), "invalid")
    for phone in phones:
        assert check(phone, kokeilu, "not_started")["ok"]
    assert by_id(control(facilitator, second))[kokeilu]["counts"]["not_started"] == 5
    assert by_id(review_of(phones[0]))[kokeilu]["counts"] is None
    facilitator.api("POST", f"/sessions/{second['id']}/input", {"open": False})
    assert by_id(review_of(phones[0]))[kokeilu]["counts"]["not_started"] == 5


def test_carry_forward_chain_across_three_sessions(facilitator, phone_factory, earlier):
    """Status on the spot, learned, drop with a reason and carry forward, each one unit
    of work; a carried item comes back in the third session and its whole chain reads
    on the board; retries never duplicate; the export has every decision."""
    team_id, first, items = earlier
    second = session_in(facilitator, team_id, "Kehittämispäivä 2")
    phone = phone_factory(second["join_code"])
    facilitator.go_to(second["id"], "review")
    phone.received()
    lista, tauot, kokeilu = (items[k]["id"] for k in ("lista", "tauot", "kokeilu"))
    # Learned and a status on the spot (from the version seen; an old one is stale).
    r = facilitator.api(
        "PATCH", item_url(second, kokeilu), {"status": "done", "learned": "Toimii", "version": 1}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["item"]["status"] == "done" and r.get_json()["item"]["learned"] == "Toimii"
    r = facilitator.api("PATCH", item_url(second, kokeilu), {"status": "open", "version": 1})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale"
    assert r.get_json()["item"]["status"] == "done"
    updates = phone.received("review.results")
    assert by_id(updates[-1]["args"][0])[kokeilu]["outcome"]["status"] == "done"
    # Drop with a reason (a retry changes nothing).
    for _ in range(2):
        r = facilitator.api("POST", item_url(second, tauot, "/drop"), {"reason": "Ei tarvita"})
        assert r.status_code == 200, r.get_json()
    dropped = r.get_json()["item"]
    assert dropped["status"] == "dropped"
    assert dropped["outcome"] == {
        "decision": "dropped",
        "status": None,
        "reason": "Ei tarvita",
        "carried_to": None,
    }
    # Carry forward: one new item in this session, linked; a retry returns the same one.
    first_carry = facilitator.api("POST", item_url(second, lista, "/carry"), {}).get_json()
    again = facilitator.api("POST", item_url(second, lista, "/carry"), {}).get_json()
    new_id = first_carry["carried_to"]["id"]
    assert again["carried_to"]["id"] == new_id
    assert first_carry["item"]["status"] == "carried_forward"
    assert first_carry["item"]["outcome"]["carried_to"] == new_id
    actions = facilitator.api("GET", f"/sessions/{second['id']}").get_json()["actions"]
    assert [(a["id"], a["what"], a["who"]) for a in actions] == [
        (new_id, "Perehdytyslista uusiksi", "Sari")
    ]
    # A carried item cannot be changed any more (its new copy carries on).
    r = facilitator.api("PATCH", item_url(second, lista), {"status": "done"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_carried"
    # Nor on the team board, from the version the board shows.
    seen = {
        i["id"]: i for i in facilitator.api("GET", f"/teams/{team_id}/board").get_json()["items"]
    }
    r = facilitator.api(
        "PATCH",
        f"/teams/{team_id}/items/{lista}",
        {"version": seen[lista]["version"], "status": "done"},
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_carried"
    # The decided items stay in the review (the carried one no longer open).
    assert set(by_id(control(facilitator, second))) == {lista, tauot, kokeilu}
    facilitator.api("POST", f"/sessions/{second['id']}/close")

    # The third session: the carried copy comes in, carried forward once more.
    third = session_in(facilitator, team_id, "Kehittämispäivä 3")
    block = facilitator.go_to(third["id"], "review")["review"]
    assert [(i["id"], i["carried_from"]) for i in block["items"]] == [(new_id, lista)]
    third_carry = facilitator.api("POST", item_url(third, new_id, "/carry"), {}).get_json()
    newest = third_carry["carried_to"]["id"]

    board = facilitator.api("GET", f"/teams/{team_id}/board").get_json()
    chain = {i["id"]: i for i in board["items"]}[newest]["chain"]
    assert [(c["id"], c["session"]["title"], c["status"]) for c in chain] == [
        (lista, "Kehittämispäivä 1", "carried_forward"),
        (new_id, "Kehittämispäivä 2", "carried_forward"),
    ]
    oldest = {i["id"]: i for i in board["items"]}[lista]
    assert oldest["carried_to"]["id"] == new_id
    history = oldest["history"]
    assert history[0]["to"] == "carried_forward" and history[0]["who"]
    dropped_entry = {i["id"]: i for i in board["items"]}[tauot]["history"][0]
    assert dropped_entry["to"] == "dropped" and dropped_entry["note"] == "Ei tarvita"

    data = facilitator.api("GET", f"/sessions/{second['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "review")
    exported = {i["id"]: i for i in entry["items"]}
    # What the second session reviewed, not the third session's later copy.
    assert set(exported) == {lista, tauot, kokeilu}
    assert exported[lista]["outcome"]["decision"] == "carried"
    assert exported[tauot]["outcome"]["reason"] == "Ei tarvita"
    assert exported[kokeilu]["learned"] == "Toimii"
    assert exported[lista]["counts"] is None and entry["min_responses"] == 5
    markdown = facilitator.api("GET", f"/sessions/{second['id']}/export.md").get_data(as_text=True)
    assert "Ei tarvita" in markdown and "Toimii" in markdown, markdown
    html = facilitator.client.get(f"/sessions/{second['id']}/export").get_data(as_text=True)
    assert "Hiljainen tunti aamuisin" in html


def test_export_counts_and_notes_above_threshold(facilitator, phone_factory, earlier):
    team_id, _first, items = earlier
    second = session_in(facilitator, team_id, "Kehittämispäivä 2")
    phones = [phone_factory(second["join_code"]) for _ in range(5)]
    facilitator.go_to(second["id"], "review")
    lista = items["lista"]["id"]
    for n, phone in enumerate(phones):
        assert check(phone, lista, "done" if n < 3 else "partly", f"huomio {n}")["ok"]
    data = facilitator.api("GET", f"/sessions/{second['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "review")
    item = {i["id"]: i for i in entry["items"]}[lista]
    assert item["counts"] == {"done": 3, "partly": 2, "not_started": 0, "dont_know": 0}
    assert item["notes"] == [f"huomio {n}" for n in range(5)]
    assert "participant" not in json.dumps(entry) and "token" not in json.dumps(entry)


def test_session_without_team(facilitator, phone_factory):
    """No team: the review has no items and says so; nothing breaks."""
    session = session_in(facilitator, None, "Ilman tiimiä")
    phone = phone_factory(session["join_code"])
    block = facilitator.go_to(session["id"], "review")["review"]
    assert block["team"] is None and block["items"] == []
    assert review_of(phone)["items"] == []
    assert_error(check(phone, 1, "done"), "not_found")
    page = facilitator.client.get(f"/sessions/{session['id']}")
    assert page.status_code == 200
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    assert next(p for p in data["phases"] if p["kind"] == "review")["items"] == []
    assert facilitator.api("GET", f"/sessions/{session['id']}/export.md").status_code == 200


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"item_kinds": []}, "settings.item_kinds", "at least 1"),
        ({"item_kinds": ["action", "action"]}, "settings.item_kinds", "at most once"),
        ({"item_kinds": ["idea"]}, "settings.item_kinds[0]", "action"),
        ({"notes": "yes"}, "settings.notes", "boolean"),
        ({"min_responses": 3}, "settings.min_responses", "greater than"),
        ({"scope": "world"}, "settings.scope", "team"),
        ({"source": "alku"}, "settings.source", "unknown key"),
    ],
)
def test_check_models_names_file_and_field(tmp_path: Path, settings, field, words):
    path = tmp_path / "review-bad.yaml"
    path.write_text(yaml.safe_dump(template("review-bad", settings)), encoding="utf-8")
    out = io.StringIO()
    assert check_models_cli(tmp_path, out) == 1
    report = out.getvalue()
    assert f"review-bad.yaml: phases[1].{field}" in report, report
    assert words.lower() in report.lower(), report


def test_a_board_update_reaches_a_running_review(facilitator, phone_factory, earlier):
    """An item updated on the team board while a review shows it: the room sees the new
    status at once; an item marked done there stays in the review once checked."""
    team_id, _first, items = earlier
    second = session_in(facilitator, team_id, "Kehittämispäivä 2")
    phone = phone_factory(second["join_code"])
    facilitator.go_to(second["id"], "review")
    tauot = items["tauot"]["id"]
    assert check(phone, tauot, "done")["ok"]
    phone.received()
    body = {"version": items["tauot"]["version"], "status": "done"}
    r = facilitator.api("PATCH", f"/teams/{team_id}/items/{tauot}", body)
    assert r.status_code == 200, r.get_json()
    latest = phone.received("review.results")[-1]["args"][0]
    assert by_id(latest)[tauot]["status"] == "done"


def test_a_carry_racing_its_twin_answers_the_one_copy(facilitator, earlier, monkeypatch):
    """Two carries of one item at the same moment: the loser's insert hits the unique
    carried_from link, its unit of work rolls back and it answers the winner's copy."""
    from facilitator.phases.review import ops

    team_id, _first, items = earlier
    second = session_in(facilitator, team_id, "Kehittämispäivä 2")
    facilitator.go_to(second["id"], "review")
    lista = items["lista"]["id"]
    winner = facilitator.api("POST", item_url(second, lista, "/carry"), {}).get_json()
    real = ops.carried_into
    calls = []

    def not_yet_seen(action):
        # The loser checked before the winner's copy was committed.
        calls.append(action.id)
        return None if len(calls) == 1 else real(action)

    monkeypatch.setattr(ops, "carried_into", not_yet_seen)
    r = facilitator.api("POST", item_url(second, lista, "/carry"), {})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["carried_to"]["id"] == winner["carried_to"]["id"]
    actions = facilitator.api("GET", f"/sessions/{second['id']}").get_json()["actions"]
    assert [a["id"] for a in actions] == [winner["carried_to"]["id"]]
