"""Dot voting and ratings: budgets, caps, thresholds and who sees results when."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.test_participant_events import assert_error


def vote(phone, item: str, count: int, client_id: str | None = None) -> dict:
    """Set a phone's dots on an item."""
    return phone.emit(
        "vote.set", {"client_id": client_id or uuid.uuid4().hex, "item": item, "count": count}
    )


@pytest.fixture
def voting(facilitator, phone_factory):
    """Return (facilitator, session, phones, item keys) in the sytyttaja vote phase."""
    session = facilitator.create_session("sytyttaja", "Sytyttäjä osasto 3")
    phones = [phone_factory(session["join_code"]) for _ in range(3)]
    state = facilitator.go_to(session["id"], "ideas")
    drains = next(
        p for p in state["phases"] if p["kind"] == "ideas" and p["index"] > state["phase"]["index"]
    )
    facilitator.api("POST", f"/sessions/{session['id']}/phase", {"to": drains["index"]})
    for n, phone in enumerate(phones):
        assert phone.add_idea(f"Kuormittaa {n}")["ok"]
    state = facilitator.go_to(session["id"], "vote")
    keys = [i["key"] for i in state["vote"]["items"]]
    return facilitator, session, phones, keys, state["vote"]


def test_vote_budget_and_cap_are_enforced(voting):
    """A phone cannot go over its dots or put more than the cap on one item."""
    _, _, (phone, *_), keys, block = voting
    budget, cap = block["budget"], block["per_item_cap"]
    assert_error(vote(phone, keys[0], cap + 1), "cap_exceeded")
    for key in keys[:budget]:
        assert vote(phone, key, cap)["ok"] is True
    over = vote(phone, keys[budget], 1)
    assert_error(over, "budget_exceeded")
    assert str(budget) in over["error"]["message"]
    # Taking a dot back frees it for another item.
    assert vote(phone, keys[0], 0)["used"] == budget - cap
    assert vote(phone, keys[budget], 1)["ok"] is True


def test_double_vote_is_idempotent(voting):
    """Sending the same vote twice leaves one vote, not two."""
    facilitator, session, (phone, *_), keys, _ = voting
    client_id = uuid.uuid4().hex
    assert vote(phone, keys[0], 1, client_id)["used"] == 1
    assert vote(phone, keys[0], 1, client_id)["used"] == 1
    state = facilitator.api("GET", f"/sessions/{session['id']}").get_json()
    assert {r["key"]: r["count"] for r in state["vote"]["results"]}[keys[0]] == 1


def test_vote_on_unknown_item_is_refused(voting):
    """A vote for an item that is not on the ballot is refused."""
    _, _, (phone, *_), _, _ = voting
    assert_error(vote(phone, "idea:999999", 1), "not_found")


def test_vote_on_an_idea_hidden_from_the_wall_is_refused(facilitator, phone_factory):
    """An idea the facilitator hid leaves the ballot: a vote on it is refused, the others count."""
    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    facilitator.go_to(session["id"], "ideas")
    ideas = [phone.add_idea(f"Muutetaan vuoronvaihtoa {n}", "change")["idea"] for n in range(2)]
    keys = [i["key"] for i in facilitator.go_to(session["id"], "vote")["vote"]["items"]]
    hidden, kept = (f"idea:{idea['id']}" for idea in ideas)
    assert {hidden, kept} <= set(keys), keys
    r = facilitator.api(
        "PATCH", f"/sessions/{session['id']}/ideas/{ideas[0]['id']}", {"hidden": True}
    )
    assert r.status_code == 200, r.get_json()
    assert_error(vote(phone, hidden, 1), "not_found")
    assert vote(phone, kept, 1)["ok"] is True


def test_vote_rejected_after_phase_closed(voting):
    """Closing the vote refuses further votes."""
    facilitator, session, (phone, *_), keys, _ = voting
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": False})
    assert_error(vote(phone, keys[0], 1), "phase_closed")


def test_live_results_reach_phones_only_when_template_says_so(facilitator, phone_factory):
    """keep-change-give-up shows results after close: phones get no counts while voting."""
    session = facilitator.create_session()
    phone, other = phone_factory(session["join_code"]), phone_factory(session["join_code"])
    facilitator.go_to(session["id"], "ideas")
    # The ballot leaves out "keep": the idea goes under "change", which is voted on.
    columns = phone.emit("sync")["state"]["phase"]["settings"]["columns"]
    assert [c["id"] for c in columns] == ["keep", "change", "give-up"]
    assert phone.add_idea("Idea A", "change")["ok"]
    state = facilitator.go_to(session["id"], "vote")
    assert state["vote"]["results"] is not None  # the facilitator always sees the tally
    key = state["vote"]["items"][0]["key"]
    other.received()
    assert vote(phone, key, 1)["ok"]
    assert [e["args"][0]["results"] for e in other.received("tally")] == [None]
    assert other.emit("sync")["state"]["vote"]["results"] is None
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": False})
    results = other.emit("sync")["state"]["vote"]["results"]
    assert results[0]["count"] == 1


def test_tally_updates_are_coalesced(app, voting):
    """Many votes in a burst produce a few tally broadcasts, the last one exact."""
    facilitator, session, phones, keys, _ = voting
    app.config["RESULTS_INTERVAL"] = 0.3
    projector_http = facilitator.client
    from facilitator.extensions import socketio

    projector = socketio.test_client(app, flask_test_client=projector_http)
    assert projector.emit(
        # The facilitator's room: the projector gets no counts before the reveal.
        "join",
        {"role": "facilitator", "session_id": session["id"]},
        callback=True,
    )["ok"]
    projector.get_received()
    votes = 0
    started = time.monotonic()
    for _ in range(3):
        for phone in phones:
            for key in keys[:3]:
                vote(phone, key, 0)
                vote(phone, key, 1)
                votes += 2
    burst = time.monotonic() - started
    time.sleep(0.8)
    tallies = [e for e in projector.get_received() if e["name"] == "tally"]
    # One at the start, then at most one per interval, plus the trailing one.
    allowed = int(burst / 0.3) + 2
    assert 1 <= len(tallies) <= allowed, f"{len(tallies)} tallies for {votes} votes in {burst:.2f}s"
    assert len(tallies) < votes / 4
    final = {r["key"]: r["count"] for r in tallies[-1]["args"][0]["results"]}
    assert [final[k] for k in keys[:3]] == [3, 3, 3]
    assert tallies[-1]["args"][0]["voters"] == 3
    projector.disconnect()


def test_rating_distribution_hidden_below_five(facilitator, phone_factory):
    """Distributions appear only when five people answered, for every audience and export."""
    session = facilitator.create_session("sytyttaja", "Sytyttäjä")
    phones = [phone_factory(session["join_code"]) for _ in range(5)]
    state = facilitator.go_to(session["id"], "rate")
    statement = state["rate"]["statements"][0]["id"]
    scale = state["rate"]["scale"]
    for n, phone in enumerate(phones[:4]):
        ack = phone.emit(
            "rate.set",
            {"client_id": uuid.uuid4().hex, "statement": statement, "value": scale["min"] + n % 2},
        )
        assert ack["ok"], ack
    for view in (
        facilitator.api("GET", f"/sessions/{session['id']}").get_json(),
        phones[0].emit("sync")["state"],
    ):
        result = view["rate"]["results"][statement]
        assert result["responses"] == 4
        assert result["distribution"] is None and result["mean"] is None
    export = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    rated = next(p for p in export["phases"] if p["kind"] == "rate")
    assert rated["statements"][0]["distribution"] is None
    phones[4].emit(
        "rate.set", {"client_id": uuid.uuid4().hex, "statement": statement, "value": scale["max"]}
    )
    result = phones[0].emit("sync")["state"]["rate"]["results"][statement]
    assert result["responses"] == 5
    assert sum(result["distribution"].values()) == 5
    assert result["distribution"][str(scale["max"])] == 1


def test_rating_outside_scale_or_unknown_statement_is_refused(facilitator, phone_factory):
    """Values outside the scale and unknown statements are refused."""
    session = facilitator.create_session("sytyttaja", "Sytyttäjä")
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(session["id"], "rate")
    statement = state["rate"]["statements"][0]["id"]
    too_high = state["rate"]["scale"]["max"] + 1
    assert_error(
        phone.emit(
            "rate.set", {"client_id": uuid.uuid4().hex, "statement": statement, "value": too_high}
        ),
        "invalid",
    )
    assert_error(
        phone.emit("rate.set", {"client_id": uuid.uuid4().hex, "statement": "nope", "value": 3}),
        "not_found",
    )
    ack = phone.emit(
        "rate.set", {"client_id": uuid.uuid4().hex, "statement": statement, "value": 3}
    )
    assert ack["my_ratings"] == {statement: 3}
    ack = phone.emit(
        "rate.set", {"client_id": uuid.uuid4().hex, "statement": statement, "value": 4}
    )
    assert ack["my_ratings"] == {statement: 4}  # changing an answer replaces it


def test_theme_change_during_vote_refreshes_the_ballot(voting):
    """A theme added while voting reaches phones' ballots (they are told to re-sync)."""
    facilitator, session, phones, keys, block = voting
    phones[0].received()
    state = facilitator.api("GET", f"/sessions/{session['id']}").get_json()
    group_id = next(p["id"] for p in state["phases"] if p["kind"] == "group")
    r = facilitator.api(
        "POST", f"/sessions/{session['id']}/themes", {"title": "Uusi teema", "phase_id": group_id}
    )
    assert r.status_code == 201
    assert phones[0].received("phase"), "phones were not told to re-sync"
    items = phones[0].emit("sync")["state"]["vote"]["items"]
    assert "Uusi teema" in [i["title"] for i in items]


def test_ballot_check_agrees_with_ballot(app, voting, phone_factory):
    """Every key on the ballot is votable; grouped, hidden and foreign ideas are not."""
    from facilitator import operations as ops
    from facilitator.extensions import db
    from facilitator.models import Idea, Theme, Workshop

    facilitator, session, phones, keys, _ = voting
    sid = session["id"]
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    group_id = next(p["id"] for p in state["phases"] if p["kind"] == "group")
    theme = facilitator.api("POST", f"/sessions/{sid}/themes", {"title": "T", "phase_id": group_id})
    theme_id = theme.get_json()["theme"]["id"]
    idea_keys = [k for k in keys if k.startswith("idea:")]
    grouped, hidden = idea_keys[0], idea_keys[1]
    facilitator.api("PATCH", f"/sessions/{sid}/ideas/{grouped[5:]}", {"theme_id": theme_id})
    facilitator.api("PATCH", f"/sessions/{sid}/ideas/{hidden[5:]}", {"hidden": True})
    with app.app_context():
        workshop = db.session.get(Workshop, sid)
        phase = ops.current_phase(workshop)
        ballot = {item["key"] for item in ops.vote_items(workshop, phase)}
        every = {f"idea:{i.id}" for i in db.session.scalars(db.select(Idea))}
        every |= {f"theme:{t.id}" for t in db.session.scalars(db.select(Theme))}
        every |= {"idea:999999", "theme:999999", "idea:x", "bogus:1"}
        assert grouped not in ballot and hidden not in ballot and f"theme:{theme_id}" in ballot
        for key in every:
            assert ops.is_vote_item(workshop, phase, key) == (key in ballot), key
