"""Series: a template's `series` step (check-models names file and field), a team's
numbered series sessions made from the new-session page, the API and the team page,
the suggested next step (recurring steps, `times`), and a review in a series session
bringing in only what the series' earlier sessions left open, across three sessions."""

from __future__ import annotations

import io
import re
import uuid

import pytest

from facilitator.workshop_models import check_models_cli
from tests.conftest import FacilitatorClient, csrf_token, models_dir, test_app

TITLE = {"fi": "Kokeilusarja", "sv": "Försöksserie", "en": "Experiment series"}


def template(template_id: str, series: dict | None, review: bool) -> dict:
    phases = [{"id": "alku", "kind": "info", "title": "Alku", "prompt": "Tervetuloa", "minutes": 2}]
    if review:
        phases.append(
            {
                "id": "katsaus",
                "kind": "review",
                "title": "Mitä kokeilimme?",
                "prompt": "Miten kokeilut menivät?",
                "minutes": 15,
                "settings": {"scope": "series", "item_kinds": ["experiment", "action"]},
            }
        )
    phases += [
        {
            "id": "kokeilut",
            "kind": "actions",
            "title": "Seuraava kokeilu",
            "prompt": "Mitä kokeilemme?",
            "minutes": 10,
            "settings": {"item_kinds": ["experiment", "action"]},
        },
        {"id": "yhteenveto", "kind": "summary", "title": "Yhteenveto", "minutes": 5},
    ]
    data = {
        "id": template_id,
        "version": 1,
        "title": {"fi": template_id, "sv": template_id, "en": template_id},
        "description": "Testipohja",
        "phases": phases,
    }
    if series is not None:
        data["series"] = series
    return data


TEMPLATES = {
    "sarja-alku": template(
        "sarja-alku", {"id": "kokeilut", "title": TITLE, "step": "alku", "order": 1}, False
    ),
    "sarja-tapaaminen": template(
        "sarja-tapaaminen",
        {
            "id": "kokeilut",
            "title": TITLE,
            "step": "tapaaminen",
            "order": 2,
            "recurring": True,
            "times": 2,
        },
        True,
    ),
    "sarja-loppu": template(
        "sarja-loppu", {"id": "kokeilut", "title": TITLE, "step": "loppu", "order": 3}, True
    ),
    "yksittainen": template("yksittainen", None, False),
}


@pytest.fixture
def app(database_url, tmp_path):
    with test_app(database_url, MODELS_DIR=models_dir(tmp_path, TEMPLATES)) as app:
        yield app


@pytest.fixture
def other(app):
    return FacilitatorClient(app, app.test_client(), email="toinen@example.fi")


def make_team(fac, name="Osasto 5") -> int:
    r = fac.api("POST", "/teams", {"name": name})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["team"]["id"]


def add_item(fac, session_id: int, what: str, kind="experiment") -> dict:
    body = {"client_id": uuid.uuid4().hex, "what": what, "item_kind": kind}
    r = fac.api("POST", f"/sessions/{session_id}/actions", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["action"]


# --- check-models --------------------------------------------------------------------


def check(tmp_path, templates: dict) -> str:
    out = io.StringIO()
    check_models_cli(models_dir(tmp_path, templates), out)
    return out.getvalue()


def test_check_models_names_file_and_field(tmp_path):
    bad = {
        "a-alku": template(
            "a-alku", {"id": "sa", "title": TITLE, "step": "alku", "order": 1}, False
        ),
        "b-toinen": template(
            "b-toinen", {"id": "sa", "title": {"fi": "Muu nimi"}, "step": "alku", "order": 1}, False
        ),
        "e-viides": template(
            "e-viides", {"id": "sb", "title": TITLE, "step": "xx", "order": 1, "times": 3}, False
        ),
        "c-kolmas": template(
            "c-kolmas", {"id": "sa", "title": TITLE, "step": "xy", "order": 0}, False
        ),
        "d-neljas": template(
            "d-neljas", {"id": "S!", "title": TITLE, "step": "y", "order": 2, "extra": 1}, False
        ),
    }
    text = check(tmp_path, bad)
    assert re.search(r"e-viides\.yaml: series\.times: .*only for a recurring step", text)
    assert re.search(r"b-toinen\.yaml: series\.title: differs from the title of series 'sa'", text)
    assert re.search(
        r"b-toinen\.yaml: series\.step: step 'alku' of series 'sa' is also 'a-alku'", text
    )
    assert re.search(
        r"b-toinen\.yaml: series\.order: order 1 of series 'sa' is also 'a-alku'", text
    )
    assert re.search(r"c-kolmas\.yaml: series\.order: ", text)
    assert re.search(r"d-neljas\.yaml: series\.id: expected an id", text)
    assert re.search(r"d-neljas\.yaml: series\.extra: unknown key", text)


def test_check_models_accepts_a_series(tmp_path):
    assert check(tmp_path, TEMPLATES).endswith("4 templates checked, 0 errors\n")


# --- numbering, next step, team page ------------------------------------------------


def test_numbered_sessions_and_the_suggested_next_step(facilitator):
    team_id = make_team(facilitator)
    r = facilitator.api(
        "POST", "/sessions", {"model_id": "sarja-alku", "title": "Aloitus", "team_id": team_id}
    )
    assert r.status_code == 201, r.get_json()
    first = r.get_json()
    assert first["series"]["number"] == 1 and first["series"]["title"] == "Kokeilusarja"
    series_id = first["series"]["id"]
    listing = facilitator.api("GET", f"/teams/{team_id}/series").get_json()["series"]
    assert [s["id"] for s in listing] == [series_id]
    assert listing[0]["next"]["template"] == "sarja-tapaaminen"

    made = []
    for _ in range(3):
        r = facilitator.api("POST", f"/series/{series_id}/sessions", {"language": "fi"})
        assert r.status_code == 201, r.get_json()
        made.append(r.get_json())
    # The recurring step runs `times` (2) sessions, then the next order.
    assert [m["template"] for m in made] == ["sarja-tapaaminen", "sarja-tapaaminen", "sarja-loppu"]
    assert [m["series"]["number"] for m in made] == [2, 3, 4]
    assert [m["title"] for m in made] == ["Kokeilusarja 2", "Kokeilusarja 3", "Kokeilusarja 4"]
    data = facilitator.api("GET", f"/series/{series_id}").get_json()
    assert data["complete"] is True and data["next"] is None
    assert [s["number"] for s in data["sessions"]] == [1, 2, 3, 4]
    # A complete series still takes a chosen step.
    r = facilitator.api(
        "POST", f"/series/{series_id}/sessions", {"model_id": "sarja-tapaaminen", "title": "Lisä"}
    )
    assert r.status_code == 201 and r.get_json()["series"]["number"] == 5
    r = facilitator.api("POST", f"/series/{series_id}/sessions", {"model_id": "yksittainen"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "not_in_series"
    # The snapshot carries the number; the team page lists the numbered sessions.
    state = facilitator.api("GET", f"/sessions/{made[0]['id']}").get_json()
    assert state["session"]["series"] == {"id": series_id, "title": "Kokeilusarja", "number": 2}
    page = facilitator.client.get(f"/teams/{team_id}").get_data(as_text=True)
    # In the facilitator's Finnish: "Session 2: …", "(session 6)".
    assert "Työpaja 2: Kokeilusarja 2" in page and "työpaja 6" in page
    control = facilitator.client.get(f"/sessions/{made[0]['id']}").get_data(as_text=True)
    assert "Sarjan työpaja 2" in control


def test_series_of_other_people_are_refused(facilitator, other):
    team_id = make_team(facilitator)
    first = facilitator.api(
        "POST", "/sessions", {"model_id": "sarja-alku", "title": "Aloitus", "team_id": team_id}
    ).get_json()
    series_id = first["series"]["id"]
    assert other.api("GET", f"/series/{series_id}").status_code == 404
    assert other.api("POST", f"/series/{series_id}/sessions", {}).status_code == 404
    assert other.api("GET", f"/teams/{team_id}/series").status_code == 404
    # Another team's series cannot be named for a new session.
    own_team = make_team(other, "Toinen tiimi")
    r = other.api(
        "POST",
        "/sessions",
        {"model_id": "sarja-alku", "title": "x", "team_id": own_team, "series_id": series_id},
    )
    assert r.status_code == 404


def test_new_session_page_offers_only_visible_teams_and_series(facilitator, other):
    mine = make_team(facilitator, "Oma osasto")
    theirs = make_team(other, "Vieras osasto")
    page = facilitator.client.get("/sessions/new").get_data(as_text=True)
    assert "Oma osasto" in page and "Vieras osasto" not in page
    token = csrf_token(page)
    form = {
        "csrf_token": token,
        "title": "Aloitus",
        "team_name": "",
        "language": "fi",
        "model_id": "sarja-alku",
        "team_id": str(mine),
        "series": "new",
    }
    r = facilitator.client.post("/sessions/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    listing = facilitator.api("GET", f"/teams/{mine}/series").get_json()["series"]
    assert len(listing) == 1 and listing[0]["sessions"][0]["number"] == 1
    # The next one joins the same series from the page.
    r = facilitator.client.post(
        "/sessions/new",
        data={
            **form,
            "title": "Tapaaminen",
            "model_id": "sarja-tapaaminen",
            "series": str(listing[0]["id"]),
        },
    )
    assert r.status_code == 302
    listing = facilitator.api("GET", f"/teams/{mine}/series").get_json()["series"]
    assert [s["number"] for s in listing[0]["sessions"]] == [1, 2]
    # A team the facilitator cannot see is not a valid choice.
    r = facilitator.client.post("/sessions/new", data={**form, "team_id": str(theirs)})
    assert r.status_code == 400
    # The session list shows the number.
    assert "Kokeilusarja, työpaja 2" in facilitator.client.get("/sessions").get_data(as_text=True)


def test_team_page_starts_the_next_session(facilitator):
    team_id = make_team(facilitator)
    first = facilitator.api(
        "POST", "/sessions", {"model_id": "sarja-alku", "title": "Aloitus", "team_id": team_id}
    ).get_json()
    page = facilitator.client.get(f"/teams/{team_id}").get_data(as_text=True)
    token = csrf_token(page)
    r = facilitator.client.post(
        f"/series/{first['series']['id']}/next",
        data={"csrf_token": token, "model_id": "", "language": "sv"},
    )
    assert r.status_code == 302
    listing = facilitator.api("GET", f"/teams/{team_id}/series").get_json()["series"][0]
    assert listing["sessions"][1]["template"] == "sarja-tapaaminen"
    assert listing["sessions"][1]["number"] == 2


# --- the review narrowed to the series ----------------------------------------------


def test_review_brings_only_what_the_series_left_open_across_three_sessions(facilitator):
    team_id = make_team(facilitator)
    first = facilitator.api(
        "POST", "/sessions", {"model_id": "sarja-alku", "title": "Aloitus", "team_id": team_id}
    ).get_json()
    facilitator.api("POST", f"/sessions/{first['id']}/start")
    facilitator.go_to(first["id"], "actions")
    kokeilu = add_item(facilitator, first["id"], "Hiljainen tunti aamuisin")
    valmis = add_item(facilitator, first["id"], "Tauot vuorolistaan")
    r = facilitator.api(
        "PATCH", f"/sessions/{first['id']}/actions/{valmis['id']}", {"status": "done"}
    )
    assert r.status_code == 200, r.get_json()
    facilitator.api("POST", f"/sessions/{first['id']}/close")
    # A session of the same team outside the series: its items stay out of the series.
    single = facilitator.api(
        "POST", "/sessions", {"model_id": "yksittainen", "title": "Muu", "team_id": team_id}
    ).get_json()
    facilitator.api("POST", f"/sessions/{single['id']}/start")
    facilitator.go_to(single["id"], "actions")
    add_item(facilitator, single["id"], "Muun kokouksen asia", "action")

    series_id = first["series"]["id"]
    second = facilitator.api(
        "POST", f"/series/{series_id}/sessions", {"title": "Tapaaminen 1"}
    ).get_json()
    block = facilitator.go_to(second["id"], "review")["review"]
    assert [i["what"] for i in block["items"]] == ["Hiljainen tunti aamuisin"]
    # Carried forward into session 2: session 3 reviews the carried item, once.
    r = facilitator.api(
        "POST", f"/sessions/{second['id']}/review/katsaus/items/{kokeilu['id']}/carry", {}
    )
    assert r.status_code in (200, 201), r.get_json()
    facilitator.go_to(second["id"], "actions")
    add_item(facilitator, second["id"], "Vertaissparraus kerran viikossa")
    facilitator.api("POST", f"/sessions/{second['id']}/close")

    third = facilitator.api("POST", f"/series/{series_id}/sessions", {}).get_json()
    assert third["series"]["number"] == 3
    block = facilitator.go_to(third["id"], "review")["review"]
    titles = [(i["what"], i["session"]["title"]) for i in block["items"]]
    assert titles == [
        ("Hiljainen tunti aamuisin", "Tapaaminen 1"),
        ("Vertaissparraus kerran viikossa", "Tapaaminen 1"),
    ]
