"""A QWL result-handling session end to end: import, the projector's results, the focus
vote (hidden until close), ideation per focus statement, actions linked to their
statement, the exported development plan; then a second round of the same team that
shows the trend. The small-group threshold on import, on screen and in export."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import openpyxl

from facilitator.extensions import socketio

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "samples" / "qwl"
AUTUMN = "kotihoito-syksy-2021-windows1252-sarkain.csv"
SPRING = "kotihoito-kevat-2022-utf8-bom-puolipiste.csv"
TEMPLATE = "qwl-tulosten-kasittely"


def upload(facilitator, session_id: int, name: str):
    response = facilitator.client.post(
        f"/api/v1/sessions/{session_id}/qwl/rounds",
        data={"file": (io.BytesIO((SAMPLES / name).read_bytes()), name)},
        headers={"X-CSRFToken": facilitator.csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def make_team(facilitator) -> int:
    response = facilitator.api("POST", "/teams", {"name": "Kotihoito Itä"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["team"]["id"]


def new_session(facilitator, team_id: int, title: str) -> dict:
    response = facilitator.api(
        "POST", "/sessions", {"model_id": TEMPLATE, "title": title, "team_id": team_id}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def go_to_phase(facilitator, session_id: int, phase_id: str) -> dict:
    state = facilitator.api("GET", f"/sessions/{session_id}").get_json()
    if state["session"]["status"] == "upcoming":
        facilitator.api("POST", f"/sessions/{session_id}/start")
    index = next(p["index"] for p in state["phases"] if p["id"] == phase_id)
    response = facilitator.api("POST", f"/sessions/{session_id}/phase", {"to": index})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def statements(summary) -> dict:
    return {st["id"]: st for group in summary["dimensions"] for st in group["statements"]}


def projector(app, facilitator, session_id: int):
    sio = socketio.test_client(app, flask_test_client=facilitator.client)
    ack = sio.emit("join", {"role": "projector", "session_id": session_id}, callback=True)
    assert ack["ok"], ack
    return sio


def test_from_import_to_exported_plan_and_a_second_round(app, facilitator, phone_factory):
    team_id = make_team(facilitator)
    session = new_session(facilitator, team_id, "QWL-tulokset syksy")
    sid = session["id"]
    upload(facilitator, sid, AUTUMN)
    upload(facilitator, sid, SPRING)

    # --- the projector and the phones see the results, weakest first, with change ----
    state = go_to_phase(facilitator, sid, "results")
    screen = projector(app, facilitator, sid)
    phones = [phone_factory(session["join_code"]) for _ in range(6)]
    shown = screen.emit("sync", {}, callback=True)["state"]["results"]
    phone_view = phones[0].emit("sync")["state"]["results"]
    for view in (shown, phone_view, state["results"]):
        summary = view["summary"]
        assert summary["index"] == 54.9 and summary["index_change"] == 1.1
        assert [r["index"] for r in summary["trend"]] == [53.8, 54.9]
        by_id = statements(summary)
        assert by_id["t02"]["score"] == 41.5 and by_id["t02"]["change"] == -2.5
        # The statement with 4 answers: text only, on every screen.
        assert by_id["t09"] == {
            "id": "t09",
            "text": "Osaamistani hyödynnetään hyvin.",
            "hidden": True,
            "score": None,
            "previous": None,
            "change": None,
        }
    assert "57.1" not in json.dumps(shown) and "55.0" not in json.dumps(shown)
    helpers = shown["helpers"]
    assert helpers["by_statement"]["t02"][0] == "Missä työvaiheissa kiire kasautuu?"
    assert "Mihin voimme itse vaikuttaa?" in helpers["general"]

    # --- focus vote: phones choose up to 3; the room sees nothing until close --------
    state = go_to_phase(facilitator, sid, "focus")
    picks = [["t12", "t02"], ["t12", "t02", "t04"], ["t12", "t10"], ["t02"], ["t12"], ["t04"]]
    for phone, pick in zip(phones, picks, strict=True):
        ack = phone.emit("results.focus", {"client_id": uuid.uuid4().hex, "statements": pick})
        assert ack == {"ok": True, "my_focus": pick}, ack
    too_many = phones[0].emit(
        "results.focus", {"client_id": uuid.uuid4().hex, "statements": ["t01", "t02", "t03", "t04"]}
    )
    assert too_many["ok"] is False
    hidden = phones[1].emit("results.focus", {"client_id": uuid.uuid4().hex, "statements": ["t09"]})
    assert hidden["ok"] is False and hidden["error"]["code"] == "not_found"
    room = phones[2].emit("sync")["state"]["results"]["tally"]
    assert room["counts"] is None and room["voters"] == 6 and room["revealed"] is False
    control = facilitator.api("GET", f"/sessions/{sid}").get_json()["results"]["tally"]
    assert control["counts"] == {"t12": 4, "t02": 3, "t04": 2, "t10": 1}
    facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    room = screen.emit("sync", {}, callback=True)["state"]["results"]["tally"]
    assert room["counts"]["t12"] == 4 and room["revealed"] is True

    # --- ideation: one column per focus statement, most chosen first --------------
    state = go_to_phase(facilitator, sid, "ideate")
    columns = state["phase"]["settings"]["columns"]
    assert [c["id"] for c in columns] == ["statement-t12", "statement-t02", "statement-t04"]
    assert columns[0]["title"] == "Muutoksista keskustellaan ennen päätöksiä."
    ack = phones[0].add_idea("Muutosinfo viikkopalaverin alkuun, kuka: esihenkilö", "statement-t12")
    assert ack["ok"], ack
    idea_t12 = ack["idea"]["id"]
    ack = phones[1].add_idea("Kiireen kasautumiskohdat listaksi kahdeksi viikoksi", "statement-t02")
    idea_t02 = ack["idea"]["id"]

    # --- actions composed by the facilitator, each linked to its idea (statement) ---
    go_to_phase(facilitator, sid, "actions")
    for idea, what, who in (
        (idea_t12, "Muutokset käsitellään viikkopalaverissa ennen päätöstä", "Esihenkilö"),
        (idea_t02, "Kirjataan kiireen kasautumiskohdat kahden viikon ajan", "Aino"),
    ):
        response = facilitator.api(
            "POST",
            f"/sessions/{sid}/actions",
            {
                "what": what,
                "who": who,
                "due": "2022-06-30",
                "first_step": "Sovitaan aika",
                "follow_up": "2022-09-15",
                "source_item": f"idea:{idea}",
                "client_id": uuid.uuid4().hex,
            },
        )
        assert response.status_code == 201, response.get_json()

    # --- the development plan: XLSX and the printable A4 page ----------------------
    response = facilitator.client.get(f"/sessions/{sid}/qwl/plan.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    plan_rows = [[c for c in row if c is not None] for row in book.worksheets[0].values]
    flat = [c for row in plan_rows for c in row]
    assert "Muutoksista keskustellaan ennen päätöksiä." in flat  # a focus statement
    assert [
        "Muutoksista keskustellaan ennen päätöksiä.",
        "Muutokset käsitellään viikkopalaverissa ennen päätöstä",
        "Esihenkilö",
        "30.6.2022",
        "Sovitaan aika",
        "15.9.2022",
        "Tekemättä",
    ] in plan_rows or any(
        row[:3]
        == [
            "Muutoksista keskustellaan ennen päätöksiä.",
            "Muutokset käsitellään viikkopalaverissa ennen päätöstä",
            "Esihenkilö",
        ]
        for row in plan_rows
    )
    results_sheet = {row[1]: row for row in book.worksheets[1].iter_rows(values_only=True)}
    assert results_sheet["t02"][3] == 0.415 and results_sheet["t02"][5] == -2.5
    # Below the threshold: the reason, never a number.
    reason, *rest = results_sheet["t09"][3:]
    assert isinstance(reason, str) and "5" in reason and not any(rest)
    trend = list(book.worksheets[2].iter_rows(values_only=True))[1:]
    assert trend == [("syksy 2021", 0.538), ("kevät 2022", 0.549)]

    page = facilitator.client.get(f"/sessions/{sid}/qwl/plan").get_data(as_text=True)
    assert "<h1>" in page and "Muutoksista keskustellaan ennen päätöksiä." in page
    assert "Muutokset käsitellään viikkopalaverissa ennen päätöstä" in page
    assert "Osaamistani hyödynnetään hyvin." in page and "57,1" not in page

    # The session's own export has the results without the hidden statement's numbers.
    exported = facilitator.client.get(f"/sessions/{sid}/export.json").get_json()
    results_phase = next(p for p in exported["phases"] if p["id"] == "results")
    assert statements(results_phase["qwl"])["t09"]["score"] is None
    assert "57.1" not in json.dumps(exported)
    screen.disconnect()

    # --- the next round: a new session of the same team sees the trend --------------
    facilitator.api("POST", f"/sessions/{sid}/close")
    follow = new_session(facilitator, team_id, "QWL-tulokset kevät")
    rows = [
        "Yksikkö;Kierros;QWL-indeksi;Väittämän tunnus;Ulottuvuus;Väittämä;Tulos;"
        "Edellinen tulos;Vastaajia",
        "Kotihoito Itä;syksy 2022;57,2 %;t02;Turvallisuus;Työmääräni on kohtuullinen.;47,0 %;;15",
        "Kotihoito Itä;syksy 2022;57,2 %;t12;Esihenkilötyö;"
        "Muutoksista keskustellaan ennen päätöksiä.;49,5 %;;15",
    ]
    response = facilitator.client.post(
        f"/api/v1/sessions/{follow['id']}/qwl/rounds",
        data={"file": (io.BytesIO("\r\n".join(rows).encode("utf-8")), "syksy.csv")},
        headers={"X-CSRFToken": facilitator.csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    summary = response.get_json()["summary"]
    assert [r["index"] for r in summary["trend"]] == [53.8, 54.9, 57.2]
    assert summary["index_change"] == 2.3
    # No previous score in the file: the change is against the team's earlier round.
    assert statements(summary)["t02"]["change"] == 5.5
    assert statements(summary)["t12"]["change"] == 10.6


def test_results_phase_without_imported_results_says_so(facilitator, phone_factory):
    session = facilitator.create_session(TEMPLATE, "Ei tuloksia")
    phone = phone_factory(session["join_code"])
    state = go_to_phase(facilitator, session["id"], "results")
    assert state["results"]["summary"] is None
    assert phone.emit("sync")["state"]["results"]["summary"] is None
    ack = phone.emit("results.focus", {"client_id": uuid.uuid4().hex, "statements": ["t01"]})
    assert ack["ok"] is False and ack["error"]["code"] == "wrong_phase"


def test_qwl_page_imports_shows_errors_and_types_in(facilitator):
    from tests.conftest import csrf_from

    session = facilitator.create_session(TEMPLATE, "Sivu")
    facilitator.client.get("/lang/en")
    page = facilitator.client.get(f"/sessions/{session['id']}/qwl")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    broken = "Yksikkö;Kierros\r\nOsasto;kevät\r\n".encode()
    response = facilitator.client.post(
        f"/sessions/{session['id']}/qwl/import",
        data={"csrf_token": token, "file": (io.BytesIO(broken), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Row 1: no column “qwl-indeksi / index”." in response.get_data(as_text=True)
    form = {
        "csrf_token": token,
        "unit": "Osasto 5",
        "round": "kevät 2023",
        "index": "55,0",
        "statement_id-0": "t01",
        "dimension-0": "Turvallisuus",
        "text-0": "Työmäärä on kohtuullinen.",
        "score-0": "48,5 %",
        "answers-0": "12",
    }
    response = facilitator.client.post(f"/sessions/{session['id']}/qwl/form", data=form)
    assert response.status_code == 302
    listed = facilitator.api("GET", f"/sessions/{session['id']}/qwl/rounds").get_json()
    assert listed["rounds"][0]["round"] == "kevät 2023" and listed["summary"]["index"] == 55.0


def test_helper_questions_are_prepared_per_session(facilitator, phone_factory):
    """The starter set is the template's; a facilitator rewrites it for one session."""
    session = facilitator.create_session(TEMPLATE, "Valmistelu")
    sid = session["id"]
    page = facilitator.client.get(f"/sessions/{sid}/prepare")
    assert page.status_code == 200
    fields = facilitator.api("GET", f"/sessions/{sid}/prepare").get_json()["fields"]
    helper = next(f for f in fields if f["key"] == "results.helper_questions")
    assert helper["type"] == "lines" and len(helper["value"]) == 27
    lines = ["t02: Mikä vie eniten aikaa aamuvuorossa?", "*: Mitä kokeilisimme ensin?"]
    response = facilitator.api(
        "PUT", f"/sessions/{sid}/prepare", {"fields": {"results.helper_questions": lines}}
    )
    assert response.status_code == 200, response.get_json()
    upload(facilitator, sid, SPRING)
    phone = phone_factory(session["join_code"])
    go_to_phase(facilitator, sid, "results")
    helpers = phone.emit("sync")["state"]["results"]["helpers"]
    assert helpers == {
        "general": ["Mitä kokeilisimme ensin?"],
        "by_statement": {"t02": ["Mikä vie eniten aikaa aamuvuorossa?"]},
    }


def test_focus_tally_waits_for_five_people_on_every_screen(facilitator, phone_factory):
    session = facilitator.create_session(TEMPLATE, "Kynnys")
    sid = session["id"]
    upload(facilitator, sid, SPRING)
    phones = [phone_factory(session["join_code"]) for _ in range(4)]
    go_to_phase(facilitator, sid, "focus")
    for phone in phones:
        ack = phone.emit("results.focus", {"client_id": uuid.uuid4().hex, "statements": ["t02"]})
        assert ack["ok"], ack
    facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    control = facilitator.api("GET", f"/sessions/{sid}").get_json()["results"]["tally"]
    assert control == {"phase_id": "focus", "counts": None, "voters": 4, "revealed": True}
    assert phones[0].emit("sync")["state"]["results"]["tally"]["counts"] is None
    # Nothing below the threshold flows on: the ideas phase gets no columns.
    state = go_to_phase(facilitator, sid, "ideate")
    assert state["phase"]["settings"]["columns"] == []


def test_a_teams_rounds_outlive_the_session_they_came_in(facilitator):
    team_id = make_team(facilitator)
    first = new_session(facilitator, team_id, "Ensimmäinen")
    upload(facilitator, first["id"], AUTUMN)
    assert facilitator.api("DELETE", f"/sessions/{first['id']}").status_code == 200
    second = new_session(facilitator, team_id, "Toinen")
    listed = facilitator.api("GET", f"/sessions/{second['id']}/qwl/rounds").get_json()
    assert [r["round"] for r in listed["rounds"]] == ["syksy 2021"]
    # A session without a team keeps its own rounds, and they go with it.
    alone = facilitator.create_session(TEMPLATE, "Ilman tiimiä")
    upload(facilitator, alone["id"], SPRING)
    other = facilitator.create_session(TEMPLATE, "Toinen ilman tiimiä")
    assert facilitator.api("GET", f"/sessions/{other['id']}/qwl/rounds").get_json()["rounds"] == []
