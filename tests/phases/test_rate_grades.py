"""The rate kind's growth: a label per scale point, "don't know", the agreed grade.

Every earlier rate behaviour is covered by tests/test_voting_and_rating.py.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import refused_template_report
from tests.test_participant_events import assert_error

LABELS = [
    {"fi": "Ei toteutunut", "sv": "Uppnåddes inte"},
    "Toteutui osittain",
    "Toteutui pääosin",
    "Toteutui täysin",
]
SETTINGS = {
    "statements": [
        {"id": "tavoite-1", "text": "Perehdytys on sovittu"},
        {"id": "tavoite-2", "text": "Tauot pidetään"},
    ],
    "scale": {"min": 1, "max": 4, "labels": LABELS},
    "dont_know": True,
    "grades": True,
}


def template(template_id: str, settings: dict) -> dict:
    return {
        "id": template_id,
        "version": 1,
        "title": {"fi": "Arviointi", "sv": "Utvärdering", "en": "Evaluation"},
        "description": "Testipohja",
        "phases": [
            {
                "id": "arvio",
                "kind": "rate",
                "title": "Tavoitteiden arviointi",
                "prompt": "Miten tavoitteet toteutuivat?",
                "minutes": 15,
                "settings": settings,
            },
            {"id": "yhteenveto", "kind": "summary", "title": "Yhteenveto", "minutes": 5},
        ],
    }


@pytest.fixture
def templates():
    return {"arviointi-testi": template("arviointi-testi", SETTINGS)}


def rate(phone, statement, value):
    return phone.emit(
        "rate.set", {"client_id": uuid.uuid4().hex, "statement": statement, "value": value}
    )


def grade(facilitator, session, statement, value, phase="arvio"):
    return facilitator.api(
        "PUT", f"/sessions/{session['id']}/phases/{phase}/grades/{statement}", {"grade": value}
    )


def test_labels_dont_know_and_grades_end_to_end(facilitator, phone_factory):
    """Labels reach every screen; "don't know" is counted apart (not in the mean); the
    agreed grade is stored, broadcast, shown beside the distribution and exported."""
    session = facilitator.create_session("arviointi-testi", "Arviointi kevät")
    phones = [phone_factory(session["join_code"]) for _ in range(6)]
    state = facilitator.go_to(session["id"], "rate")
    assert state["rate"]["scale"]["labels"][0] == "Ei toteutunut"
    assert state["rate"]["dont_know"] is True and state["rate"]["grades"] == {}
    for phone, value in zip(phones, [4, 3, 3, 2, "dont_know", 4], strict=True):
        assert rate(phone, "tavoite-1", value)["ok"]
    # A retry of "don't know" stays one answer; the phone sees its own choice.
    ack = rate(phones[4], "tavoite-1", "dont_know")
    assert ack["my_ratings"] == {"tavoite-1": "dont_know"}
    result = facilitator.api("GET", f"/sessions/{session['id']}").get_json()["rate"]["results"]
    first = result["tavoite-1"]
    assert first["responses"] == 5 and first["dont_know"] == 1
    assert first["distribution"] == {"1": 0, "2": 1, "3": 2, "4": 2} and first["mean"] == 3.2
    assert result["tavoite-2"] == {
        "responses": 0,
        "distribution": None,
        "mean": None,
        "dont_know": None,
    }
    # Changing "don't know" into a point moves it into the distribution.
    rate(phones[4], "tavoite-1", 1)
    first = facilitator.api("GET", f"/sessions/{session['id']}").get_json()["rate"]["results"]
    assert first["tavoite-1"]["dont_know"] == 0 and first["tavoite-1"]["responses"] == 6

    for phone in phones:
        phone.received()
    response = grade(facilitator, session, "tavoite-1", 3)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["grades"] == {"tavoite-1": 3}
    events = phones[0].received("rate.grades")
    assert events and events[-1]["args"][0] == {"phase_id": "arvio", "grades": {"tavoite-1": 3}}
    assert phones[0].emit("sync")["state"]["rate"]["grades"] == {"tavoite-1": 3}
    assert grade(facilitator, session, "tavoite-2", 2).status_code == 200
    assert grade(facilitator, session, "tavoite-2", None).get_json()["grades"] == {"tavoite-1": 3}

    data = facilitator.api("GET", f"/sessions/{session['id']}/export.json").get_json()
    entry = next(p for p in data["phases"] if p["kind"] == "rate")
    assert entry["grades"] is True and entry["scale"]["labels"][2] == "Toteutui pääosin"
    assert [s["grade"] for s in entry["statements"]] == [3, None]
    markdown = facilitator.api("GET", f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    assert "| 3 (Toteutui pääosin) |" in markdown, markdown
    html = facilitator.client.get(f"/sessions/{session['id']}/export").get_data(as_text=True)
    assert "3 (Toteutui pääosin)" in html


def test_grade_refusals(facilitator, phone_factory):
    session = facilitator.create_session("arviointi-testi", "Arviointi")
    phone = phone_factory(session["join_code"])
    facilitator.go_to(session["id"], "rate")
    assert grade(facilitator, session, "tavoite-1", 5).status_code == 422
    assert grade(facilitator, session, "tavoite-9", 2).status_code == 404
    assert grade(facilitator, session, "tavoite-1", 2, phase="yhteenveto").status_code == 404
    assert grade(facilitator, session, "tavoite-1", "3").status_code == 422
    assert_error(rate(phone, "tavoite-1", "en tiedä"), "invalid")
    assert_error(rate(phone, "tavoite-1", 0), "invalid")
    facilitator.api("POST", f"/sessions/{session['id']}/close")
    assert grade(facilitator, session, "tavoite-1", 2).status_code == 409


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({**SETTINGS, "scale": {"min": 1, "max": 4, "labels": LABELS[:3]}}, "scale.labels", "4"),
        (
            {**SETTINGS, "scale": {"min": 1, "max": 2, "labels": ["a", "b" * 81]}},
            "scale.labels[1]",
            "80",
        ),
        ({**SETTINGS, "dont_know": "yes"}, "dont_know", "boolean"),
        ({**SETTINGS, "grades": 1}, "grades", "boolean"),
    ],
)
def test_check_models_names_file_and_field(tmp_path: Path, settings, field, words):
    report = refused_template_report(tmp_path, template("rate-bad", settings))
    assert "rate-bad.yaml: phases[0].settings." + field in report, report
    assert words in report, report
