"""Facilitator accounts, API authentication, phase control and the command line."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

from facilitator.extensions import db
from facilitator.models import Facilitator
from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parent.parent


def test_password_is_hashed_and_wrong_password_refused(app, client, facilitator):
    """Sign-up stores a hash, sign-in checks it, sign-out ends access."""
    with app.app_context():
        user = db.session.scalars(db.select(Facilitator)).one()
        assert "salasana123" not in user.password_hash
    client.post("/auth/logout", data={"csrf_token": facilitator.csrf})
    assert client.get("/sessions").status_code == 302
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    wrong = client.post(
        "/auth/login",
        data={"email": "fasilitaattori@example.fi", "password": "väärä", "csrf_token": token},
    )
    assert wrong.status_code == 400
    right = client.post(
        "/auth/login",
        data={"email": "FASILITAATTORI@example.fi", "password": "salasana123", "csrf_token": token},
    )
    assert right.status_code == 302
    assert client.get("/sessions").status_code == 200


def test_duplicate_email_signup_makes_no_second_account(app, facilitator):
    """A sign-up with a taken email answers like any sign-up and changes nothing."""
    other = app.test_client()
    token = csrf_from(other.get("/auth/signup").get_data(as_text=True))
    r = other.post(
        "/auth/signup",
        data={
            "name": "X",
            "email": "fasilitaattori@example.fi",
            "password": "salasana123",
            "password2": "salasana123",
            "csrf_token": token,
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/auth/login")
    with app.app_context():
        assert [u.name for u in db.session.scalars(db.select(Facilitator))] == ["Fasi"]


def test_api_requires_auth_and_csrf(app, facilitator):
    """No cookie: 401. Cookie without CSRF header on a write: 403."""
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/sessions").status_code == 401
    r = facilitator.client.post(
        "/api/v1/sessions", json={"model_id": "keep-change-give-up", "title": "x"}
    )
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "csrf_failed"


def test_personal_api_token_works_and_can_be_revoked(app, facilitator):
    """A token made on the account page drives the API without a cookie."""
    page = facilitator.client.post(
        "/account", data={"name": "Raportointi", "csrf_token": facilitator.csrf}
    )
    token = re.search(r"fa_[A-Za-z0-9_-]{20,}", page.get_data(as_text=True)).group(0)
    bare = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    created = bare.post(
        "/api/v1/sessions", json={"model_id": "sytyttaja", "title": "API"}, headers=headers
    )
    assert created.status_code == 201
    sid = created.get_json()["id"]
    assert bare.post(f"/api/v1/sessions/{sid}/start", headers=headers).status_code == 200
    listed = bare.get("/api/v1/sessions?status=live", headers=headers).get_json()["sessions"]
    assert [s["id"] for s in listed] == [sid]
    assert (
        bare.get("/api/v1/sessions", headers={"Authorization": "Bearer fa_wrong"}).status_code
        == 401
    )
    with app.app_context():
        from facilitator.models import ApiToken

        token_id = db.session.scalars(db.select(ApiToken)).one().id
    facilitator.client.post("/account", data={"delete": token_id, "csrf_token": facilitator.csrf})
    assert bare.get("/api/v1/sessions", headers=headers).status_code == 401


def test_api_rejects_malformed_bodies_with_translated_error(facilitator):
    """Bad JSON bodies get 422 with code and a message; unknown templates too."""
    session = facilitator.create_session()
    for path, body in [
        ("/sessions", {"model_id": "nope", "title": "x"}),
        ("/sessions", {"title": 5}),
        (f"/sessions/{session['id']}/phase", {"to": "sideways"}),
        (f"/sessions/{session['id']}/timer", {"action": "extend", "seconds": -5}),
        (
            f"/sessions/{session['id']}/actions",
            {"what": "x", "due": "31.12.2026", "client_id": uuid.uuid4().hex},
        ),
    ]:
        r = facilitator.api("POST", path, body)
        assert r.status_code == 422, (path, r.get_json())
        assert r.get_json()["error"]["message"]
    r = facilitator.client.post(
        f"/api/v1/sessions/{session['id']}/phase",
        data="not json",
        headers={"X-CSRFToken": facilitator.csrf, "Content-Type": "application/json"},
    )
    assert r.status_code == 422


def test_phase_control_refuses_illegal_moves(facilitator):
    """Moving before start, past the end, or restarting is refused with 409."""
    session = facilitator.create_session()
    sid = session["id"]
    r = facilitator.api("POST", f"/sessions/{sid}/phase", {"to": "next"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "session_not_started"
    assert facilitator.api("POST", f"/sessions/{sid}/start").status_code == 200
    assert facilitator.api("POST", f"/sessions/{sid}/start").status_code == 409
    assert facilitator.api("POST", f"/sessions/{sid}/phase", {"to": "prev"}).status_code == 409
    assert facilitator.api("POST", f"/sessions/{sid}/phase", {"to": 99}).status_code == 409
    state = facilitator.api("POST", f"/sessions/{sid}/phase", {"to": "next"}).get_json()
    assert state["phase"]["index"] == 1
    assert facilitator.api("POST", f"/sessions/{sid}/close").status_code == 200
    assert facilitator.api("POST", f"/sessions/{sid}/phase", {"to": "next"}).status_code == 409


def test_timer_start_pause_extend(facilitator, phone_factory):
    """The timer runs, pauses at what is left, and extends; phones get each change."""
    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(session["id"], "ideas")
    planned = state["phase"]["minutes"] * 60
    assert state["timer"] == {**state["timer"], "state": "stopped", "remaining": planned}
    phone.received()
    started = facilitator.api(
        "POST", f"/sessions/{session['id']}/timer", {"action": "start"}
    ).get_json()["timer"]
    assert started["state"] == "running" and started["ends_at"]
    assert phone.received("timer")[-1]["args"][0]["state"] == "running"
    paused = facilitator.api(
        "POST", f"/sessions/{session['id']}/timer", {"action": "pause"}
    ).get_json()["timer"]
    assert paused["state"] == "paused" and planned - 2 <= paused["remaining"] <= planned
    extended = facilitator.api(
        "POST", f"/sessions/{session['id']}/timer", {"action": "extend", "seconds": 300}
    ).get_json()["timer"]
    assert extended["remaining"] == paused["remaining"] + 300
    assert extended["duration"] == planned + 300


def test_sessions_page_lists_by_status(facilitator):
    """The dashboard lists upcoming, live and closed sessions."""
    upcoming = facilitator.create_session(title="Tuleva työpaja")
    live = facilitator.create_session(title="Käynnissä oleva")
    closed = facilitator.create_session(title="Päättynyt työpaja")
    facilitator.api("POST", f"/sessions/{live['id']}/start")
    facilitator.api("POST", f"/sessions/{closed['id']}/start")
    facilitator.api("POST", f"/sessions/{closed['id']}/close")
    html = facilitator.client.get("/sessions").get_data(as_text=True)
    for s in (upcoming, live, closed):
        assert s["join_code"] in html or "Tuleva" in html
    assert html.index("Käynnissä oleva") < html.index("Päättynyt työpaja")


def test_join_code_is_short_and_unambiguous(facilitator):
    """Join codes are six characters without look-alikes like 0/O and 1/I."""
    codes = {facilitator.create_session(title=f"S{n}")["join_code"] for n in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)


def test_join_by_typed_code_tolerates_case_and_spaces(client, facilitator):
    """A code typed as 'abc 234' finds the session; a wrong code gets a friendly 404."""
    session = facilitator.create_session()
    code = session["join_code"]
    typed = f"{code[:3].lower()} {code[3:]}"
    r = client.get("/join", query_string={"code": typed})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/j/{code}")
    r = client.get("/join", query_string={"code": "ZZZZZZ"})
    assert r.status_code == 404
    assert "Traceback" not in r.get_data(as_text=True)


def test_join_code_guessing_is_slowed_down(app, client):
    """Many wrong codes from one address get 429."""
    app.config["JOIN_ATTEMPTS_PER_MINUTE"] = 5
    statuses = [client.get(f"/j/ZZZZZ{n}").status_code for n in range(7)]
    assert statuses[:5] == [404] * 5
    assert statuses[-1] == 429


def test_qr_code_is_svg_for_the_join_url(facilitator):
    """The projector's QR code is an SVG image."""
    session = facilitator.create_session()
    r = facilitator.client.get(f"/sessions/{session['id']}/qr.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert b"<svg" in r.data and b"<path" in r.data


def test_check_models_command(tmp_path):
    """`check-models` passes on the shipped templates and fails on a broken one."""
    ok = subprocess.run(
        [sys.executable, "-m", "facilitator", "check-models"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "broken.yaml").write_text(
        "id: broken\nversion: 1\ntitle: X\ndescription: Y\nphases: []\n"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "facilitator", "check-models", "--models-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert "broken.yaml" in bad.stdout and "phases" in bad.stdout


def test_markdown_export_escapes_participant_text(facilitator, phone_factory):
    """Idea text with Markdown or HTML stays text in the export and the print view."""
    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(session["id"], "ideas")
    column = state["phase"]["settings"]["columns"][0]["id"]
    phone.add_idea("<script>alert(1)</script> **lihava** [linkki](javascript:alert(1))", column)
    html = facilitator.client.get(f"/sessions/{session['id']}/export").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    md = facilitator.api("GET", f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    assert r"\*\*lihava\*\*" in md


def test_action_update_changes_only_given_fields(facilitator, phone_factory):
    """A team marking an action done keeps what, who and dates as they were."""
    session = facilitator.create_session()
    facilitator.go_to(session["id"], "actions")
    client_id = uuid.uuid4().hex
    body = {
        "client_id": client_id,
        "what": "Perehdytyskansio ajan tasalle",
        "who": "Anna ja Pekka",
        "due": "2027-02-01",
        "first_step": "Kootaan vanhat ohjeet",
        "follow_up": "2027-02-15",
    }
    created = facilitator.api("POST", f"/sessions/{session['id']}/actions", body)
    again = facilitator.api("POST", f"/sessions/{session['id']}/actions", body)
    assert created.get_json()["action"]["id"] == again.get_json()["action"]["id"]
    action_id = created.get_json()["action"]["id"]
    r = facilitator.api(
        "PATCH", f"/sessions/{session['id']}/actions/{action_id}", {"status": "done"}
    )
    assert r.status_code == 200
    action = r.get_json()["action"]
    assert action["status"] == "done"
    assert (action["what"], action["who"], action["due"]) == (
        body["what"],
        body["who"],
        "2027-02-01",
    )
    bad = facilitator.api(
        "PATCH", f"/sessions/{session['id']}/actions/{action_id}", {"due": "1.2.2027"}
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "bad_date"
    state = facilitator.api("GET", f"/sessions/{session['id']}").get_json()
    assert len(state["actions"]) == 1


def test_idea_cannot_go_under_a_theme_of_another_phase(facilitator, phone_factory):
    """Themes of the sytyttaja group phase group only the ideas of that phase's source."""
    session = facilitator.create_session("sytyttaja", "S")
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(session["id"], "ideas")  # "what gives energy": not grouped
    idea = phone.add_idea("Hyvä porukka")["idea"]
    state = facilitator.go_to(session["id"], "group")
    theme = facilitator.api(
        "POST",
        f"/sessions/{session['id']}/themes",
        {"title": "Teema", "phase_id": state["phase"]["id"]},
    ).get_json()["theme"]
    r = facilitator.api(
        "PATCH", f"/sessions/{session['id']}/ideas/{idea['id']}", {"theme_id": theme["id"]}
    )
    assert r.status_code == 422


def test_pages_forbid_inline_scripts_and_framing(client):
    """Every page carries a strict content security policy."""
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_idea_patch_is_all_or_nothing(facilitator, phone_factory):
    """A patch with a bad theme changes nothing, not even the valid part."""
    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    state = facilitator.go_to(session["id"], "ideas")
    column = state["phase"]["settings"]["columns"][0]["id"]
    idea = phone.add_idea("Ei piiloon", column)["idea"]
    path = f"/sessions/{session['id']}/ideas/{idea['id']}"
    assert facilitator.api("PATCH", path, {"hidden": True, "theme_id": 999999}).status_code == 404
    state = facilitator.api("GET", f"/sessions/{session['id']}").get_json()
    assert state["ideas"][0]["hidden"] is False


def test_action_dates_must_be_iso_strings(facilitator):
    """A number or a timestamp is not a date."""
    session = facilitator.create_session()
    for due in (0, "2027-01-31T00:00:00", "31.1.2027"):
        body = {"client_id": uuid.uuid4().hex, "what": "x", "due": due}
        r = facilitator.api("POST", f"/sessions/{session['id']}/actions", body)
        assert r.status_code == 422 and r.get_json()["error"]["code"] == "bad_date", due
