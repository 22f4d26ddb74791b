"""Grouping several ideas at once: the bulk theme routes of the JSON API."""

from __future__ import annotations

import uuid

import pytest

from facilitator.operations import GROUP_MAX_IDEAS


@pytest.fixture
def wall(facilitator, phone_factory):
    """A keep-change-give-up session in its group phase with five ideas on the wall."""
    session = facilitator.create_session()
    sid = session["id"]
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(sid, "ideas")
    column = state["phase"]["settings"]["columns"][0]["id"]
    ideas = [phone.add_idea(f"Idea {n}", column)["idea"] for n in range(5)]
    state = facilitator.go_to(sid, "group")
    phone.received()
    return {
        "sid": sid,
        "code": session["join_code"],
        "phone": phone,
        "ideas": [i["id"] for i in ideas],
        "group": state["phase"]["id"],
        "themes": state["themes"],
    }


def state_of(facilitator, sid):
    return facilitator.api("GET", f"/sessions/{sid}").get_json()


def theme_of(facilitator, sid) -> dict[int, int | None]:
    return {i["id"]: i["theme_id"] for i in state_of(facilitator, sid)["ideas"]}


def new_theme(facilitator, wall, title="Teema") -> dict:
    r = facilitator.api(
        "POST", f"/sessions/{wall['sid']}/themes", {"title": title, "phase_id": wall["group"]}
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["theme"]


def test_moves_several_ideas_in_one_request_and_publishes_once(facilitator, wall):
    """Three ideas go under a theme together; screens get one `themes` event."""
    theme = new_theme(facilitator, wall)
    wall["phone"].received()
    moved = wall["ideas"][:3]
    r = facilitator.api(
        "POST", f"/sessions/{wall['sid']}/ideas/theme", {"idea_ids": moved, "theme_id": theme["id"]}
    )
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["theme"]["id"] == theme["id"]
    assert [i["id"] for i in data["ideas"]] == moved
    assert all(i["theme_id"] == theme["id"] for i in data["ideas"])
    themes = theme_of(facilitator, wall["sid"])
    assert [themes[i] for i in wall["ideas"]] == [theme["id"]] * 3 + [None, None]

    events = wall["phone"].received("themes")
    assert len(events) == 1
    grouped = {x["id"]: x["theme_id"] for x in events[0]["args"][0]["ideas"]}
    assert [grouped[i] for i in moved] == [theme["id"]] * 3

    exported = facilitator.api("GET", f"/sessions/{wall['sid']}/export.json").get_json()
    group = next(p for p in exported["phases"] if p["id"] == wall["group"])
    mine = next(t for t in group["themes"] if t["id"] == theme["id"])
    assert mine["ideas"] == ["Idea 0", "Idea 1", "Idea 2"]

    # theme_id null takes ideas out of their theme; duplicates are harmless.
    r = facilitator.api(
        "POST",
        f"/sessions/{wall['sid']}/ideas/theme",
        {"idea_ids": [moved[0], moved[0]], "theme_id": None},
    )
    assert r.status_code == 200
    assert r.get_json()["theme"] is None
    assert [i["id"] for i in r.get_json()["ideas"]] == [moved[0]]
    assert theme_of(facilitator, wall["sid"])[moved[0]] is None


def test_creates_a_theme_from_a_selection(facilitator, wall):
    """A new theme holding the chosen ideas, at the end of the phase's themes."""
    chosen = wall["ideas"][1:4]
    r = facilitator.api(
        "POST",
        f"/sessions/{wall['sid']}/themes",
        {"title": "  Työvuorot  ", "phase_id": wall["group"], "idea_ids": chosen},
    )
    assert r.status_code == 201, r.get_json()
    data = r.get_json()
    theme = data["theme"]
    assert theme["title"] == "Työvuorot"
    assert theme["position"] == max([t["position"] for t in wall["themes"]], default=-1) + 1
    assert [i["id"] for i in data["ideas"]] == chosen
    themes = theme_of(facilitator, wall["sid"])
    assert [themes[i] for i in chosen] == [theme["id"]] * 3
    assert len(wall["phone"].received("themes")) == 1


def test_bad_ids_change_nothing(facilitator, wall):
    """One unknown idea or theme refuses the whole request; nothing half-done."""
    theme = new_theme(facilitator, wall)
    wall["phone"].received()
    path = f"/sessions/{wall['sid']}/ideas/theme"
    before = theme_of(facilitator, wall["sid"])
    r = facilitator.api(
        "POST", path, {"idea_ids": [wall["ideas"][0], 999999], "theme_id": theme["id"]}
    )
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"
    r = facilitator.api("POST", path, {"idea_ids": wall["ideas"][:2], "theme_id": 999999})
    assert r.status_code == 404
    for bad in (
        {"idea_ids": ["1"], "theme_id": theme["id"]},
        {"idea_ids": [1.0], "theme_id": theme["id"]},
        {"idea_ids": wall["ideas"][0], "theme_id": theme["id"]},
        {"idea_ids": wall["ideas"][:1]},
        {"idea_ids": wall["ideas"][:1], "theme_id": theme["id"], "extra": 1},
    ):
        r = facilitator.api("POST", path, bad)
        assert r.status_code == 422, bad
        assert r.get_json()["error"]["code"] == "invalid"
    themes_before = state_of(facilitator, wall["sid"])["themes"]
    r = facilitator.api(
        "POST",
        f"/sessions/{wall['sid']}/themes",
        {"title": "Ei synny", "phase_id": wall["group"], "idea_ids": [999999]},
    )
    assert r.status_code == 404
    assert state_of(facilitator, wall["sid"])["themes"] == themes_before
    assert theme_of(facilitator, wall["sid"]) == before
    assert wall["phone"].received("themes") == [], "a refused request publishes nothing"


def test_empty_and_oversize_selections_are_refused(facilitator, wall):
    """No ideas, or more than the limit, answer 422 with a code naming the problem."""
    theme = new_theme(facilitator, wall)
    path = f"/sessions/{wall['sid']}/ideas/theme"
    r = facilitator.api("POST", path, {"idea_ids": [], "theme_id": theme["id"]})
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "empty_selection"
    r = facilitator.api(
        "POST",
        f"/sessions/{wall['sid']}/themes",
        {"title": "Tyhjä", "phase_id": wall["group"], "idea_ids": []},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "empty_selection"
    too_many = list(range(1, GROUP_MAX_IDEAS + 2))
    r = facilitator.api("POST", path, {"idea_ids": too_many, "theme_id": theme["id"]})
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "selection_too_large"
    assert str(GROUP_MAX_IDEAS) in error["message"]
    r = facilitator.api(
        "POST",
        f"/sessions/{wall['sid']}/themes",
        {"title": "Iso", "phase_id": wall["group"], "idea_ids": too_many},
    )
    assert r.get_json()["error"]["code"] == "selection_too_large"
    assert all(t is None for t in theme_of(facilitator, wall["sid"]).values())


def test_ideas_of_another_phase_or_session_are_refused(app, facilitator, phone_factory):
    """Only the group phase's source ideas fit its themes; other sessions' ideas are unknown."""
    session = facilitator.create_session("sytyttaja", "S")
    sid = session["id"]
    phone = phone_factory(session["join_code"])
    facilitator.go_to(sid, "ideas")  # "what gives energy": not the grouped phase
    energy = phone.add_idea("Hyvä porukka")["idea"]["id"]
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    drains_index = next(p["index"] for p in state["phases"] if p["id"] == "drains")
    facilitator.api("POST", f"/sessions/{sid}/phase", {"to": drains_index})
    drain = phone.add_idea("Kiire")["idea"]["id"]
    state = facilitator.go_to(sid, "group")
    group = state["phase"]["id"]
    theme = facilitator.api(
        "POST", f"/sessions/{sid}/themes", {"title": "Teema", "phase_id": group}
    ).get_json()["theme"]

    r = facilitator.api(
        "POST",
        f"/sessions/{sid}/ideas/theme",
        {"idea_ids": [drain, energy], "theme_id": theme["id"]},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "not_groupable"
    r = facilitator.api(
        "POST",
        f"/sessions/{sid}/themes",
        {"title": "Sekalainen", "phase_id": group, "idea_ids": [energy]},
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "not_groupable"
    titles = [t["title"] for t in facilitator.api("GET", f"/sessions/{sid}").get_json()["themes"]]
    assert "Sekalainen" not in titles
    # The drain idea alone fits.
    r = facilitator.api(
        "POST", f"/sessions/{sid}/ideas/theme", {"idea_ids": [drain], "theme_id": theme["id"]}
    )
    assert r.status_code == 200

    # A second session of the same facilitator: neither its ideas nor its themes mix in.
    other = facilitator.create_session("sytyttaja", "Toinen")
    other_phone = phone_factory(other["join_code"])
    other_state = facilitator.go_to(other["id"], "ideas")
    facilitator.api(
        "POST",
        f"/sessions/{other['id']}/phase",
        {"to": next(p["index"] for p in other_state["phases"] if p["id"] == "drains")},
    )
    foreign = other_phone.add_idea("Toisen istunnon idea")["idea"]["id"]
    r = facilitator.api(
        "POST",
        f"/sessions/{sid}/ideas/theme",
        {"idea_ids": [drain, foreign], "theme_id": theme["id"]},
    )
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"
    other_group = facilitator.go_to(other["id"], "group")["phase"]["id"]
    other_theme = facilitator.api(
        "POST", f"/sessions/{other['id']}/themes", {"title": "Toinen", "phase_id": other_group}
    ).get_json()["theme"]
    r = facilitator.api(
        "POST", f"/sessions/{sid}/ideas/theme", {"idea_ids": [drain], "theme_id": other_theme["id"]}
    )
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"
    assert theme_of(facilitator, sid)[drain] == theme["id"]


def test_grouping_needs_sign_in_csrf_and_ownership(app, facilitator, wall):
    """No cookie: 401; no CSRF header: 403; someone else's session: 404."""
    theme = new_theme(facilitator, wall)
    path = f"/api/v1/sessions/{wall['sid']}/ideas/theme"
    payload = {"idea_ids": wall["ideas"][:2], "theme_id": theme["id"]}
    assert app.test_client().post(path, json=payload).status_code == 401
    r = facilitator.client.post(path, json=payload)
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "csrf_failed"
    r = facilitator.client.post(
        f"/api/v1/sessions/{wall['sid']}/themes",
        json={"title": "X", "phase_id": wall["group"], "idea_ids": wall["ideas"][:1]},
    )
    assert r.status_code == 403

    from tests.conftest import FacilitatorClient

    stranger = FacilitatorClient(app, app.test_client(), "toinen@example.fi")
    r = stranger.api("POST", f"/sessions/{wall['sid']}/ideas/theme", payload)
    assert r.status_code == 404
    r = stranger.api(
        "POST",
        f"/sessions/{wall['sid']}/themes",
        {"title": "X", "phase_id": wall["group"], "idea_ids": wall["ideas"][:1]},
    )
    assert r.status_code == 404
    assert all(t is None for t in theme_of(facilitator, wall["sid"]).values())


def test_group_phase_names_the_source_columns_for_the_facilitator(facilitator, wall, app):
    """The control view lists ideas by source column, so it gets the column titles."""
    state = state_of(facilitator, wall["sid"])
    columns = state["phase"]["settings"]["columns"]
    assert [c["id"] for c in columns] == ["keep", "change", "give-up"]
    assert columns[0]["title"] == "Säilytä"


def test_actions_phase_lists_vote_winners_and_new_ideas(facilitator, phone_factory):
    """Beside the action form: the last vote's winners by votes, then the ideas written after it."""
    session = facilitator.create_session("sytyttaja", "S")
    sid = session["id"]
    phones = [phone_factory(session["join_code"]) for _ in range(2)]
    state = facilitator.go_to(sid, "ideas")
    index = {p["id"]: p["index"] for p in state["phases"]}
    facilitator.api("POST", f"/sessions/{sid}/phase", {"to": index["drains"]})
    drains = [phones[0].add_idea(t)["idea"]["id"] for t in ("Kiire", "Keskeytykset", "Melu")]
    group = facilitator.go_to(sid, "group")["phase"]["id"]
    themes = {}
    for title, ids in (("Kiire ja keskeytykset", drains[:2]), ("Melu", drains[2:])):
        r = facilitator.api(
            "POST", f"/sessions/{sid}/themes", {"title": title, "phase_id": group, "idea_ids": ids}
        )
        themes[title] = r.get_json()["theme"]["id"]
    facilitator.go_to(sid, "vote")
    for phone in phones:
        ack = phone.emit(
            "vote.set",
            {"client_id": uuid.uuid4().hex, "item": f"theme:{themes['Melu']}", "count": 1},
        )
        assert ack["ok"], ack
    ack = phones[0].emit(
        "vote.set",
        {
            "client_id": uuid.uuid4().hex,
            "item": f"theme:{themes['Kiire ja keskeytykset']}",
            "count": 1,
        },
    )
    assert ack["ok"], ack
    facilitator.api("POST", f"/sessions/{sid}/phase", {"to": index["ways"]})
    # The ways phase has a column per chosen theme (columns_from the theme vote).
    phones[1].add_idea("Hiljainen huone kirjaamiselle", f"theme-{themes['Melu']}")
    facilitator.api("POST", f"/sessions/{sid}/phase", {"to": index["actions"]})

    state = state_of(facilitator, sid)
    candidates = state["candidates"]
    # Sytyttäjä v2 chooses actions from the ideas just written (`source: ways`), so its
    # actions phase shows no vote; the ways ideas come both as fresh ideas and as source.
    assert candidates["votes"] == []
    assert candidates["source"]["kind"] == "ideas"
    assert [i["title"] for i in candidates["source"]["items"]] == ["Hiljainen huone kirjaamiselle"]
    assert candidates["ideas_phase_id"] == "ways"
    assert [i["text"] for i in candidates["ideas"]] == ["Hiljainen huone kirjaamiselle"]
    assert set(candidates["ideas"][0]) == {"id", "text", "column"}
    # Only the facilitator gets them.
    phone_state = phones[0].emit("sync", {})["state"]
    assert "candidates" not in phone_state


def test_ideas_before_the_vote_are_not_action_candidates(facilitator, phone_factory):
    """In keep-change-give-up the wall was voted on: only the vote winners are offered."""
    session = facilitator.create_session()
    sid = session["id"]
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(sid, "ideas")
    phone.add_idea("Aamupalaverit", state["phase"]["settings"]["columns"][0]["id"])
    state = facilitator.go_to(sid, "actions")
    assert state["candidates"]["ideas"] == []
    assert state["candidates"]["ideas_phase_id"] is None
    assert state["candidates"]["votes"] == []
