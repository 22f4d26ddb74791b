"""The whole workshop loop: a facilitator, three phones, every phase kind."""

from __future__ import annotations

import json
import uuid


def test_full_session_with_three_participants(app, facilitator, phone_factory):
    """Run keep/change/give-up end to end and check what everyone sees and the export."""
    session = facilitator.create_session()
    sid, code = session["id"], session["join_code"]
    phones = [phone_factory(code) for _ in range(3)]
    for phone in phones:
        assert phone.join_ack["ok"] is True
        assert phone.join_ack["state"]["session"]["status"] == "upcoming"

    facilitator.go_to(sid, "ideas")
    for phone in phones:
        assert any(e["name"] == "phase" for e in phone.received())

    texts = [
        ("keep", "Aamupalaverit pitää säilyttää"),
        ("change", "Vuorolistat ajoissa"),
        ("give_up", "Turhat raportit pois"),
    ]
    state = phones[0].emit("sync")["state"]
    columns = [c["id"] for c in state["phase"]["settings"]["columns"]]
    assert len(columns) == 3
    idea_ids = []
    for phone, (col, text) in zip(phones, texts, strict=True):
        column = columns[["keep", "change", "give_up"].index(col)]
        ack = phone.add_idea(text, column)
        assert ack["ok"] is True, ack
        assert ack["idea"]["is_mine"] is True
        idea_ids.append(ack["idea"]["id"])

    # Every phone sees the whole wall in this phase, and its own ideas flagged.
    state = phones[1].emit("sync")["state"]
    assert sorted(i["text"] for i in state["ideas"]) == sorted(t for _, t in texts)
    assert [i["is_mine"] for i in state["ideas"] if i["text"] == texts[1][1]] == [True]
    assert all(not i["is_mine"] for i in state["ideas"] if i["text"] != texts[1][1])

    # Grouping: the facilitator makes a theme and puts two ideas under it.
    state = facilitator.go_to(sid, "group")
    group_id = state["phase"]["id"]
    theme = facilitator.api(
        "POST", f"/sessions/{sid}/themes", {"title": "Tiedonkulku", "phase_id": group_id}
    )
    assert theme.status_code == 201
    theme_id = theme.get_json()["theme"]["id"]
    for idea_id in idea_ids[:2]:
        r = facilitator.api("PATCH", f"/sessions/{sid}/ideas/{idea_id}", {"theme_id": theme_id})
        assert r.status_code == 200

    state = facilitator.go_to(sid, "vote")
    items = {i["key"]: i for i in state["vote"]["items"]}
    assert f"theme:{theme_id}" in items
    # The revised template votes on change and give up only: the "keep" idea is left out.
    assert items[f"theme:{theme_id}"]["ideas"] == [texts[1][1]]
    assert f"idea:{idea_ids[2]}" in items
    budget, cap = state["vote"]["budget"], state["vote"]["per_item_cap"]
    for phone in phones:
        phone.received()
        ack = phone.emit(
            "vote.set", {"client_id": uuid.uuid4().hex, "item": f"theme:{theme_id}", "count": cap}
        )
        assert ack["ok"] is True, ack
        assert ack["used"] == cap
    ack = phones[0].emit(
        "vote.set",
        {"client_id": uuid.uuid4().hex, "item": f"idea:{idea_ids[2]}", "count": budget - cap},
    )
    assert ack["ok"] is True

    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    results = {r["key"]: r["count"] for r in state["vote"]["results"]}
    assert results[f"theme:{theme_id}"] == 3 * cap
    assert results[f"idea:{idea_ids[2]}"] == budget - cap

    # Agreed actions are written by the facilitator and reach every phone.
    facilitator.go_to(sid, "actions")
    for phone in phones:
        phone.received()
    action = {
        "client_id": uuid.uuid4().hex,
        "what": "Vuorolistat julki kolme viikkoa etukäteen",
        "who": "Osastonhoitaja",
        "due": "2026-12-31",
        "first_step": "Sovitaan listan tekijät",
        "follow_up": "2027-01-15",
    }
    r = facilitator.api("POST", f"/sessions/{sid}/actions", action)
    assert r.status_code == 201
    events = phones[2].received("actions")
    assert events and events[-1]["args"][0]["actions"][0]["who"] == "Osastonhoitaja"
    assert phones[2].emit("sync")["state"]["actions"][0]["what"] == action["what"]

    facilitator.go_to(sid, "summary")
    assert facilitator.api("POST", f"/sessions/{sid}/close").status_code == 200
    closed = phones[0].emit("sync")["state"]
    assert closed["session"]["status"] == "closed"
    late = phones[0].add_idea("Myöhäinen idea", columns[0])
    assert late["ok"] is False and late["error"]["code"] == "session_closed"

    # The export holds the content and nothing that identifies a phone.
    exported = facilitator.api("GET", f"/sessions/{sid}/export.json")
    assert exported.status_code == 200
    data = exported.get_json()
    ideas_phase = next(p for p in data["phases"] if p["kind"] == "ideas")
    assert sorted(i["text"] for i in ideas_phase["ideas"]) == sorted(t for _, t in texts)
    vote_phase = next(p for p in data["phases"] if p["kind"] == "vote")
    assert vote_phase["results"][0] == {
        "key": f"theme:{theme_id}",
        "title": "Tiedonkulku",
        "count": 3 * cap,
        "ideas": [texts[1][1]],
    }
    assert data["actions"][0]["first_step"] == "Sovitaan listan tekijät"
    markdown = facilitator.api("GET", f"/sessions/{sid}/export.md").get_data(as_text=True)
    assert "Vuorolistat julki kolme viikkoa etukäteen" in markdown
    assert "Tiedonkulku" in markdown
    _assert_no_identifiers(app, json.dumps(data) + markdown, phones)


def _assert_no_identifiers(app, text: str, phones) -> None:
    """Fail if a participant token, hash or socket id appears in the text."""
    from facilitator.extensions import db
    from facilitator.models import Participant

    with app.app_context():
        hashes = [p.token_hash for p in db.session.scalars(db.select(Participant))]
    assert hashes
    for value in hashes:
        assert value not in text
    for phone in phones:
        with phone.http.session_transaction() as cookie_session:
            for token in cookie_session["p"].values():
                assert token not in text
        assert phone.sio.eio_sid not in text
    assert "participant_id" not in text
