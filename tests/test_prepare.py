"""Preparing a session: the facilitator fills in the template's preparable fields."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import FacilitatorClient, csrf_from

STATEMENTS = [
    "Sovimme vuoronvaihdoista suoraan keskenämme.",
    "Kerromme, jos emme ehdi tauolle.",
    "Uusi työntekijä saa nimetyn perehdyttäjän.",
]


def prepare_url(session_id: int) -> str:
    return f"/sessions/{session_id}/prepare"


def put(facilitator: FacilitatorClient, session_id: int, fields: dict):
    return facilitator.api("PUT", prepare_url(session_id), {"fields": fields})


def field(state: dict, key: str) -> dict:
    return next(f for f in state["fields"] if f["key"] == key)


def test_prepared_statements_are_what_phones_rate_and_the_export_shows(facilitator, phone_factory):
    """Statements written for a session replace the template's on phones and in the export."""
    session = facilitator.create_session("sytyttaja", "Työvuorot")
    sid = session["id"]
    state = facilitator.api("GET", prepare_url(sid)).get_json()
    assert state["editable"] is True
    statements = field(state, "pulse.statements")
    assert statements["type"] == "lines"
    assert (statements["min_items"], statements["max_items"]) == (1, 30)
    assert statements["value"][0] == "Tiedän, mitä työssäni minulta odotetaan."

    response = put(facilitator, sid, {"pulse.statements": STATEMENTS})
    assert response.status_code == 200, response.get_json()
    assert field(response.get_json(), "pulse.statements")["value"] == STATEMENTS

    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(sid, "rate")
    assert [s["text"] for s in state["rate"]["statements"]] == STATEMENTS
    seen = phone.emit("sync")["state"]["rate"]["statements"]
    assert [s["text"] for s in seen] == STATEMENTS
    ack = phone.emit(
        "rate.set", {"client_id": uuid.uuid4().hex, "statement": seen[1]["id"], "value": 4}
    )
    assert ack["ok"], ack
    export = facilitator.api("GET", f"/sessions/{sid}/export.json").get_json()
    rated = next(p for p in export["phases"] if p["kind"] == "rate")
    assert [s["text"] for s in rated["statements"]] == STATEMENTS
    assert rated["statements"][1]["responses"] == 1
    markdown = facilitator.api("GET", f"/sessions/{sid}/export.md").get_data(as_text=True)
    assert STATEMENTS[2] in markdown
    # The template file is untouched: a new session gets the template's statements.
    other = facilitator.create_session("sytyttaja", "Toinen")
    fresh = facilitator.api("GET", prepare_url(other["id"])).get_json()
    assert field(fresh, "pulse.statements")["value"][0] != STATEMENTS[0]


def test_unchanged_lines_keep_ids_and_translations(facilitator):
    """Editing one statement keeps every id: kept lines theirs, a rewritten one its place's."""
    session = facilitator.create_session("sytyttaja", "Työvuorot")
    sid = session["id"]
    before = field(facilitator.api("GET", prepare_url(sid)).get_json(), "pulse.statements")
    lines = [*before["value"][:2], "Uusi väite"]
    assert put(facilitator, sid, {"pulse.statements": "\n".join(lines)}).status_code == 200
    facilitator.api("POST", f"/sessions/{sid}/start")
    state = facilitator.go_to(sid, "rate")
    ids = [s["id"] for s in state["rate"]["statements"]]
    assert ids == ["core-task", "information", "workload"]
    # A Swedish phone of a Finnish session: unchanged statements keep their Swedish text,
    # the new one shows the facilitator's text.
    export = facilitator.api("GET", f"/sessions/{sid}/export.json").get_json()
    assert [
        s["text"] for s in next(p for p in export["phases"] if p["kind"] == "rate")["statements"]
    ] == lines


def test_swedish_session_text_replaces_every_language(facilitator, phone_factory):
    """In a Swedish session the facilitator's text shows whatever language a phone picked."""
    response = facilitator.api(
        "POST",
        "/sessions",
        {"model_id": "keep-change-give-up", "title": "Avdelning 5", "language": "sv"},
    )
    session = response.get_json()
    sid = session["id"]
    state = facilitator.api("GET", prepare_url(sid)).get_json()
    assert field(state, "ideas.columns")["value"] == ["Behåll", "Ändra", "Avstå från"]
    # A column rewritten in place keeps its id, so the vote's columns still match.
    response = put(facilitator, sid, {"ideas.columns": ["Bevara", "Ändra", "Avstå från"]})
    assert response.status_code == 200, response.get_json()
    finnish = phone_factory(session["join_code"])
    finnish.http.get("/lang/fi")
    state = facilitator.go_to(sid, "ideas")
    columns = state["phase"]["settings"]["columns"]
    assert [c["id"] for c in columns] == ["keep", "change", "give-up"]
    assert [c["title"] for c in columns] == ["Bevara", "Ändra", "Avstå från"]
    finnish.sio.disconnect()
    finnish.sio.connect()
    finnish.emit("join", {"role": "participant", "code": session["join_code"]})
    seen = finnish.emit("sync")["state"]["phase"]["settings"]["columns"]
    # Unchanged columns keep their Finnish translation; the changed one shows the
    # facilitator's Swedish text instead of the template's Finnish "Säilytä".
    assert [c["title"] for c in seen] == ["Bevara", "Muuta", "Luovu"]


@pytest.mark.parametrize(
    ("fields", "key", "code"),
    [
        ({"pulse.statements": []}, "pulse.statements", "too_few_items"),
        ({"pulse.statements": ["   ", ""]}, "pulse.statements", "too_few_items"),
        (
            {"pulse.statements": [f"Väite {n}" for n in range(31)]},
            "pulse.statements",
            "too_many_items",
        ),
        ({"pulse.statements": ["Hyvä", "x" * 301]}, "pulse.statements", "too_long"),
        ({"welcome.prompt": "  "}, "welcome.prompt", "empty"),
        ({"welcome.prompt": "x" * 4001}, "welcome.prompt", "too_long"),
        ({"themes.themes": ["t" * 201]}, "themes.themes", "too_long"),
        ({"pulse.scale": "1-10"}, "pulse.scale", "not_preparable"),
        ({"energy.prompt": "Ei sallittu"}, "energy.prompt", "not_preparable"),
        ({"nowhere.prompt": "Ei"}, "nowhere.prompt", "not_preparable"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(facilitator, fields, key, code):
    """Values outside the template's rules are refused with the field and a message."""
    session = facilitator.create_session("sytyttaja", "Työvuorot")
    before = facilitator.api("GET", prepare_url(session["id"])).get_json()
    response = put(facilitator, session["id"], fields)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["field"], error["code"]) == (key, code)
    assert error["message"] and error["errors"][0]["field"] == key
    if code == "too_long" and key == "pulse.statements":
        assert error["errors"][0]["line"] == 2
        assert "300" in error["message"]
    assert facilitator.api("GET", prepare_url(session["id"])).get_json() == before


def test_messages_are_translated(facilitator):
    """The messages follow the caller's language."""
    session = facilitator.create_session("sytyttaja", "Työvuorot")
    facilitator.client.get("/lang/fi")
    response = put(facilitator, session["id"], {"pulse.statements": []})
    message = response.get_json()["error"]["message"]
    facilitator.client.get("/lang/en")
    response = put(facilitator, session["id"], {"pulse.statements": []})
    assert response.get_json()["error"]["message"] == "Write at least 1 line."
    assert message  # Finnish once translated; never empty


def test_bad_body_is_invalid(facilitator):
    """A body that is not {"fields": {...}} with text values is refused as a whole."""
    session = facilitator.create_session("sytyttaja", "Työvuorot")
    for payload in ({}, {"fields": {"pulse.statements": 3}}, {"fields": {}, "extra": 1}):
        response = facilitator.api("PUT", prepare_url(session["id"]), payload)
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "invalid"


def test_started_or_closed_session_cannot_be_prepared(facilitator):
    """Live and closed sessions refuse preparation with a code; reading still works."""
    session = facilitator.create_session("sytyttaja", "Työvuorot")
    sid = session["id"]
    facilitator.api("POST", f"/sessions/{sid}/start")
    response = put(facilitator, sid, {"welcome.prompt": "Uusi"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_started"
    state = facilitator.api("GET", prepare_url(sid)).get_json()
    assert state["editable"] is False and state["status"] == "live"
    facilitator.api("POST", f"/sessions/{sid}/close")
    response = put(facilitator, sid, {"welcome.prompt": "Uusi"})
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "session_closed")


def test_other_facilitators_get_404(app, facilitator):
    """Another facilitator can neither read, prepare nor copy from someone's session."""
    session = facilitator.create_session("sytyttaja", "Työvuorot")
    sid = session["id"]
    other = FacilitatorClient(app, app.test_client(), email="toinen@example.fi")
    assert other.api("GET", prepare_url(sid)).status_code == 404
    assert put(other, sid, {"welcome.prompt": "Vieras"}).status_code == 404
    assert other.api("GET", f"/sessions/{sid}/copy-lines?source=themes").status_code == 404
    assert other.client.get(prepare_url(sid)).status_code == 404
    mine = other.create_session("sytyttaja", "Oma")
    page = other.client.get(prepare_url(mine["id"])).get_data(as_text=True)
    assert "Työvuorot" not in page


def test_prepared_themes_replace_the_suggested_ones(app, facilitator):
    """Themes prepared for a group phase become the session's themes; own ones stay."""
    from facilitator import operations as ops
    from facilitator.extensions import db
    from facilitator.models import Theme, Workshop

    session = facilitator.create_session("sytyttaja", "Työvuorot")
    sid = session["id"]

    def titles() -> list[str]:
        with app.app_context():
            rows = db.session.scalars(
                db.select(Theme).filter_by(workshop_id=sid).order_by(Theme.position)
            )
            return [row.title for row in rows]

    suggested = field(facilitator.api("GET", prepare_url(sid)).get_json(), "themes.themes")
    assert titles() == suggested["value"]
    with app.app_context():
        ops.add_theme(db.session.get(Workshop, sid), "themes", "Oma teema")
        db.session.commit()
    response = put(facilitator, sid, {"themes.themes": ["Tauot", "Vuorot"]})
    assert response.status_code == 200, response.get_json()
    assert titles() == ["Tauot", "Vuorot", "Oma teema"]


def test_copy_from_an_earlier_session(facilitator):
    """An earlier session's agreed actions come back as lines, ready to be statements."""
    earlier = facilitator.create_session("keep-change-give-up", "Pelisäännöt")
    eid = earlier["id"]
    facilitator.api("POST", f"/sessions/{eid}/start")
    rules = ["Kuuntelemme toisiamme", "Puhumme  asioista,\n emme ihmisistä"]
    for rule in rules:
        response = facilitator.api(
            "POST", f"/sessions/{eid}/actions", {"client_id": uuid.uuid4().hex, "what": rule}
        )
        assert response.status_code == 201
    facilitator.api("POST", f"/sessions/{eid}/close")
    response = facilitator.api("GET", f"/sessions/{eid}/copy-lines?source=actions")
    lines = response.get_json()["lines"]
    assert lines == ["Kuuntelemme toisiamme", "Puhumme asioista, emme ihmisistä"]
    assert facilitator.api("GET", f"/sessions/{eid}/copy-lines?source=nope").status_code == 422

    session = facilitator.create_session("sytyttaja", "Arviointi")
    assert put(facilitator, session["id"], {"pulse.statements": lines}).status_code == 200
    facilitator.api("POST", f"/sessions/{session['id']}/start")
    state = facilitator.go_to(session["id"], "rate")
    assert [s["text"] for s in state["rate"]["statements"]] == lines

    # The prepare page offers the earlier session's actions (and not other accounts').
    page = facilitator.client.get(prepare_url(facilitator.create_session("sytyttaja", "X")["id"]))
    html = page.get_data(as_text=True)
    assert f'value="{eid}:actions"' in html
    assert f'value="{session["id"]}:statements"' in html


def test_prepare_page_saves_and_shows_errors_next_to_fields(facilitator):
    """The HTML form: textareas with the template's text, errors tied to their field."""
    response = facilitator.client.post(
        "/sessions/new",
        data={
            "csrf_token": facilitator.csrf,
            "title": "Työvuorot",
            "language": "fi",
            "model_id": "sytyttaja",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/prepare")
    url = response.headers["Location"]
    html = facilitator.client.get(url).get_data(as_text=True)
    assert "Tiedän, mitä työssäni minulta odotetaan." in html
    csrf = csrf_from(html)
    response = facilitator.client.post(
        url,
        data={"csrf_token": csrf, "pulse.statements": "\n".join(["x" * 301, "Hyvä"])},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-describedby="f-pulse-statements-hint f-pulse-statements-error"' in html
    assert 'id="f-pulse-statements-error"' in html
    assert 'href="#f-pulse-statements"' in html  # the error summary links to the field
    assert 'aria-invalid="true"' in html
    assert "x" * 301 in html  # what was typed stays in the field
    response = facilitator.client.post(
        url, data={"csrf_token": csrf, "pulse.statements": "\n".join(STATEMENTS)}
    )
    assert response.status_code == 302
    sid = int(url.rstrip("/").split("/")[-2])
    state = facilitator.api("GET", prepare_url(sid)).get_json()
    assert field(state, "pulse.statements")["value"] == STATEMENTS


def test_new_session_without_preparable_fields_goes_to_control(app, facilitator, tmp_path):
    """A template with nothing to prepare goes straight to the control view."""
    from facilitator import catalog
    from facilitator.workshop_models import WorkshopModel

    model = WorkshopModel.model_validate(
        {
            "id": "plain",
            "version": 1,
            "title": "Pelkkä",
            "description": "Ei valmisteltavaa",
            "phases": [{"id": "end", "kind": "summary", "title": "Loppu", "minutes": 5}],
        }
    )
    with app.app_context():
        models = catalog.available_models()
    models["plain"] = model
    try:
        response = facilitator.client.post(
            "/sessions/new",
            data={
                "csrf_token": facilitator.csrf,
                "title": "Pelkkä",
                "language": "fi",
                "model_id": "plain",
            },
        )
        assert response.status_code == 302
        assert not response.headers["Location"].endswith("/prepare")
    finally:
        models.pop("plain", None)


def test_info_link_can_be_set_checked_and_removed(app, facilitator):
    """A template that prepares an info link: a bad address is refused, empty removes it."""
    from facilitator import catalog
    from facilitator.workshop_models import WorkshopModel

    model = WorkshopModel.model_validate(
        {
            "id": "expert",
            "version": 1,
            "title": "Asiantuntija",
            "description": "Alustus",
            "phases": [
                {
                    "id": "talk",
                    "kind": "info",
                    "title": "Alustus",
                    "prompt": "Katsokaa video",
                    "minutes": 10,
                    "prepare": ["title", "link", "link_label"],
                    "settings": {"link": "https://example.fi/a", "link_label": "Video"},
                },
            ],
        }
    )
    with app.app_context():
        models = catalog.available_models()
    models["expert"] = model
    try:
        sid = facilitator.create_session("expert", "Alustus")["id"]
    finally:
        models.pop("expert", None)
    state = facilitator.api("GET", prepare_url(sid)).get_json()
    assert [f["key"] for f in state["fields"]] == ["talk.title", "talk.link", "talk.link_label"]
    assert field(state, "talk.link")["value"] == "https://example.fi/a"
    response = put(facilitator, sid, {"talk.link": "javascript:alert(1)"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "bad_link"
    response = put(facilitator, sid, {"talk.title": "", "talk.link": "ftp://x"})
    codes = {(e["field"], e["code"]) for e in response.get_json()["error"]["errors"]}
    assert codes == {("talk.title", "empty"), ("talk.link", "bad_link")}
    response = put(facilitator, sid, {"talk.link": "https://example.fi/b", "talk.link_label": ""})
    assert response.status_code == 200, response.get_json()
    facilitator.api("POST", f"/sessions/{sid}/start")
    settings = facilitator.api("GET", f"/sessions/{sid}").get_json()["phase"]["settings"]
    assert settings == {"link": "https://example.fi/b", "link_label": "https://example.fi/b"}
    response = put(facilitator, sid, {"talk.link": ""})
    assert response.status_code == 409


def test_edit_page_links_to_prepare_while_upcoming(facilitator):
    """The manage page offers preparing only before the start."""
    sid = facilitator.create_session("sytyttaja", "Työvuorot")["id"]
    assert prepare_url(sid) in facilitator.client.get(f"/sessions/{sid}/edit").get_data(
        as_text=True
    )
    facilitator.api("POST", f"/sessions/{sid}/start")
    page = facilitator.client.get(f"/sessions/{sid}/edit").get_data(as_text=True)
    assert prepare_url(sid) not in page
    page = facilitator.client.get(prepare_url(sid)).get_data(as_text=True)
    assert "readonly" in page and 'type="submit" class="btn btn-primary"' not in page


def test_classify_categories_can_be_prepared(facilitator, phone_factory):
    """The supervisors' task groups are preparable: phones classify into the team's own."""
    session = facilitator.create_session("kiireen-hallinta", "Kotihoito")
    sid = session["id"]
    state = facilitator.api("GET", prepare_url(sid)).get_json()
    categories = field(state, "task-groups.categories")
    assert (categories["min_items"], categories["max_items"]) == (2, 6)
    assert categories["value"][0] == "Muutoksen johtaminen"
    mine = ["Muutoksen johtaminen", "Asiakkaat", "Arki", "Muut tehtävät"]
    too_many = put(facilitator, sid, {"task-groups.categories": [*mine, "a", "b", "c"]})
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["field"] == "task-groups.categories"
    response = put(facilitator, sid, {"task-groups.categories": mine})
    assert response.status_code == 200, response.get_json()
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(sid, "classify")
    seen = phone.emit("sync")["state"]["phase"]["settings"]["categories"]
    assert [c["title"] for c in seen] == mine
    # Unchanged lines keep their ids (and translations); rewritten ones their place's id.
    ids = [c["id"] for c in seen]
    assert ids[0] == "change" and ids[-1] == "other" and len(set(ids)) == 4


def test_small_groups_questions_can_be_prepared(app, facilitator):
    """A template may let the facilitator write the small groups' questions."""
    from facilitator import catalog
    from facilitator.workshop_models import WorkshopModel

    with app.app_context():
        models = catalog.available_models()
    data = models["1-2-4-kaikki"].model_dump(mode="json", exclude_none=True)
    phase = next(p for p in data["phases"] if p["kind"] == "small_groups")
    phase["prepare"] = ["prompt", "questions"]
    data["id"] = "questions-prepared"
    models["questions-prepared"] = WorkshopModel.model_validate(data)
    try:
        session = facilitator.create_session("questions-prepared", "Kysymykset")
        sid = session["id"]
        key = f"{phase['id']}.questions"
        questions = ["Mikä vie aikaa?", "Mikä auttaa?"]
        long = put(facilitator, sid, {key: ["x" * 1001]})
        assert long.status_code == 422
        assert long.get_json()["error"]["code"] == "too_long"
        response = put(facilitator, sid, {key: questions})
        assert response.status_code == 200, response.get_json()
        state = facilitator.go_to(sid, "small_groups")
        assert state["phase"]["settings"]["questions"] == questions
    finally:
        models.pop("questions-prepared", None)


def test_renaming_a_voted_column_keeps_the_vote_working(facilitator):
    """Rewriting a column the vote uses keeps its id: the save succeeds, the ballot holds."""
    session = facilitator.create_session()
    sid = session["id"]
    response = put(facilitator, sid, {"ideas.columns": ["Säilytä", "Korjataan", "Luovu"]})
    assert response.status_code == 200, response.get_json()
    state = facilitator.go_to(sid, "ideas")
    columns = state["phase"]["settings"]["columns"]
    assert [(c["id"], c["title"]) for c in columns][1] == ("change", "Korjataan")
