"""The poll kind end to end: answers (set semantics), refusals, the threshold, export.

The session is built from templates this module writes into a temporary models
directory, so every setting is exercised here.
"""

from __future__ import annotations

import functools
import json
import uuid
from pathlib import Path

import pytest

from tests.conftest import one_phase_template, refused_template_report, start_in_phase
from tests.test_participant_events import assert_error

OPTIONS = [
    {"id": "aamu", "title": {"fi": "Aamulla", "sv": "På morgonen"}},
    {"id": "ilta", "title": {"fi": "Illalla", "sv": "På kvällen"}},
    {"id": "yo", "title": "Yöllä"},
]


def template(template_id: str, settings: dict) -> dict:
    """Return a template: an info phase, one poll phase and a summary."""
    phase = {
        "id": "kysely",
        "kind": "poll",
        "title": "Milloin kiire on pahin?",
        "prompt": "Valitse",
        "minutes": 5,
        "settings": settings,
    }
    return one_phase_template(template_id, {"fi": "Kysely", "sv": "Enkät", "en": "Poll"}, phase)


TEMPLATES = {
    "poll-single": {"options": OPTIONS, "dont_know": True},
    "poll-multi": {"options": OPTIONS, "multiple": True, "max_choices": 2, "show_results": "live"},
}


@pytest.fixture
def templates():
    return {tid: template(tid, s) for tid, s in TEMPLATES.items()}


# start(facilitator, phone_factory, template_id, phones) -> (session, phones, state)
start = functools.partial(start_in_phase, kind="poll", title="Kysely osasto 3")


def answer(phone, choices, dont_know=False, client_id=None):
    payload = {"client_id": client_id or uuid.uuid4().hex, "choices": choices}
    if dont_know:
        payload["dont_know"] = True
    return phone.emit("poll.set", payload)


def poll_of(phone) -> dict:
    ack = phone.emit("sync")
    assert ack["ok"], ack
    return ack["state"]["poll"]


def control(facilitator, session) -> dict:
    return facilitator.api("GET", f"/sessions/{session['id']}").get_json()["poll"]


def test_answers_are_set_not_added_and_counts_wait_for_five(facilitator, phone_factory):
    """A retried or changed answer replaces the phone's earlier one; the counts stay
    hidden from every screen until five have answered, the facilitator included."""
    session, phones, state = start(facilitator, phone_factory, "poll-single", 6)
    assert [o["title"] for o in state["poll"]["options"]] == ["Aamulla", "Illalla", "Yöllä"]
    client_id = uuid.uuid4().hex
    for _ in range(2):  # a retry after a reconnect
        ack = answer(phones[0], ["aamu"], client_id=client_id)
        assert ack == {"ok": True, "my_poll": {"choices": ["aamu"], "dont_know": False}}
    assert answer(phones[0], ["ilta"])["my_poll"]["choices"] == ["ilta"]
    for phone in phones[1:4]:
        assert answer(phone, ["aamu"])["ok"]
    block = control(facilitator, session)
    assert block["responses"] == 4 and block["counts"] is None
    assert poll_of(phones[0])["my_poll"] == {"choices": ["ilta"], "dont_know": False}
    assert answer(phones[4], [], dont_know=True)["my_poll"] == {"choices": [], "dont_know": True}
    block = control(facilitator, session)
    assert block["counts"] == {"aamu": 3, "ilta": 1, "yo": 0} and block["dont_know"] == 1
    # after_close: the room sees only how many have answered until input closes.
    phone_view = poll_of(phones[5])
    assert phone_view["responses"] == 5 and phone_view["counts"] is None
    assert not phone_view["revealed"]
    assert facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": False})
    results = [e for e in phones[5].received("poll.results")]
    assert results and results[-1]["args"][0]["counts"] == {"aamu": 3, "ilta": 1, "yo": 0}
    # Taking an answer back (no choices): the count drops below five again.
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": True})
    assert answer(phones[4], [])["my_poll"] is None
    assert control(facilitator, session)["counts"] is None


def test_refusals(facilitator, phone_factory):
    """Out of phase, closed input, unknown options, too many choices, a stray don't know."""
    session = facilitator.create_session("poll-multi", "Kysely")
    phone = phone_factory(session["join_code"])
    facilitator.api("POST", f"/sessions/{session['id']}/start")
    assert_error(answer(phone, ["aamu"]), "wrong_phase")
    facilitator.go_to(session["id"], "poll")
    assert_error(answer(phone, ["aamu", "ilta", "yo"]), "too_many_choices")
    assert "2" in answer(phone, ["aamu", "ilta", "yo"])["error"]["message"]
    assert_error(answer(phone, ["lounas"]), "not_found")
    assert_error(answer(phone, ["aamu", "aamu"]), "invalid")
    assert_error(answer(phone, [], dont_know=True), "invalid")  # not offered here
    assert_error(phone.emit("poll.set", {"client_id": "x" * 10, "choices": "aamu"}), "invalid")
    assert answer(phone, ["yo", "aamu"])["my_poll"]["choices"] == ["aamu", "yo"]
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": False})
    assert_error(answer(phone, ["ilta"]), "phase_closed")


def test_single_choice_refuses_two(facilitator, phone_factory):
    session, phones, _ = start(facilitator, phone_factory, "poll-single", 1)
    assert_error(answer(phones[0], ["aamu", "ilta"]), "too_many_choices")
    assert_error(answer(phones[0], ["aamu"], dont_know=True), "invalid")


def test_live_results_reach_phones_and_export(facilitator, phone_factory):
    """show_results: live sends counts to phones once five answered; the export has them,
    the Markdown and the printable report too, and nothing that identifies anyone."""
    session, phones, _ = start(facilitator, phone_factory, "poll-multi", 5)
    chosen = [["aamu"], ["aamu", "ilta"], ["ilta"], ["yo"], ["aamu"]]
    for phone, choices in zip(phones, chosen, strict=True):
        assert answer(phone, choices)["ok"]
    latest = phones[0].received("poll.results")[-1]["args"][0]
    assert latest["counts"] == {"aamu": 3, "ilta": 2, "yo": 1} and latest["revealed"]
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "poll")
    assert entry["responses"] == 5 and entry["max_choices"] == 2
    assert [(o["id"], o["count"]) for o in entry["options"]] == [
        ("aamu", 3),
        ("ilta", 2),
        ("yo", 1),
    ]
    assert "participant" not in json.dumps(entry)
    markdown = facilitator.api("GET", f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    assert "Aamulla — 3 (60 %)" in markdown.replace("\u00a0", " "), markdown
    html = facilitator.client.get(f"/sessions/{session['id']}/export").get_data(as_text=True)
    assert "Illalla" in html


def test_export_withholds_counts_below_threshold(facilitator, phone_factory):
    session, phones, _ = start(facilitator, phone_factory, "poll-single", 2)
    for phone in phones:
        answer(phone, ["aamu"])
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "poll")
    assert entry["responses"] == 2
    assert all(o["count"] is None for o in entry["options"]) and entry["dont_know"] is None


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"options": OPTIONS[:1]}, "settings.options", "at least 2"),
        ({"options": OPTIONS * 4}, "settings.options", "at most 10"),
        ({"options": [OPTIONS[0], OPTIONS[0]]}, "settings.options[1].id", "duplicate id"),
        ({"options": OPTIONS, "max_choices": 2}, "settings.max_choices", "multiple: true"),
        (
            {"options": OPTIONS, "multiple": True, "max_choices": 4},
            "settings.max_choices",
            "must not exceed",
        ),
        ({"options": OPTIONS, "min_responses": 3}, "settings.min_responses", "greater than"),
        ({"options": OPTIONS, "dont_know": "yes"}, "settings.dont_know", "boolean"),
        ({"options": OPTIONS, "show_results": "never"}, "settings.show_results", "live"),
    ],
)
def test_check_models_names_file_and_field(tmp_path: Path, settings, field, words):
    report = refused_template_report(tmp_path, template("poll-bad", settings))
    assert f"poll-bad.yaml: phases[1].{field}" in report, report
    assert words in report, report
