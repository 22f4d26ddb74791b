"""A vote with `show_results: after_close`: the room sees how many voted, never the counts,
until input closes (the reveal). The withholding happens on the server, per room."""

from __future__ import annotations

import uuid

import pytest

from facilitator.extensions import socketio


def tallies(sio) -> list[dict]:
    """Return the payloads of the tally events a socket received since last asked."""
    return [e["args"][0] for e in sio.get_received() if e["name"] == "tally"]


@pytest.fixture
def vote_room(app, facilitator, phone_factory):
    """Return (facilitator, session id, [phone, other], projector socket, facilitator socket,
    item keys) in the after_close vote phase of keep-change-give-up."""
    session = facilitator.create_session()
    phone, other = phone_factory(session["join_code"]), phone_factory(session["join_code"])
    facilitator.go_to(session["id"], "ideas")
    column = "change"  # the ballot leaves out "keep"
    assert phone.add_idea("Aamupalaverit lyhyiksi", column)["ok"]
    assert other.add_idea("Tauot yhdessä", column)["ok"]
    state = facilitator.go_to(session["id"], "vote")
    assert state["phase"]["settings"]["show_results"] == "after_close"
    keys = [i["key"] for i in state["vote"]["items"]]
    screens = []
    for role in ("projector", "facilitator"):
        sio = socketio.test_client(app, flask_test_client=facilitator.client)
        ack = sio.emit("join", {"role": role, "session_id": session["id"]}, callback=True)
        assert ack["ok"], ack
        sio.get_received()
        screens.append(sio)
    phone.received()
    other.received()
    yield facilitator, session["id"], [phone, other], screens[0], screens[1], keys
    for sio in screens:
        if sio.is_connected():
            sio.disconnect()


def vote(phone, key: str, count: int = 1) -> None:
    """Put a phone's dots on an item."""
    ack = phone.emit("vote.set", {"client_id": uuid.uuid4().hex, "item": key, "count": count})
    assert ack["ok"], ack


def test_room_gets_no_counts_before_close_and_counts_after(vote_room):
    """Projector and phones hear '1 / 2 voted' while voting, the counts only after close."""
    facilitator, sid, (phone, other), projector, control, keys = vote_room
    vote(phone, keys[0])

    for sio in (projector, other.sio, phone.sio):
        events = tallies(sio)
        assert events, "every screen hears that someone voted"
        last = events[-1]
        assert last["results"] is None, "no counts reach the room before the reveal"
        assert (last["voters"], last["participants"], last["revealed"]) == (1, 2, False)
        assert "count" not in str(last)
    # The facilitator's own screen sees the live counts, marked as hidden from the room.
    live = tallies(control)[-1]
    assert live["revealed"] is False
    assert {r["key"]: r["count"] for r in live["results"]}[keys[0]] == 1

    # A snapshot taken now withholds the counts the same way (and the ideas' votes).
    snap = projector.emit("sync", {}, callback=True)["state"]
    assert snap["vote"]["results"] is None
    assert (snap["vote"]["voters"], snap["vote"]["participants"]) == (1, 2)
    assert all("votes" not in idea for idea in snap["ideas"])
    assert other.emit("sync")["state"]["vote"]["results"] is None
    assert facilitator.api("GET", f"/sessions/{sid}").get_json()["vote"]["results"] is not None

    # Closing input is the reveal: a tally with the counts reaches every room at once.
    response = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    assert response.status_code == 200
    for sio in (projector, other.sio):
        revealed = tallies(sio)[-1]
        assert revealed["revealed"] is True
        assert {r["key"]: r["count"] for r in revealed["results"]}[keys[0]] == 1
    snap = projector.emit("sync", {}, callback=True)["state"]
    assert {r["key"]: r["count"] for r in snap["vote"]["results"]}[keys[0]] == 1

    # Opening input again hides the counts again.
    facilitator.api("POST", f"/sessions/{sid}/input", {"open": True})
    assert tallies(projector)[-1]["results"] is None
    assert tallies(other.sio)[-1]["results"] is None


def test_live_vote_shows_counts_to_the_room(app, facilitator, phone_factory):
    """With show_results: live (a template that asks for it) the room sees counts at once."""
    from facilitator import operations as ops
    from facilitator.extensions import db
    from facilitator.models import Workshop

    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    facilitator.go_to(session["id"], "ideas")
    assert phone.add_idea("Idea", "change")["ok"]  # the ballot leaves out "keep"
    # Turn this session's stored template into a live-results vote.
    with app.app_context():
        workshop = db.session.get(Workshop, session["id"])
        stored = dict(workshop.model_snapshot)
        stored["phases"] = [
            {**p, "settings": {**p["settings"], "show_results": "live"}}
            if p["kind"] == "vote"
            else p
            for p in stored["phases"]
        ]
        workshop.model_snapshot = stored
        db.session.commit()
        ops._model_cache.clear()
    state = facilitator.go_to(session["id"], "vote")
    assert state["phase"]["settings"]["show_results"] == "live"
    phone.received()
    vote(phone, state["vote"]["items"][0]["key"])
    last = tallies(phone.sio)[-1]
    assert last["revealed"] is True
    assert last["results"][0]["count"] == 1


def test_sytyttaja_vote_hides_the_tally_until_close(facilitator, phone_factory):
    """The shipped Sytyttäjä template keeps the counts from the room while people vote."""
    session = facilitator.create_session("sytyttaja", "Sytyttäjä")
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(session["id"], "vote")
    assert state["phase"]["settings"]["show_results"] == "after_close"
    snap = phone.emit("sync")["state"]
    assert snap["vote"]["results"] is None
    assert snap["vote"]["revealed"] is False
