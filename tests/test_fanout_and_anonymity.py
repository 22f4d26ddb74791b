"""Only the screens that show something receive it; nothing identifies a participant."""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from pathlib import Path

import pytest

from facilitator.extensions import socketio

PROJECTOR_WALL_MODEL = """
id: projector-wall
version: 1
title: Seinä vain valkokankaalla
description: Testimalli
phases:
  - id: ideas
    kind: ideas
    title: Ideat
    prompt: Mitä ajattelet?
    minutes: 5
    settings:
      wall: projector
  - id: summary
    kind: summary
    title: Yhteenveto
    minutes: 5
"""


@pytest.fixture
def projector_wall_app(app, tmp_path):
    """Return the app with an extra template whose wall shows only on the projector."""
    models = tmp_path / "models"
    shutil.copytree(Path(app.config["MODELS_DIR"]), models)
    (models / "projector-wall.yaml").write_text(PROJECTOR_WALL_MODEL)
    app.config["MODELS_DIR"] = str(models)
    app.extensions.pop("workshop_models", None)
    return app


def screen(app, http_client, session_id: int, role: str):
    """Return a facilitator or projector socket joined to a session."""
    sio = socketio.test_client(app, flask_test_client=http_client)
    ack = sio.emit("join", {"role": role, "session_id": session_id}, callback=True)
    assert ack["ok"], ack
    sio.get_received()
    return sio


def test_phones_do_not_receive_others_ideas_when_wall_is_on_projector(
    projector_wall_app, facilitator, phone_factory
):
    """With `wall: projector` a phone sees only its own ideas; the projector sees all."""
    app = projector_wall_app
    session = facilitator.create_session("projector-wall")
    phones = [phone_factory(session["join_code"]) for _ in range(3)]
    facilitator.go_to(session["id"], "ideas")
    projector = screen(app, facilitator.client, session["id"], "projector")
    for phone in phones:
        phone.received()
    for n, phone in enumerate(phones):
        assert phone.add_idea(f"Idea {n}")["ok"]
    assert [
        e["args"][0]["text"] for e in projector.get_received() if e["name"] == "idea.added"
    ] == ["Idea 0", "Idea 1", "Idea 2"]
    for n, phone in enumerate(phones):
        assert phone.received("idea.added") == []
        state = phone.emit("sync")["state"]
        assert [i["text"] for i in state["ideas"]] == [f"Idea {n}"]
    projector.disconnect()


def test_hidden_idea_leaves_projector_and_phones_but_not_facilitator(
    app, facilitator, phone_factory
):
    """Hiding an idea removes it from public screens; the facilitator still sees it, marked."""
    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(session["id"], "ideas")
    column = state["phase"]["settings"]["columns"][0]["id"]
    idea = phone.add_idea("Asiaton kommentti", column)["idea"]
    projector = screen(app, facilitator.client, session["id"], "projector")
    other = phone_factory(session["join_code"])
    other.received()
    r = facilitator.api("PATCH", f"/sessions/{session['id']}/ideas/{idea['id']}", {"hidden": True})
    assert r.status_code == 200
    assert [e["args"][0] for e in projector.get_received() if e["name"] == "idea.removed"] == [
        {"id": idea["id"]}
    ]
    assert other.received("idea.removed")[-1]["args"][0] == {"id": idea["id"]}
    assert other.emit("sync")["state"]["ideas"] == []
    fac_state = facilitator.api("GET", f"/sessions/{session['id']}").get_json()
    assert fac_state["ideas"][0]["hidden"] is True
    projector.disconnect()


def test_merge_moves_votes_and_hides_merged_idea(facilitator, phone_factory):
    """Merging two ideas leaves one item on the ballot with both ideas' votes."""
    session = facilitator.create_session()
    phones = [phone_factory(session["join_code"]) for _ in range(2)]
    state = facilitator.go_to(session["id"], "ideas")
    column = state["phase"]["settings"]["columns"][1]["id"]
    a = phones[0].add_idea("Lisää taukoja", column)["idea"]
    b = phones[1].add_idea("Enemmän taukoja", column)["idea"]
    state = facilitator.go_to(session["id"], "vote")
    for phone, idea in zip(phones, (a, b), strict=True):
        assert phone.emit(
            "vote.set", {"client_id": uuid.uuid4().hex, "item": f"idea:{idea['id']}", "count": 1}
        )["ok"]
    r = facilitator.api(
        "POST", f"/sessions/{session['id']}/ideas/{b['id']}/merge", {"into": a["id"]}
    )
    assert r.status_code == 200
    state = facilitator.api("GET", f"/sessions/{session['id']}").get_json()
    keys = [i["key"] for i in state["vote"]["items"]]
    assert f"idea:{b['id']}" not in keys
    assert {r["key"]: r["count"] for r in state["vote"]["results"]}[f"idea:{a['id']}"] == 2


def test_broadcasts_and_snapshots_carry_no_identifiers(app, facilitator, phone_factory, caplog):
    """Nothing sent to any screen, nor logged, holds a token, socket id or author."""
    caplog.set_level(logging.DEBUG)
    session = facilitator.create_session("sytyttaja", "Anonyymi")
    phones = [phone_factory(session["join_code"]) for _ in range(3)]
    fac_screen = screen(app, facilitator.client, session["id"], "facilitator")
    facilitator.go_to(session["id"], "ideas")
    for n, phone in enumerate(phones):
        phone.add_idea(f"Salainen ajatus {n}")
    seen = [fac_screen.get_received()] + [p.received() for p in phones]
    seen.append(facilitator.api("GET", f"/sessions/{session['id']}").get_json())
    seen += [p.emit("sync")["state"] for p in phones]
    text = json.dumps(seen, default=str)
    from facilitator.extensions import db
    from facilitator.models import Participant

    with app.app_context():
        participants = list(db.session.scalars(db.select(Participant)))
    for participant in participants:
        assert participant.token_hash not in text
        assert f'"participant_id": {participant.id}' not in text
    for phone in phones:
        with phone.http.session_transaction() as cookie:
            for token in cookie["p"].values():
                assert token not in text
                assert token not in caplog.text
        assert phone.sio.eio_sid not in text
        assert phone.sio.eio_sid not in caplog.text
    assert "author" not in text and "participant_id" not in text
    fac_screen.disconnect()


def test_presence_counts_reach_facilitator(app, facilitator, phone_factory):
    """The facilitator sees how many phones joined and are online."""
    session = facilitator.create_session()
    fac_screen = screen(app, facilitator.client, session["id"], "facilitator")
    phones = [phone_factory(session["join_code"]) for _ in range(2)]
    presence = [e["args"][0] for e in fac_screen.get_received() if e["name"] == "presence"]
    assert presence[-1] == {"joined": 2, "online": 2}
    phones[0].sio.disconnect()
    presence = [e["args"][0] for e in fac_screen.get_received() if e["name"] == "presence"]
    assert presence[-1] == {"joined": 2, "online": 1}
    fac_screen.disconnect()


def test_other_facilitator_cannot_join_or_control(app, facilitator, phone_factory):
    """A different facilitator gets `forbidden` on the socket and 404 from the API."""
    from tests.conftest import FacilitatorClient

    session = facilitator.create_session()
    intruder = FacilitatorClient(app, app.test_client(), email="toinen@example.fi")
    sio = socketio.test_client(app, flask_test_client=intruder.client)
    ack = sio.emit("join", {"role": "facilitator", "session_id": session["id"]}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert intruder.api("POST", f"/sessions/{session['id']}/start").status_code == 404
    assert intruder.api("GET", f"/sessions/{session['id']}/export.json").status_code == 404
    sio.disconnect()


def test_two_tabs_of_one_phone_count_as_one_person(app, facilitator, phone_factory):
    """Online counts people, not connections: a second tab does not double-count."""
    session = facilitator.create_session()
    fac_screen = screen(app, facilitator.client, session["id"], "facilitator")
    phone = phone_factory(session["join_code"])
    second_tab = socketio.test_client(app, flask_test_client=phone.http)
    join = {"role": "participant", "code": session["join_code"]}
    assert second_tab.emit("join", join, callback=True)["ok"]
    presence = [e["args"][0] for e in fac_screen.get_received() if e["name"] == "presence"]
    assert presence[-1] == {"joined": 1, "online": 1}
    second_tab.disconnect()
    fac_screen.disconnect()
