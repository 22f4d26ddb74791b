"""The private kind end to end: "done" counts once, sharing is optional and anonymous,
shared answers show only from five, refusals, export.

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

ITEMS = [
    {"id": "palautuminen", "text": "Mikä auttaa minua palautumaan?"},
    {
        "id": "jaksaminen",
        "text": "Miten jaksan nyt?",
        "type": "scale",
        "scale": {
            "min": 1,
            "max": 4,
            "labels": ["Huonosti", "Kohtalaisesti", "Hyvin", "Erinomaisesti"],
        },
    },
]


def template(template_id: str, settings: dict) -> dict:
    """Return a template: an info phase, one private phase and a summary."""
    phase = {
        "id": "oma",
        "kind": "private",
        "title": "Oma pohdinta",
        "prompt": "Vastaukset jäävät puhelimeesi.",
        "minutes": 10,
        "settings": settings,
    }
    return one_phase_template(
        template_id, {"fi": "Palautuminen", "sv": "Återhämtning", "en": "Recovery"}, phase
    )


TEMPLATES = {
    "private-kept": {"items": ITEMS, "card_title": "Oma lupaukseni"},
    "private-shared": {"items": ITEMS, "share": "optional"},
}


@pytest.fixture
def templates():
    return {tid: template(tid, s) for tid, s in TEMPLATES.items()}


# start(facilitator, phone_factory, template_id, phones) -> (session, phones, state)
start = functools.partial(start_in_phase, kind="private", title="Palautuminen tiimi 2")


def done(phone, client_id=None):
    return phone.emit("private.done", {"client_id": client_id or uuid.uuid4().hex})


def share(phone, answers):
    return phone.emit("private.share", {"client_id": uuid.uuid4().hex, "answers": answers})


def control(facilitator, session) -> dict:
    return facilitator.api("GET", f"/sessions/{session['id']}").get_json()["private"]


def test_done_counts_once_and_answers_never_reach_the_server(facilitator, phone_factory):
    """By default only "3 / 4 done" is known: a phone saying done twice counts once,
    sharing is refused, the export has the count and no answer."""
    session, phones, state = start(facilitator, phone_factory, "private-kept", 4)
    block = state["private"]
    assert block["card_title"] == "Oma lupaukseni" and block["share"] == "none"
    assert block["items"][1]["scale"]["labels"][0] == "Huonosti"
    client_id = uuid.uuid4().hex
    for _ in range(2):
        ack = done(phones[0], client_id)
        assert ack == {"ok": True, "my_private": {"done": True, "shared": False}}
    assert done(phones[0])["ok"]
    done(phones[1])
    done(phones[2])
    block = control(facilitator, session)
    assert (block["done"], block["participants"], block["shared"]) == (3, 4, None)
    event = phones[3].received("private.results")[-1]["args"][0]
    assert event["done"] == 3 and event["results"] is None
    assert_error(share(phones[3], {"palautuminen": "Kävely"}), "not_shareable")
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "private")
    assert entry["done"] == 3 and entry["shared"] is None
    assert "Kävely" not in json.dumps(data)
    markdown = facilitator.api("GET", f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    assert "3" in markdown and "No ideas" not in markdown and "Ei ideoita" not in markdown


def test_shared_answers_show_from_five_without_order_or_owner(facilitator, phone_factory):
    """Shared answers join the aggregate only from five; texts are sorted, never linked."""
    session, phones, _ = start(facilitator, phone_factory, "private-shared", 6)
    texts = ["Uni", "kävely metsässä", "Ystävät", "Musiikki", "Liikunta"]
    for phone, text, point in zip(phones[:4], texts[:4], [1, 3, 3, 4], strict=True):
        ack = share(phone, {"palautuminen": text, "jaksaminen": point})
        assert ack["my_private"] == {"done": True, "shared": True}
    done(phones[5])
    block = control(facilitator, session)
    assert (block["done"], block["shared"]) == (5, 4)
    assert block["results"]["palautuminen"] == {"type": "text", "responses": 4, "answers": None}
    assert block["results"]["jaksaminen"]["distribution"] is None
    # A retry of the same share replaces, never adds.
    for _ in range(2):
        share(phones[4], {"palautuminen": texts[4], "jaksaminen": 2})
    block = control(facilitator, session)
    assert block["shared"] == 5 and block["done"] == 6
    assert block["results"]["palautuminen"]["answers"] == sorted(texts, key=str.casefold)
    assert block["results"]["jaksaminen"]["distribution"] == {"1": 1, "2": 1, "3": 2, "4": 1}
    assert block["results"]["jaksaminen"]["mean"] == 2.6
    phone_view = phones[5].emit("sync")["state"]["private"]
    assert phone_view["my_private"] == {"done": True, "shared": False}
    assert phone_view["results"]["palautuminen"]["answers"][0] == "kävely metsässä"
    # Withdrawing a share takes the answers out again (below five: hidden).
    assert share(phones[4], None)["my_private"] == {"done": True, "shared": False}
    assert control(facilitator, session)["results"]["palautuminen"]["answers"] is None
    share(phones[4], {"palautuminen": texts[4]})
    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "private")
    assert entry["items"][0]["answers"] == sorted(texts, key=str.casefold)
    assert entry["items"][1]["distribution"] is None  # only four shared a scale answer
    assert "participant" not in json.dumps(entry)
    markdown = facilitator.api("GET", f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    assert "- kävely metsässä" in markdown


def test_refusals(facilitator, phone_factory):
    session = facilitator.create_session("private-shared", "Palautuminen")
    phone = phone_factory(session["join_code"])
    assert_error(done(phone), "session_not_started")
    facilitator.api("POST", f"/sessions/{session['id']}/start")
    assert_error(done(phone), "wrong_phase")
    facilitator.go_to(session["id"], "private")
    assert_error(share(phone, {"muu": "x"}), "not_found")
    assert_error(share(phone, {"jaksaminen": 5}), "invalid")
    assert_error(share(phone, {"jaksaminen": "3"}), "invalid")
    assert_error(share(phone, {"palautuminen": "x" * 1001}), "too_long")
    assert_error(share(phone, {"palautuminen": "   "}), "empty")
    assert_error(phone.emit("private.done", {}), "invalid")
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": False})
    assert_error(done(phone), "phase_closed")


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"items": []}, "settings.items", "at least 1"),
        ({"items": ITEMS, "share": "always"}, "settings.share", "'none' or 'optional'"),
        ({"items": [ITEMS[0], ITEMS[0]]}, "settings.items[1].id", "duplicate id"),
        (
            {"items": [{**ITEMS[0], "scale": {"min": 1, "max": 3}}]},
            "settings.items[0].scale",
            "only a scale question",
        ),
        (
            {"items": [{**ITEMS[1], "scale": {"min": 1, "max": 4, "labels": ["a", "b"]}}]},
            "settings.items[0].scale.labels",
            "expected 4 labels",
        ),
        ({"items": [{**ITEMS[0], "type": "choice"}]}, "settings.items[0].type", "'text' or"),
        ({"items": ITEMS, "min_responses": 2}, "settings.min_responses", "greater than"),
    ],
)
def test_check_models_names_file_and_field(tmp_path: Path, settings, field, words):
    report = refused_template_report(tmp_path, template("private-bad", settings))
    assert f"private-bad.yaml: phases[1].{field}" in report, report
    assert words in report, report
