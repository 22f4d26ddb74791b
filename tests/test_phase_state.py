"""A phase change brings every screen its new state (protocol 2, facilitator/fanout.py).

Phones that join with `"protocol": 2` (the browser pages do) get the state with the
`phase` event and their own part in `phase.mine`, with no `sync` round trip; the shared
part is built once for all phones; ballot items refer to the ideas by id; idea deltas
to phones come batched (`ideas.batch`), in order, nothing dropped.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from facilitator import serializers as ser
from facilitator.extensions import socketio


class Phone2:
    """A phone whose page speaks protocol 2, as common.js does."""

    def __init__(self, app, code: str):
        self.http = app.test_client()
        assert self.http.get(f"/j/{code}").status_code == 200
        self.sio = socketio.test_client(app, flask_test_client=self.http)
        ack = self.emit("join", {"role": "participant", "code": code, "protocol": 2})
        assert ack["ok"], ack
        self.state = ack["state"]
        self.sio.get_received()

    def emit(self, event: str, data=None):
        return self.sio.emit(event, data, callback=True)

    def add_idea(self, text: str, column=None) -> dict:
        ack = self.emit("idea.add", {"client_id": uuid.uuid4().hex, "text": text, "column": column})
        assert ack["ok"], ack
        return ack["idea"]

    def received(self, name: str | None = None) -> list:
        return [e for e in self.sio.get_received() if name is None or e["name"] == name]


@pytest.fixture
def phone2(app):
    made = []

    def make(code: str) -> Phone2:
        phone = Phone2(app, code)
        made.append(phone)
        return phone

    yield make
    for phone in made:
        if phone.sio.is_connected():
            phone.sio.disconnect()


def new_state(phone: Phone2) -> tuple[dict, dict, list]:
    """Return (phase payload, phase.mine payload, all events) of the last phase change."""
    events = phone.received()
    phase = [e["args"][0] for e in events if e["name"] == "phase"][-1]
    mine = [e["args"][0] for e in events if e["name"] == "phase.mine"][-1]
    assert mine["version"] == phase["version"]
    return phase, mine, events


def comparable(state: dict) -> dict:
    """A state without what differs by the moment it was read."""
    return {k: v for k, v in state.items() if k not in ("server_time", "timer")}


def ideas_and_vote(facilitator, phone2):
    """A session in its ideas phase with two protocol 2 phones, each with its own idea."""
    session = facilitator.create_session()
    sid = session["id"]
    state = facilitator.go_to(sid, "ideas")
    column = state["phase"]["settings"]["columns"][1]["id"]
    phones = [phone2(session["join_code"]) for _ in range(2)]
    ideas = [p.add_idea(f"Idea numero {n} tauoista", column) for n, p in enumerate(phones)]
    for phone in phones:
        phone.received()
    return sid, phones, ideas


def test_phase_change_delivers_each_phone_its_state_without_sync(app, facilitator, phone2):
    """The `phase` event plus `phase.mine` is the state a `sync` would answer."""
    sid, phones, ideas = ideas_and_vote(facilitator, phone2)
    facilitator.go_to(sid, "vote")
    for phone, idea in zip(phones, ideas, strict=True):
        phase, mine, events = new_state(phone)
        names = [e["name"] for e in events]
        assert names.index("phase") < names.index("phase.mine")
        assert phase["state"]["phase"]["kind"] == "vote" and phase["mine"] is True
        state = ser.apply_patch(phase["state"], mine["patch"])
        mine_ids = [i["id"] for i in state["ideas"] if i["is_mine"]]
        assert mine_ids == [idea["id"]]
        assert state["vote"]["my_votes"] == {} and state["vote"]["used"] == 0
        # Exactly what a sync answers (the page sends none: nothing more needed).
        assert comparable(state) == comparable(phone.emit("sync")["state"])


def test_phones_with_nothing_of_their_own_each_get_one_patch(app, facilitator, phone2):
    """Phones whose own parts are alike (no ideas, no dots) each get exactly one
    `phase.mine`, of the new version, beside the two phones that wrote ideas."""
    sid, writers, _ideas = ideas_and_vote(facilitator, phone2)
    code = facilitator.api("GET", f"/sessions/{sid}").get_json()["session"]["join_code"]
    quiet = [phone2(code) for _ in range(3)]
    for phone in writers + quiet:
        phone.received()
    facilitator.go_to(sid, "vote")
    for phone in quiet:
        events = phone.received()
        phases = [e["args"][0] for e in events if e["name"] == "phase"]
        mines = [e["args"][0] for e in events if e["name"] == "phase.mine"]
        assert len(phases) == 1 and len(mines) == 1, [e["name"] for e in events]
        assert mines[0]["version"] == phases[0]["version"]
        state = ser.apply_patch(phases[0]["state"], mines[0]["patch"])
        assert not [i for i in state["ideas"] if i["is_mine"]]
        assert state["vote"]["my_votes"] == {} and state["vote"]["used"] == 0
    for phone in writers:
        assert len(phone.received("phase.mine")) == 1


def test_phones_share_the_built_part_and_get_only_their_own(app, facilitator, phone2, monkeypatch):
    """One build for all phones; each patch holds only that phone's ideas and dots."""
    sid, phones, ideas = ideas_and_vote(facilitator, phone2)
    facilitator.go_to(sid, "vote")
    for phone, idea in zip(phones, ideas, strict=True):
        phone.received()
        ack = phone.emit(
            "vote.set", {"client_id": uuid.uuid4().hex, "item": f"idea:{idea['id']}", "count": 1}
        )
        assert ack["ok"], ack
    for phone in phones:
        phone.received()
    builds = []
    real = ser.shared_snapshot

    def counting(workshop, role, *args, **kwargs):
        builds.append(role)
        return real(workshop, role, *args, **kwargs)

    monkeypatch.setattr(ser, "shared_snapshot", counting)
    # Closing input is a phase event too: the room sees the counts now.
    r = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    assert r.status_code == 200, r.get_json()
    assert builds.count("participant") == 1, builds
    got = [new_state(p) for p in phones]
    shared = [json.dumps(g[0]["state"], sort_keys=True) for g in got]
    assert shared[0] == shared[1]
    for (_phase, mine, _), idea in zip(got, ideas, strict=True):
        patch = mine["patch"]
        assert patch["mark"]["ideas"]["is_mine"] == [idea["id"]]
        assert patch["merge"]["vote"] == {"my_votes": {f"idea:{idea['id']}": 1}, "used": 1}
        text = json.dumps(mine)
        other = next(i for i in ideas if i["id"] != idea["id"])
        assert other["text"] not in text and f"idea:{other['id']}" not in text


def test_vote_items_refer_to_ideas_by_id(app, facilitator, phone2, phone_factory):
    """Each idea text is sent once: ballot items and result rows name ideas by key or id."""
    session = facilitator.create_session()
    sid = session["id"]
    state = facilitator.go_to(sid, "ideas")
    column = state["phase"]["settings"]["columns"][1]["id"]
    phone = phone2(session["join_code"])
    texts = [f"Ehdotus {n}: lyhyemmät palaverit aamuisin" for n in range(4)]
    ideas = [phone.add_idea(t, column) for t in texts]
    group = facilitator.go_to(sid, "group")
    theme = facilitator.api(
        "POST", f"/sessions/{sid}/themes", {"title": "Palaverit", "phase_id": group["phase"]["id"]}
    ).get_json()["theme"]
    for idea in ideas[:2]:
        facilitator.api("PATCH", f"/sessions/{sid}/ideas/{idea['id']}", {"theme_id": theme["id"]})
    phone.received()
    facilitator.go_to(sid, "vote")
    phase, mine, _ = new_state(phone)
    items = {i["key"]: i for i in phase["state"]["vote"]["items"]}
    assert items[f"theme:{theme['id']}"]["idea_ids"] == [ideas[0]["id"], ideas[1]["id"]]
    assert "ideas" not in items[f"theme:{theme['id']}"]
    for idea in ideas[2:]:
        assert items[f"idea:{idea['id']}"] == {"key": f"idea:{idea['id']}"}
    sent = json.dumps([phase, mine], ensure_ascii=False)
    for text in texts:
        assert sent.count(text) == 1, text
    # The join snapshot too; the revealed results carry keys and counts only.
    facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    phase, mine, _ = new_state(phone)
    assert all(set(r) == {"key", "count"} for r in phase["state"]["vote"]["results"])
    joined = phone2(session["join_code"]).state
    assert json.dumps(joined, ensure_ascii=False).count(texts[3]) == 1
    # A protocol 1 phone (older page, script) still gets titles on its items.
    old = phone_factory(session["join_code"]).join_ack["state"]
    item = {i["key"]: i for i in old["vote"]["items"]}[f"idea:{ideas[3]['id']}"]
    assert item["title"] == texts[3]


def test_idea_deltas_to_phones_come_batched_in_order(app, facilitator, phone2, phone_factory):
    """Protocol 2 phones get `ideas.batch`; the projector and old phones each event at once."""
    app.config["IDEA_BATCH_INTERVAL"] = 0.3
    session = facilitator.create_session()
    sid = session["id"]
    state = facilitator.go_to(sid, "ideas")
    column = state["phase"]["settings"]["columns"][0]["id"]
    new, old = phone2(session["join_code"]), phone_factory(session["join_code"])
    projector = socketio.test_client(app, flask_test_client=facilitator.client)
    assert projector.emit("join", {"role": "projector", "session_id": sid}, callback=True)["ok"]
    projector.get_received()
    old.received()
    texts = [f"Nopea idea {n}" for n in range(5)]
    made = [new.add_idea(t, column) for t in texts]
    deleted = made[1]
    assert new.emit("idea.delete", {"id": deleted["id"]})["ok"]
    # At once: the projector and the protocol 1 phone, one event per idea.
    assert [
        e["args"][0]["text"] for e in projector.get_received() if e["name"] == "idea.added"
    ] == (texts)
    assert [e["args"][0]["text"] for e in old.received("idea.added")] == texts
    assert new.received() == []
    time.sleep(0.6)
    batches = new.received("ideas.batch")
    events = [e for b in batches for e in b["args"][0]["events"]]
    assert [(name, p.get("text")) for name, p in events] == [
        *[("idea.added", t) for t in texts],
        ("idea.removed", None),
    ]
    assert len(batches) == 1
    # Another event to phones sends what is gathered first: nothing is reordered.
    new.add_idea("Viimeinen ennen vaihetta", column)
    facilitator.go_to(sid, "group")
    names = [e["name"] for e in new.received()]
    assert names[0] == "ideas.batch" and "phase" in names
    text = json.dumps(events)
    assert "participant" not in text and new.sio.eio_sid not in text
    projector.disconnect()


def test_phase_state_carries_no_identifiers(app, facilitator, phone2):
    """Neither the shared state nor a phone's patch names a participant or a socket."""
    from facilitator.extensions import db
    from facilitator.models import Participant

    sid, phones, ideas = ideas_and_vote(facilitator, phone2)
    facilitator.go_to(sid, "vote")
    seen = json.dumps([p.sio.get_received() for p in phones] + [new_state_raw(p) for p in phones])
    with app.app_context():
        rows = db.session.scalars(db.select(Participant)).all()
        for row in rows:
            assert row.token_hash not in seen
    assert "participant_id" not in seen and "token" not in seen
    for phone in phones:
        assert phone.sio.eio_sid not in seen


def new_state_raw(phone: Phone2) -> dict:
    return phone.emit("sync")["state"]


def test_a_kind_without_batch_hook_still_gets_each_phone_its_answers(app, facilitator, phone2):
    """A rate phase (per-phone hook): the patch holds the phone's own ratings, as sync does."""
    session = facilitator.create_session("sytyttaja", "Pulssi")
    sid = session["id"]
    phones = [phone2(session["join_code"]) for _ in range(2)]
    state = facilitator.go_to(sid, "rate")
    statement = state["rate"]["statements"][0]["id"]
    ack = phones[0].emit("rate.set", {"client_id": uuid.uuid4().hex, "statement": statement,
                                      "value": 4})  # fmt: skip
    assert ack["ok"], ack
    for phone in phones:
        phone.received()
    r = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    assert r.status_code == 200, r.get_json()
    for phone, mine_expected in zip(phones, ({statement: 4}, {}), strict=True):
        phase, mine, _ = new_state(phone)
        assert mine["patch"]["merge"]["rate"] == {"my_ratings": mine_expected}
        state = ser.apply_patch(phase["state"], mine["patch"])
        assert comparable(state) == comparable(phone.emit("sync")["state"])


def test_poll_answers_come_in_each_phones_patch(app, facilitator, phone2):
    """A poll: the phone that answered finds its answer in `phase.mine`, the other none."""
    session = facilitator.create_session("kokouskaytannot", "Kokous")
    sid = session["id"]
    phones = [phone2(session["join_code"]) for _ in range(2)]
    state = facilitator.go_to(sid, "poll")
    option = state["poll"]["options"][0]["id"]
    ack = phones[0].emit("poll.set", {"client_id": uuid.uuid4().hex, "choices": [option]})
    assert ack["ok"], ack
    for phone in phones:
        phone.received()
    r = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    assert r.status_code == 200, r.get_json()
    expected = ({"choices": [option], "dont_know": False}, None)
    for phone, my_poll in zip(phones, expected, strict=True):
        phase, mine, _ = new_state(phone)
        assert mine["patch"]["merge"]["poll"] == {"my_poll": my_poll}
        state = ser.apply_patch(phase["state"], mine["patch"])
        assert comparable(state) == comparable(phone.emit("sync")["state"])


def test_private_done_comes_in_each_phones_patch(app, facilitator, phone2):
    """A private phase: `my_private` per phone (never the answers), as sync has it."""
    session = facilitator.create_session("palautumisesta-voimaa", "Palautuminen")
    sid = session["id"]
    phones = [phone2(session["join_code"]) for _ in range(2)]
    facilitator.go_to(sid, "private")
    assert phones[0].emit("private.done", {"client_id": uuid.uuid4().hex})["ok"]
    for phone in phones:
        phone.received()
    r = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    assert r.status_code == 200, r.get_json()
    for phone, done in zip(phones, (True, False), strict=True):
        phase, mine, _ = new_state(phone)
        my = mine["patch"]["merge"]["private"]["my_private"]
        assert my == {"done": done, "shared": False}
        state = ser.apply_patch(phase["state"], mine["patch"])
        assert comparable(state) == comparable(phone.emit("sync")["state"])
