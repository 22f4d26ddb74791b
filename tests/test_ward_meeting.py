"""What a newcomer meets in a real ward meeting: typed codes, a reachable join address,
languages that do not mix, retries that say what happened."""

from __future__ import annotations

import uuid

import pytest

from facilitator import joinurl
from facilitator.i18n import content_language


def _code(session: dict) -> str:
    return session["join_code"]


# --- joining by a typed code ------------------------------------------------------


def test_typed_code_posted_from_the_landing_page_opens_the_session(app, client, facilitator):
    session = facilitator.create_session()
    code = _code(session)
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    # The landing page's form has no CSRF token; a phone may post it from a cached page.
    response = app.test_client().post("/join", data={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/j/{code}")


def test_wrong_typed_code_is_answered_with_a_message_and_kept_in_the_field(app):
    response = app.test_client().post("/join", data={"code": "zzz zzz"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Tällä koodilla ei löytynyt työpajaa" in html
    assert 'value="zzz zzz"' in html


def test_empty_typed_code_asks_for_the_code(app):
    response = app.test_client().post("/join", data={"code": ""})
    assert response.status_code == 200
    assert 'id="code"' in response.get_data(as_text=True)


def test_guessing_typed_codes_is_limited_with_a_message(app):
    app.config["JOIN_ATTEMPTS_PER_MINUTE"] = 3
    http = app.test_client()
    for _ in range(3):
        assert http.post("/join", data={"code": "ZZZZZZ"}).status_code == 404
    response = http.post("/join", data={"code": "ZZZZZZ"})
    assert response.status_code == 429
    assert "Liian monta yritystä" in response.get_data(as_text=True)


# --- the join address -------------------------------------------------------------


def test_join_address_uses_the_lan_address_when_listening_beyond_loopback(app, monkeypatch):
    monkeypatch.setattr(joinurl, "lan_address", lambda: "192.168.1.20")
    app.config.update(LISTEN_HOST="0.0.0.0", LISTEN_PORT=5000)
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        address = joinurl.join_base()
    assert address.base == "http://192.168.1.20:5000" and address.reachable


def test_join_address_on_loopback_only_is_marked_unreachable(app):
    app.config.update(LISTEN_HOST="127.0.0.1", LISTEN_PORT=5000)
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        address = joinurl.join_base()
    assert address.base == "http://127.0.0.1:5000" and not address.reachable


def test_join_address_opened_through_the_lan_is_kept(app):
    app.config.update(LISTEN_HOST="0.0.0.0", LISTEN_PORT=5000)
    with app.test_request_context("/", base_url="http://10.0.0.5:5000"):
        address = joinurl.join_base()
    assert address.base == "http://10.0.0.5:5000" and address.reachable


def test_public_url_is_the_join_address_in_pages_and_qr(app, facilitator):
    app.config["PUBLIC_URL"] = "https://tyopaja.example.fi"
    session = facilitator.create_session()
    sid, code = session["id"], _code(session)
    page = facilitator.client.get(f"/sessions/{sid}").get_data(as_text=True)
    assert f"https://tyopaja.example.fi/j/{code}" in page and "join-warning" not in page
    qr = facilitator.client.get(f"/sessions/{sid}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"


def test_loopback_join_address_warns_on_control_and_projector(app, facilitator):
    app.config.update(LISTEN_HOST="127.0.0.1", PUBLIC_URL="http://127.0.0.1:5000")
    session = facilitator.create_session()
    sid = session["id"]
    for path in (f"/sessions/{sid}", f"/sessions/{sid}/projector"):
        page = facilitator.client.get(path).get_data(as_text=True)
        assert "join-warning" in page, path
        assert "--host 0.0.0.0" in page


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True)]
    + [("192.168.1.4", False), ("tyopaja.example.fi", False), ("0.0.0.0", False)],
)
def test_loopback_hosts_are_recognised(host, loopback):
    assert joinurl.is_loopback(host) is loopback


# --- languages --------------------------------------------------------------------


def test_projector_speaks_the_session_language_whatever_the_facilitator_chose(facilitator):
    session = facilitator.create_session()
    sid = session["id"]
    facilitator.client.get("/lang/en")
    control = facilitator.client.get(f"/sessions/{sid}").get_data(as_text=True)
    assert '<html lang="en">' in control
    projector = facilitator.client.get(f"/sessions/{sid}/projector").get_data(as_text=True)
    assert '<html lang="fi">' in projector
    assert "Liity puhelimella" in projector or "Liity" in projector


def test_projector_socket_gets_session_language_text_and_messages(app, facilitator):
    from facilitator.extensions import socketio

    session = facilitator.create_session()
    sid = session["id"]
    facilitator.api("POST", f"/sessions/{sid}/start")
    facilitator.client.get("/lang/en")
    projector = socketio.test_client(app, flask_test_client=facilitator.client)
    ack = projector.emit("join", {"role": "projector", "session_id": sid}, callback=True)
    assert ack["ok"]
    titles = {p["title"] for p in ack["state"]["phases"]}
    assert any("Jatka" in t or "Säilytä" in t or "Tervetuloa" in t for t in titles), titles
    error = projector.emit("idea.add", {"client_id": "x" * 10, "text": "a"}, callback=True)
    assert error["ok"] is False and error["error"]["code"] == "forbidden"
    assert "Sinulla ei ole" in error["error"]["message"]
    projector.disconnect()


def test_phone_that_chose_swedish_gets_swedish_template_text_and_messages(
    app, facilitator, phone_factory
):
    session = facilitator.create_session()
    sid, code = session["id"], _code(session)
    facilitator.go_to(sid, "ideas")
    finnish = phone_factory(code)
    swedish_http = app.test_client()
    swedish_http.get("/lang/sv")
    from facilitator.extensions import socketio

    assert swedish_http.get(f"/j/{code}").status_code == 200
    swedish = socketio.test_client(app, flask_test_client=swedish_http)
    ack = swedish.emit("join", {"role": "participant", "code": code}, callback=True)
    fi_state, sv_state = finnish.join_ack["state"], ack["state"]
    assert sv_state["session"]["content_language"] == "sv"
    assert sv_state["phase"]["title"] != fi_state["phase"]["title"]
    fi_columns = [c["title"] for c in fi_state["phase"]["settings"]["columns"]]
    sv_columns = [c["title"] for c in sv_state["phase"]["settings"]["columns"]]
    assert fi_columns != sv_columns
    assert "Behåll" in " ".join(sv_columns) or "behåll" in " ".join(sv_columns).lower()
    refused = swedish.emit("idea.add", {"client_id": uuid.uuid4().hex, "text": " "}, callback=True)
    assert refused["error"]["code"] == "empty"
    assert "Skriv" in refused["error"]["message"], refused
    swedish.disconnect()


def test_phone_in_a_swedish_session_without_a_choice_gets_swedish(app, facilitator):
    from facilitator.extensions import socketio

    response = facilitator.api(
        "POST",
        "/sessions",
        {"model_id": "keep-change-give-up", "title": "Avdelning 3", "language": "sv"},
    )
    session = response.get_json()
    code = _code(session)
    http = app.test_client()
    page = http.get(f"/j/{code}").get_data(as_text=True)
    assert '<html lang="sv">' in page
    phone = socketio.test_client(app, flask_test_client=http)
    ack = phone.emit("join", {"role": "participant", "code": code}, callback=True)
    assert ack["state"]["session"]["content_language"] == "sv"
    phone.disconnect()


def test_template_text_falls_back_to_the_session_language():
    class Model:
        title = {"fi": "Työpaja", "sv": "Workshop"}

    assert content_language(Model, "sv", "fi") == "sv"
    assert content_language(Model, "en", "sv") == "sv"
    assert content_language(Model, None, "fi") == "fi"


# --- retries ----------------------------------------------------------------------


def test_retrying_a_deleted_idea_says_it_was_deleted(facilitator, phone_factory):
    session = facilitator.create_session()
    facilitator.go_to(session["id"], "ideas")
    phone = phone_factory(_code(session))
    client_id = uuid.uuid4().hex
    posted = phone.add_idea("Tauot ajallaan", "change", client_id=client_id)
    assert posted["ok"]
    assert phone.emit("idea.delete", {"id": posted["idea"]["id"]})["ok"]
    phone.received()
    retry = phone.add_idea("Tauot ajallaan", "change", client_id=client_id)
    assert retry["ok"] is False
    assert retry["error"]["code"] == "idea_deleted"
    assert retry["error"]["message"]
    assert phone.received("idea.added") == []


def test_retrying_an_action_create_does_not_broadcast_again(facilitator, phone_factory):
    session = facilitator.create_session()
    sid = session["id"]
    facilitator.go_to(sid, "actions")
    phone = phone_factory(_code(session))
    phone.received()
    body = {"client_id": uuid.uuid4().hex, "what": "Vuorolistat ajoissa", "who": "Osastonhoitaja"}
    first = facilitator.api("POST", f"/sessions/{sid}/actions", body)
    assert first.status_code == 201
    assert len(phone.received("actions")) == 1
    again = facilitator.api("POST", f"/sessions/{sid}/actions", body)
    assert again.status_code == 201
    assert again.get_json()["action"]["id"] == first.get_json()["action"]["id"]
    assert phone.received("actions") == []
