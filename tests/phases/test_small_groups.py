"""Small groups end to end: forming, walls per group, writer, rounds, moves, export.

The session is built from templates this module writes into a temporary models
directory (the shipped templates come later), so every setting is exercised here.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml

from facilitator.workshop_models import check_models_cli, load_model_file
from tests.test_participant_events import assert_error

PHASE = {"id": "pienryhmat", "kind": "small_groups", "minutes": 20}


def template(template_id: str, settings: dict, prompt: str = "Mikä auttaa jaksamaan?") -> dict:
    """Return a template with one small-groups phase and a summary."""
    return {
        "id": template_id,
        "version": 1,
        "title": {"fi": "Pienryhmät", "sv": "Smågrupper", "en": "Small groups"},
        "description": "Testipohja",
        "phases": [
            {**PHASE, "title": "Pienryhmissä", "prompt": prompt, "settings": settings},
            {"id": "yhteenveto", "kind": "summary", "title": "Yhteenveto", "minutes": 5},
        ],
    }


TEMPLATES = {
    "sg-writer": {
        "split": "count",
        "groups": 2,
        "questions": ["Mikä kuormittaa?", {"fi": "Mikä auttaa?", "sv": "Vad hjälper?"}],
        "writer": "one",
        "timer_per_group": True,
    },
    "sg-open": {"split": "count", "groups": 2},
    "sg-choose": {"split": "size", "size": 2, "assign": "choose"},
    "sg-facilitator": {"split": "count", "groups": 2, "assign": "facilitator"},
    "sg-124": {"rounds": [{"size": 1}, {"size": 2}, {"size": 4}, {"all": True}]},
    "sg-cafe": {
        "split": "count",
        "groups": 3,
        "writer": "one",
        "host_stays": True,
        "rounds": [{}, {"rotate": True}],
    },
}


def write_templates(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for template_id, settings in TEMPLATES.items():
        text = yaml.safe_dump(template(template_id, settings), allow_unicode=True)
        (directory / f"{template_id}.yaml").write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def templates():
    """The app's templates: this module's small-groups templates."""
    return {tid: template(tid, settings) for tid, settings in TEMPLATES.items()}


def start(facilitator, phone_factory, template_id: str, phones: int):
    """Create a session of a template, join phones and move to the small-groups phase."""
    session = facilitator.create_session(template_id, "Pienryhmät osasto 7")
    joined = [phone_factory(session["join_code"]) for _ in range(phones)]
    state = facilitator.go_to(session["id"], "small_groups")
    return session, joined, state


def api(facilitator, session, path: str, body: dict):
    return facilitator.api("POST", f"/sessions/{session['id']}/groups/{path}", body)


def state_of(phone) -> dict:
    ack = phone.emit("sync")
    assert ack["ok"], ack
    return ack["state"]["groups"]


def note(phone, text: str, client_id: str | None = None) -> dict:
    return phone.emit("groups.add", {"client_id": client_id or uuid.uuid4().hex, "text": text})


def control(facilitator, session) -> dict:
    return facilitator.api("GET", f"/sessions/{session['id']}").get_json()["groups"]


# --- forming groups and the walls ----------------------------------------------------


def test_random_groups_each_phone_sees_only_its_own_wall(facilitator, phone_factory):
    """Six phones in two groups: notes reach the group's phones, the facilitator and the
    projector, never the other group; nobody learns who is in which group."""
    session, phones, state = start(facilitator, phone_factory, "sg-open", 6)
    assert state["groups"]["groups"] == []
    assert_error(phones[0].emit("groups.join", {}), "groups_not_formed")
    response = api(facilitator, session, "form", {})
    assert response.status_code == 200, response.get_json()
    groups = response.get_json()["groups"]["groups"]
    assert [g["members"] for g in groups] == [3, 3]
    assert response.get_json()["groups"]["unplaced"] == 0

    mine = {}
    for phone in phones:
        phone.received()
        block = state_of(phone)
        mine[phone] = block["mine"]["number"]
        assert block["mine"]["members"] == 3
        # A phone sees the tables' counts, never anyone's notes but its own group's.
        assert all("notes" not in g for g in block["groups"])
    first = [p for p in phones if mine[p] == 1]
    second = [p for p in phones if mine[p] == 2]
    assert len(first) == len(second) == 3

    ack = note(first[0], "Tauot yhdessä")
    assert ack["ok"] and ack["note"]["is_mine"] and ack["note"]["group"] == 1
    for phone in first[1:]:
        received = phone.received("groups.note")
        assert [e["args"][0]["text"] for e in received] == ["Tauot yhdessä"]
        assert state_of(phone)["mine"]["notes"][0]["is_mine"] is False
    for phone in second:
        assert phone.received("groups.note") == []
        assert state_of(phone)["mine"]["notes"] == []
    assert note(second[0], "Selkeät vastuut")["ok"]

    walls = {
        g["number"]: [n["text"] for n in g["notes"]]
        for g in control(facilitator, session)["groups"]
    }
    assert walls == {1: ["Tauot yhdessä"], 2: ["Selkeät vastuut"]}
    # Nothing identifying in what the facilitator gets.
    text = json.dumps(control(facilitator, session))
    assert "participant" not in text and "token" not in text


def test_note_retry_edit_delete_and_refusals(facilitator, phone_factory):
    """A retried note is stored once; only one's own note can be changed; no group, no note."""
    session, phones, _ = start(facilitator, phone_factory, "sg-open", 2)
    assert_error(note(phones[0], "Liian aikaisin"), "no_group")
    api(facilitator, session, "form", {})
    client_id = uuid.uuid4().hex
    first = note(phones[0], "Sama idea", client_id)
    again = note(phones[0], "Sama idea", client_id)
    assert first["note"]["id"] == again["note"]["id"]
    group = control(facilitator, session)["groups"][first["note"]["group"] - 1]
    assert [n["text"] for n in group["notes"]] == ["Sama idea"]
    assert_error(phones[0].emit("groups.add", {"client_id": "x", "text": "a"}), "invalid")
    assert_error(note(phones[0], " "), "empty")
    assert_error(note(phones[0], "x" * 501), "too_long")
    assert_error(
        phones[1].emit("groups.edit", {"id": first["note"]["id"], "text": "B"}), "not_yours"
    )
    edited = phones[0].emit("groups.edit", {"id": first["note"]["id"], "text": "Korjattu"})
    assert edited["note"]["text"] == "Korjattu"
    assert phones[0].emit("groups.delete", {"id": first["note"]["id"]})["ok"]
    assert phones[0].emit("groups.delete", {"id": first["note"]["id"]})["ok"]
    assert_error(note(phones[0], "Sama idea", client_id), "idea_deleted")
    assert_error(phones[0].emit("groups.edit", {"id": 2**31, "text": "x"}), "invalid")
    # Input closed: no writing.
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": False})
    assert_error(note(phones[0], "Kiinni"), "phase_closed")


def test_out_of_phase_refusals(facilitator, phone_factory):
    """Group events outside a small-groups phase and controls of a missing group are refused."""
    session, phones, _ = start(facilitator, phone_factory, "sg-open", 2)
    api(facilitator, session, "form", {})
    assert note(phones[0], "Ennen")["ok"]
    facilitator.api("POST", f"/sessions/{session['id']}/phase", {"to": "next"})
    assert_error(note(phones[0], "Jälkeen"), "wrong_phase")
    assert_error(phones[0].emit("groups.join", {}), "wrong_phase")
    assert api(facilitator, session, "form", {}).status_code == 409
    facilitator.api("POST", f"/sessions/{session['id']}/phase", {"to": "prev"})
    response = api(facilitator, session, "move", {"from": 1, "to": 9})
    assert response.status_code == 404
    assert api(facilitator, session, "move", {"from": 1, "to": 1}).status_code == 422
    assert api(facilitator, session, "move", {"from": 0, "to": 1}).status_code == 422
    assert api(facilitator, session, "round", {"to": "next"}).status_code == 409


def test_writer_writes_the_shared_answer_and_timer(facilitator, phone_factory):
    """With one writer per group only that phone writes; the others see it live."""
    session, phones, state = start(facilitator, phone_factory, "sg-writer", 4)
    api(facilitator, session, "form", {})
    blocks = {p: state_of(p)["mine"] for p in phones}
    group1 = [p for p in phones if blocks[p]["number"] == 1]
    assert blocks[group1[0]]["question"] == "Mikä kuormittaa?"
    writer, reader = group1
    assert_error(note(writer, "Ei vielä"), "writer_only")
    assert writer.emit("groups.writer", {"take": True})["mine"]["writer"] == "me"
    assert_error(reader.emit("groups.writer", {"take": True}), "writer_taken")
    assert state_of(reader)["mine"]["writer"] == "other"
    reader.received()
    assert note(writer, "Yhteinen vastaus")["ok"]
    assert [e["args"][0]["text"] for e in reader.received("groups.note")] == ["Yhteinen vastaus"]
    assert_error(note(reader, "Minäkin"), "writer_only")
    # The group's own timer, started by its writer.
    mine = writer.emit("groups.timer", {"action": "start"})["mine"]
    assert 0 < mine["timer"]["remaining"] <= 20 * 60
    assert_error(reader.emit("groups.timer", {"action": "start"}), "writer_only")
    groups = control(facilitator, session)["groups"]
    assert groups[0]["has_writer"] is True and groups[0]["timer"] is not None
    # The facilitator clears the role, or hands it to someone in the group at random.
    response = api(facilitator, session, "1/writer", {"writer": "none"})
    assert response.get_json()["groups"]["groups"][0]["has_writer"] is False
    assert state_of(writer)["mine"]["writer"] is None
    api(facilitator, session, "1/writer", {"writer": "random"})
    assert {state_of(p)["mine"]["writer"] for p in group1} == {"me", "other"}
    # Swedish question falls back per language.
    assert state_of(phones[0])["groups"][1]["question"] in ("Mikä auttaa?", "Vad hjälper?")


def test_choose_a_table_up_to_its_size(facilitator, phone_factory):
    """Phones choose their table; a full table refuses; tables show how full they are."""
    session, phones, _ = start(facilitator, phone_factory, "sg-choose", 4)
    assert_error(phones[0].emit("groups.join", {}), "invalid")
    assert phones[0].emit("groups.join", {"group": 1})["mine"]["number"] == 1
    assert phones[1].emit("groups.join", {"group": 1})["mine"]["members"] == 2
    full = phones[2].emit("groups.join", {"group": 1})
    assert_error(full, "group_full")
    assert "2" in full["error"]["message"]
    assert phones[2].emit("groups.join", {"group": 2})["ok"]
    assert_error(phones[3].emit("groups.join", {"group": 3}), "not_found")
    assert [g["members"] for g in state_of(phones[3])["groups"]] == [2, 1]
    # Changing one's table is allowed while there is room.
    assert phones[1].emit("groups.join", {"group": 2})["mine"]["members"] == 2
    assert [g["members"] for g in control(facilitator, session)["groups"]] == [1, 2]


def test_facilitator_assigns_and_moves_one_person(facilitator, phone_factory):
    """Phones cannot place themselves; the facilitator forms groups and moves one person
    from a group to another without learning who."""
    session, phones, _ = start(facilitator, phone_factory, "sg-facilitator", 4)
    assert_error(phones[0].emit("groups.join", {}), "groups_by_facilitator")
    counts = api(facilitator, session, "form", {}).get_json()["groups"]["groups"]
    assert [g["members"] for g in counts] == [2, 2]
    before = {p: state_of(p)["mine"]["number"] for p in phones}
    for phone in phones:
        phone.received()
    moved = api(facilitator, session, "move", {"from": 1, "to": 2}).get_json()["groups"]
    assert [g["members"] for g in moved["groups"]] == [1, 3]
    after = {p: state_of(p)["mine"]["number"] for p in phones}
    changed = [p for p in phones if before[p] != after[p]]
    assert len(changed) == 1 and before[changed[0]] == 1
    # Only the moved phone was told to re-sync.
    assert [p for p in phones if p.received("groups.changed")] == changed
    api(facilitator, session, "move", {"from": 1, "to": 2})
    assert_error_status = api(facilitator, session, "move", {"from": 1, "to": 2})
    assert assert_error_status.status_code == 409
    assert assert_error_status.get_json()["error"]["code"] == "group_empty"
    # A late phone is placed when the facilitator forms again; nobody else moves.
    late = phone_factory(session["join_code"])
    assert control(facilitator, session)["unplaced"] == 1
    api(facilitator, session, "form", {})
    assert state_of(late)["mine"] is not None
    assert {p: state_of(p)["mine"]["number"] for p in phones} == {p: 2 for p in phones}


def test_one_two_four_all(facilitator, phone_factory):
    """Alone, in pairs, in fours, all: pairs stay together in the fours."""
    session, phones, _ = start(facilitator, phone_factory, "sg-124", 8)
    groups = api(facilitator, session, "form", {}).get_json()["groups"]
    assert groups["round"] == {"index": 0, "count": 4, "size": 1, "all": False, "rotate": False}
    assert [g["members"] for g in groups["groups"]] == [1] * 8
    for n, phone in enumerate(phones):
        assert note(phone, f"Oma ajatus {n}")["ok"]
    groups = api(facilitator, session, "round", {"to": "next"}).get_json()["groups"]
    assert [g["members"] for g in groups["groups"]] == [2, 2, 2, 2]
    pairs = {p: state_of(p)["mine"]["id"] for p in phones}
    assert state_of(phones[0])["mine"]["notes"] == []
    groups = api(facilitator, session, "round", {"to": "next"}).get_json()["groups"]
    assert [g["members"] for g in groups["groups"]] == [4, 4]
    fours = {p: state_of(p)["mine"]["id"] for p in phones}
    for a in phones:
        for b in phones:
            if pairs[a] == pairs[b]:
                assert fours[a] == fours[b]
    groups = api(facilitator, session, "round", {"to": "next"}).get_json()["groups"]
    assert groups["round"]["all"] is True
    assert [g["members"] for g in groups["groups"]] == [8]
    assert api(facilitator, session, "round", {"to": "next"}).status_code == 409
    # The export keeps every round's groups and notes, never who was where.
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "small_groups")
    assert len(entry["groups"]) == 8 + 4 + 2 + 1
    assert sorted(t for g in entry["groups"] for t in g["notes"]) == sorted(
        f"Oma ajatus {n}" for n in range(8)
    )
    assert set(entry["groups"][0]) == {"round", "number", "question", "notes"}


def test_learning_cafe_host_stays_others_rotate(facilitator, phone_factory):
    """In the café the host (writer) stays at the table and its wall; the others move on."""
    session, phones, _ = start(facilitator, phone_factory, "sg-cafe", 6)
    api(facilitator, session, "form", {})
    tables = {p: state_of(p)["mine"]["number"] for p in phones}
    hosts = {}
    for phone in phones:
        if tables[phone] not in hosts:
            assert phone.emit("groups.writer", {"take": True})["ok"]
            hosts[tables[phone]] = phone
            assert note(phone, f"Pöytä {tables[phone]}")["ok"]
    api(facilitator, session, "round", {"to": "next"})
    for number, host in hosts.items():
        mine = state_of(host)["mine"]
        assert mine["number"] == number and mine["writer"] == "me"
        assert [n["text"] for n in mine["notes"]] == [f"Pöytä {number}"]
    for phone in phones:
        if phone not in hosts.values():
            mine = state_of(phone)["mine"]
            assert mine["number"] != tables[phone]
            assert mine["writer"] == "other"
            assert [n["text"] for n in mine["notes"]] == [f"Pöytä {mine['number']}"]


def test_export_markdown_and_html_group_by_group(facilitator, phone_factory):
    """The report lists each group's question and notes; membership is nowhere."""
    session, phones, _ = start(facilitator, phone_factory, "sg-writer", 2)
    api(facilitator, session, "form", {})
    for phone in phones:
        phone.emit("groups.writer", {"take": True})
        assert note(phone, f"Vastaus {state_of(phone)['mine']['number']}")["ok"]
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "small_groups")
    assert entry["groups"] == [
        {"round": 0, "number": 1, "question": "Mikä kuormittaa?", "notes": ["Vastaus 1"]},
        {"round": 0, "number": 2, "question": "Mikä auttaa?", "notes": ["Vastaus 2"]},
    ]
    markdown = facilitator.api("GET", f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    assert "Ryhmä 1: Mikä kuormittaa?" in markdown or "Group 1: Mikä kuormittaa?" in markdown
    assert "- Vastaus 2" in markdown
    text = json.dumps(entry)
    assert "writer" not in text and "member" not in text and "participant" not in text


# --- check-models ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"split": "count", "groups": 31}, "settings.groups", "less than or equal to 30"),
        ({"split": "count", "groups": 1}, "settings.groups", "greater than or equal to 2"),
        ({"size": 13}, "settings.size", "less than or equal to 12"),
        ({"split": "count", "size": 3}, "settings.size", "only with split: size"),
        ({"groups": 3}, "settings.groups", "only with split: count"),
        ({"rounds": [{"size": 4}, {"size": 2}]}, "settings.rounds[1].size", "only grow"),
        ({"rounds": [{"size": 13}]}, "settings.rounds[0].size", "less than or equal to 12"),
        ({"rounds": [{"all": True}, {"size": 2}]}, "settings.rounds[0].all", "last round"),
        ({"rounds": [{"rotate": True}]}, "settings.rounds[0].rotate", "first round"),
        ({"rounds": [{"size": 2, "all": True}]}, "settings.rounds[0].all", "only one of"),
        ({"host_stays": True, "rounds": [{}, {"rotate": True}]}, "settings.host_stays", "writer"),
        ({"writer": "two"}, "settings.writer", "'none' or 'one'"),
        ({"assign": "magic"}, "settings.assign", "random"),
        ({"timer_per_group": "yes"}, "settings.timer_per_group", "boolean"),
    ],
)
def test_check_models_names_file_and_field(tmp_path: Path, settings, field, words, capsys):
    """check-models refuses bad small-groups settings, naming the file and the field."""
    path = tmp_path / "sg-bad.yaml"
    path.write_text(yaml.safe_dump(template("sg-bad", settings)), encoding="utf-8")
    out = __import__("io").StringIO()
    assert check_models_cli(tmp_path, out) == 1
    report = out.getvalue()
    assert f"sg-bad.yaml: phases[0].{field}:" in report, report
    assert words in report, report


def test_good_settings_load_with_defaults(tmp_path: Path):
    """Every template of this module is valid; defaults are filled in."""
    write_templates(tmp_path)
    model = load_model_file(tmp_path / "sg-open.yaml")
    settings = model.phases[0].settings
    assert (settings.assign, settings.writer, settings.round_count()) == ("random", "none", 1)
    out = __import__("io").StringIO()
    assert check_models_cli(tmp_path, out) == 0, out.getvalue()
    snapshot = model.to_snapshot()["phases"][0]["settings"]
    assert snapshot["groups"] == 2 and snapshot["rounds"] == []
