"""Managing sessions and the account: rename, duplicate, reopen, delete, profile, password."""

from __future__ import annotations

import io
import re
import uuid

from sqlalchemy import func, select

from facilitator import operations as ops
from facilitator.__main__ import main as cli_main
from facilitator.extensions import db
from facilitator.models import Facilitator, Workshop
from tests.conftest import FacilitatorClient, csrf_from

EMAIL = "fasilitaattori@example.fi"
PASSWORD = "salasana123"


def filled_session(facilitator, phone_factory) -> tuple[dict, list]:
    """Return a sytyttaja session with ratings, ideas, a theme, a merge, votes and an action."""
    session = facilitator.create_session("sytyttaja", "Sytyttäjä osasto 3")
    sid = session["id"]
    phones = [phone_factory(session["join_code"]) for _ in range(2)]
    facilitator.go_to(sid, "rate")
    for n, phone in enumerate(phones):
        ack = phone.emit(
            "rate.set", {"client_id": uuid.uuid4().hex, "statement": "core-task", "value": 3 + n}
        )
        assert ack["ok"], ack
    state = facilitator.go_to(sid, "ideas")
    ideas = [phone.add_idea(f"Idea {n}")["idea"]["id"] for n, phone in enumerate(phones)]
    assert phones[0].add_idea("Kolmas idea")["ok"]
    group = next(p for p in state["phases"] if p["kind"] == "group")
    facilitator.api("POST", f"/sessions/{sid}/phase", {"to": group["index"]})
    theme = facilitator.api(
        "POST", f"/sessions/{sid}/themes", {"title": "Oma teema", "phase_id": group["id"]}
    ).get_json()["theme"]
    facilitator.api("PATCH", f"/sessions/{sid}/ideas/{ideas[0]}", {"theme_id": theme["id"]})
    facilitator.api("POST", f"/sessions/{sid}/ideas/{ideas[1]}/merge", {"into": ideas[0]})
    state = facilitator.go_to(sid, "vote")
    key = state["vote"]["items"][0]["key"]
    for phone in phones:
        ack = phone.emit("vote.set", {"client_id": uuid.uuid4().hex, "item": key, "count": 1})
        assert ack["ok"], ack
    action = facilitator.api(
        "POST", f"/sessions/{sid}/actions", {"client_id": uuid.uuid4().hex, "what": "Kokeillaan"}
    )
    assert action.status_code == 201
    return session, phones


def row_counts(app) -> dict[str, int]:
    """Return the number of rows in every table of the schema."""
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def session_rows(app, session_id: int) -> dict[str, int]:
    """Return how many rows of every table belong to one session."""
    with app.app_context():
        counts = {}
        for table in db.metadata.sorted_tables:
            column = table.c.get("workshop_id")
            if column is None and table.name == "workshop":
                column = table.c.id
            if column is not None:
                query = select(func.count()).select_from(table).where(column == session_id)
                counts[table.name] = db.session.scalar(query)
        return counts


def page_post(facilitator, path: str, data: dict | None = None):
    """Post a dashboard form with the page's CSRF token."""
    return facilitator.client.post(path, data={"csrf_token": facilitator.csrf, **(data or {})})


def use_english(client):
    """Pick English so messages are the source text whatever the catalogues hold."""
    client.get("/lang/en")


# --- rename ---------------------------------------------------------------------


def test_rename_through_api_and_page_reaches_phones(facilitator, phone_factory):
    """Title and team change; limits are those of a new session; phones see the new title."""
    use_english(facilitator.client)
    session = facilitator.create_session()
    sid = session["id"]
    phone = phone_factory(session["join_code"])
    phone.received()
    r = facilitator.api("PATCH", f"/sessions/{sid}", {"title": "  Uusi nimi ", "team_name": "T2"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["title"], r.get_json()["team"]) == ("Uusi nimi", "T2")
    assert phone.received("phase")
    assert phone.emit("sync", {})["state"]["session"]["title"] == "Uusi nimi"

    # Only the team: the title stays.
    r = facilitator.api("PATCH", f"/sessions/{sid}", {"team_name": ""})
    assert (r.get_json()["title"], r.get_json()["team"]) == ("Uusi nimi", "")

    too_long = facilitator.api("PATCH", f"/sessions/{sid}", {"title": "x" * 201})
    assert too_long.status_code == 422
    assert too_long.get_json()["error"]["code"] == "invalid"
    blank = facilitator.api("PATCH", f"/sessions/{sid}", {"title": "   "})
    assert blank.status_code == 422
    assert blank.get_json()["error"]["code"] == "empty"
    for bad in ({}, {"title": None}, {"title": "A", "language": "sv"}):
        assert facilitator.api("PATCH", f"/sessions/{sid}", bad).status_code == 422

    form = facilitator.client.get(f"/sessions/{sid}/edit").get_data(as_text=True)
    assert 'value="Uusi nimi"' in form
    r = page_post(facilitator, f"/sessions/{sid}/edit", {"title": "Sivulta", "team_name": "T3"})
    assert r.status_code == 302
    r = page_post(facilitator, f"/sessions/{sid}/edit", {"title": "y" * 201, "team_name": ""})
    assert r.status_code == 400
    assert "Field cannot be longer than 200 characters." in r.get_data(as_text=True)
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    assert (state["session"]["title"], state["session"]["team"]) == ("Sivulta", "T3")


# --- duplicate ------------------------------------------------------------------


def test_duplicate_copies_template_and_settings_but_no_content(app, facilitator, phone_factory):
    """A copy has a new code, the same phases and themes from the template, and nothing else."""
    use_english(facilitator.client)
    original, _ = filled_session(facilitator, phone_factory)
    facilitator.api("POST", f"/sessions/{original['id']}/close")
    r = facilitator.api("POST", f"/sessions/{original['id']}/duplicate")
    assert r.status_code == 201, r.get_json()
    copy = r.get_json()
    assert copy["id"] != original["id"]
    assert copy["join_code"] != original["join_code"]
    assert copy["status"] == "upcoming"
    assert copy["title"] == "Sytyttäjä osasto 3 (copy)"
    assert (copy["team"], copy["language"], copy["template"]) == (
        original["team"],
        original["language"],
        original["template"],
    )
    state = facilitator.api("GET", f"/sessions/{copy['id']}").get_json()
    source = facilitator.api("GET", f"/sessions/{original['id']}").get_json()
    assert state["phases"] == source["phases"]
    assert state["ideas"] == [] and state["actions"] == []
    assert state["participants"]["joined"] == 0
    rows = session_rows(app, copy["id"])
    assert rows["idea"] == rows["vote"] == rows["rating"] == rows["action"] == 0
    assert rows["participant"] == 0
    with app.app_context():
        a, b = db.session.get(Workshop, original["id"]), db.session.get(Workshop, copy["id"])
        assert a.model_snapshot == b.model_snapshot
        # Only the template's suggested themes, not the one made in the original.
        suggested = ops.workshop_model(b).phases
    titles = {t["title"] for t in facilitator.go_to(copy["id"], "group")["themes"]}
    assert "Oma teema" not in titles
    assert len(titles) == sum(len(p.settings.themes) for p in suggested if p.kind == "group")

    named = facilitator.api("POST", f"/sessions/{original['id']}/duplicate", {"title": "Syksy"})
    assert named.get_json()["title"] == "Syksy"
    assert facilitator.api("POST", f"/sessions/{original['id']}/duplicate", [1]).status_code == 422

    # A long title is cut so the copy still fits the 200-character limit.
    long = facilitator.create_session(title="p" * 200)
    copied = facilitator.api("POST", f"/sessions/{long['id']}/duplicate").get_json()
    assert len(copied["title"]) <= 200 and copied["title"].endswith(" (copy)")

    # The page button does the same and lists the copy.
    r = page_post(facilitator, f"/sessions/{original['id']}/duplicate")
    assert r.status_code == 302
    listing = facilitator.client.get("/sessions").get_data(as_text=True)
    assert "A copy was made: Sytyttäjä osasto 3 (copy)." in listing


# --- reopen ---------------------------------------------------------------------


def test_reopen_brings_a_closed_session_back_with_input_closed(app, facilitator, phone_factory):
    """Closed -> live in the same phase, input closed; refused from upcoming and live."""
    use_english(facilitator.client)
    session = facilitator.create_session()
    sid = session["id"]
    early = facilitator.api("POST", f"/sessions/{sid}/reopen")
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "session_not_started"
    state = facilitator.go_to(sid, "ideas")
    live = facilitator.api("POST", f"/sessions/{sid}/reopen")
    assert live.status_code == 409
    assert live.get_json()["error"]["code"] == "session_not_closed"
    assert live.get_json()["error"]["message"] == "Only a closed session can be reopened."

    phone = phone_factory(session["join_code"])
    assert phone.add_idea("Ennen sulkemista", "keep")["ok"]
    facilitator.api("POST", f"/sessions/{sid}/close")
    phone.received()
    r = facilitator.api("POST", f"/sessions/{sid}/reopen")
    assert r.status_code == 200, r.get_json()
    reopened = r.get_json()
    assert reopened["session"]["status"] == "live"
    assert reopened["phase"]["index"] == state["phase"]["index"]
    assert reopened["phase"]["input_open"] is False
    assert reopened["timer"]["state"] == "stopped"
    assert phone.received("phase")
    assert phone.add_idea("Korjaus", "keep")["error"]["code"] == "phase_closed"
    # The facilitator can open input for the correction and close again.
    facilitator.api("POST", f"/sessions/{sid}/input", {"open": True})
    assert phone.add_idea("Korjaus", "keep")["ok"]
    assert facilitator.api("POST", f"/sessions/{sid}/close").status_code == 200

    r = page_post(facilitator, f"/sessions/{sid}/reopen")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/sessions/{sid}")
    r = page_post(facilitator, f"/sessions/{sid}/reopen")
    assert r.status_code == 302
    listing = facilitator.client.get("/sessions").get_data(as_text=True)
    assert "Only a closed session can be reopened." in listing

    # Long closed, its code retired and taken by another session: reopening gives a new one.
    facilitator.api("POST", f"/sessions/{sid}/close")
    with app.app_context():
        db.session.get(Workshop, sid).join_code = f"~{sid}"
        db.session.commit()
    code = facilitator.api("POST", f"/sessions/{sid}/reopen").get_json()["session"]["join_code"]
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    assert phone_factory(code).join_ack["ok"]


# --- delete ---------------------------------------------------------------------


def test_delete_confirmation_lists_what_is_lost_and_removes_every_row(
    app, facilitator, phone_factory
):
    """The page counts the content; deleting removes every row of the session, only those."""
    use_english(facilitator.client)
    keep = facilitator.create_session(title="Tämä jää")
    facilitator.go_to(keep["id"], "ideas")
    assert phone_factory(keep["join_code"]).add_idea("Pysyy", "keep")["ok"]
    doomed, _ = filled_session(facilitator, phone_factory)
    sid = doomed["id"]

    themes = session_rows(app, sid)["theme"]  # the template's suggestions and one more
    page = facilitator.client.get(f"/sessions/{sid}/delete")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))
    for expected in (
        "3 ideas",  # a merged idea is still an idea that would be lost
        f"{themes} themes",
        "2 votes",
        "2 ratings",
        "1 agreed action",
        "2 participants",
        "Deleting cannot be undone.",
    ):
        assert expected in text, expected

    before, owned = row_counts(app), session_rows(app, sid)
    assert all(owned[name] > 0 for name in ("idea", "vote", "rating", "action", "participant"))
    r = page_post(facilitator, f"/sessions/{sid}/delete")
    assert r.status_code == 302
    after = row_counts(app)
    for table, count in before.items():
        assert after[table] == count - owned.get(table, 0), table
    assert all(count == 0 for count in session_rows(app, sid).values())
    assert session_rows(app, keep["id"])["idea"] == 1
    assert facilitator.api("GET", f"/sessions/{sid}").status_code == 404
    assert "The session Sytyttäjä osasto 3 was deleted." in facilitator.client.get(
        "/sessions"
    ).get_data(as_text=True)
    assert facilitator.client.get(f"/j/{doomed['join_code']}").status_code == 404


def test_delete_through_api_answers_counts(app, facilitator, phone_factory):
    """DELETE answers what was removed; the session is gone afterwards."""
    session, _ = filled_session(facilitator, phone_factory)
    themes = session_rows(app, session["id"])["theme"]
    r = facilitator.api("DELETE", f"/sessions/{session['id']}")
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {
        "deleted": {
            "id": session["id"],
            "ideas": 3,
            "themes": themes,
            "votes": 2,
            "ratings": 2,
            "actions": 1,
            "participants": 2,
        }
    }
    assert all(count == 0 for count in session_rows(app, session["id"]).values())
    assert facilitator.api("DELETE", f"/sessions/{session['id']}").status_code == 404


def test_screens_of_a_deleted_session_are_told_it_is_gone(
    app, facilitator, phone_factory, socket_client
):
    """Phones and the projector get `session.deleted`; rejoining finds no session."""
    session = facilitator.create_session()
    facilitator.go_to(session["id"], "ideas")
    phone = phone_factory(session["join_code"])
    projector = socket_client.emit(
        "join", {"role": "projector", "session_id": session["id"]}, callback=True
    )
    assert projector["ok"]
    phone.received()
    socket_client.get_received()
    assert facilitator.api("DELETE", f"/sessions/{session['id']}").status_code == 200
    for events in (phone.received("session.deleted"), socket_client.get_received()):
        notice = [e for e in events if e["name"] == "session.deleted"]
        assert len(notice) == 1
        assert notice[0]["args"][0]["error"]["code"] == "session_deleted"
        assert notice[0]["args"][0]["error"]["message"]
    # The socket is no longer in the session: writes and rejoining are refused.
    assert phone.add_idea("Myöhässä", "keep")["error"]["code"] == "not_joined"
    again = phone.emit("join", {"role": "participant", "code": session["join_code"]})
    assert again["error"]["code"] == "session_not_found"


# --- access ---------------------------------------------------------------------


def test_only_the_owner_can_manage_a_session(app, facilitator):
    """Another facilitator gets 404 everywhere; nothing changes."""
    session = facilitator.create_session()
    sid = session["id"]
    other = FacilitatorClient(app, app.test_client(), email="toinen@example.fi")
    assert other.api("PATCH", f"/sessions/{sid}", {"title": "Kaapattu"}).status_code == 404
    assert other.api("POST", f"/sessions/{sid}/duplicate").status_code == 404
    assert other.api("POST", f"/sessions/{sid}/reopen").status_code == 404
    assert other.api("DELETE", f"/sessions/{sid}").status_code == 404
    for path in (f"/sessions/{sid}/edit", f"/sessions/{sid}/delete"):
        assert other.client.get(path).status_code == 404
    for path in ("edit", "duplicate", "reopen", "delete"):
        r = page_post(other, f"/sessions/{sid}/{path}", {"title": "Kaapattu"})
        assert r.status_code == 404, path
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    assert state["session"]["title"] == session["title"]
    assert len(facilitator.api("GET", "/sessions").get_json()["sessions"]) == 1
    anonymous = app.test_client()
    assert anonymous.get(f"/sessions/{sid}/delete").status_code == 302
    assert anonymous.delete(f"/api/v1/sessions/{sid}").status_code == 401


def test_session_changes_need_the_csrf_token(app, facilitator):
    """Forms without the token and API writes without the header change nothing."""
    session = facilitator.create_session()
    sid = session["id"]
    client = facilitator.client
    for path in ("edit", "duplicate", "reopen", "delete"):
        r = client.post(f"/sessions/{sid}/{path}", data={"title": "Ilman tokenia"})
        assert r.status_code == 400, path
    for method, path in (
        ("PATCH", ""),
        ("POST", "/duplicate"),
        ("POST", "/reopen"),
        ("DELETE", ""),
    ):
        r = client.open(f"/api/v1/sessions/{sid}{path}", method=method, json={"title": "X"})
        assert r.status_code == 403, path
        assert r.get_json()["error"]["code"] == "csrf_failed"
    sessions = facilitator.api("GET", "/sessions").get_json()["sessions"]
    assert [(s["id"], s["title"]) for s in sessions] == [(sid, session["title"])]


# --- account --------------------------------------------------------------------


def test_account_name_and_language_change(app, facilitator):
    """The name and interface language are saved; pages follow the new language."""
    client = facilitator.client
    r = client.post(
        "/account/profile",
        data={
            "profile-csrf_token": facilitator.csrf,
            "profile-name": "Uusi Nimi",
            "profile-language": "sv",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(Facilitator))
        assert (user.name, user.language) == ("Uusi Nimi", "sv")
    page = client.get("/account").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Uusi Nimi" in page
    bad = client.post(
        "/account/profile",
        data={"profile-csrf_token": facilitator.csrf, "profile-name": "", "profile-language": "de"},
    )
    assert bad.status_code == 400
    assert 'id="error-summary"' in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Facilitator.language)) == "sv"


def sign_in(app, password: str = PASSWORD):
    """Return a second browser signed in to the facilitator's account."""
    browser = app.test_client()
    token = csrf_from(browser.get("/auth/login").get_data(as_text=True))
    r = browser.post(
        "/auth/login", data={"email": EMAIL, "password": password, "csrf_token": token}
    )
    assert r.status_code == 302
    assert browser.get("/sessions").status_code == 200
    return browser


def test_password_change_needs_the_current_password(app, client, facilitator):
    """A wrong current password is refused with a message; the new one then signs in;
    other browsers of the account are signed out, this one stays."""
    use_english(client)
    other_browser = sign_in(app)

    def change(current, new, new2=None):
        return client.post(
            "/account/password",
            data={
                "password-csrf_token": facilitator.csrf,
                "password-current_password": current,
                "password-new_password": new,
                "password-new_password2": new2 or new,
            },
        )

    wrong = change("väärä salasana", "uusisalasana1")
    assert wrong.status_code == 400
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    short = change(PASSWORD, "lyhyt")
    assert short.status_code == 400
    assert "At least 10 characters." in short.get_data(as_text=True)
    mismatch = change(PASSWORD, "uusisalasana1", "uusisalasana2")
    assert "The passwords do not match." in mismatch.get_data(as_text=True)
    assert client.post("/account/password", data={}).status_code == 400
    assert other_browser.get("/sessions").status_code == 200
    assert change(PASSWORD, "uusisalasana1").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Your password was changed." in page
    assert "Other browsers signed in to your account were signed out." in page
    assert other_browser.get("/sessions").status_code == 302
    with app.app_context():
        assert ops.authenticate(EMAIL, "uusisalasana1") is not None
        assert ops.authenticate(EMAIL, PASSWORD) is None


# --- command line -----------------------------------------------------------------


def test_reset_password_command(app, facilitator, database_url, monkeypatch, capsys):
    """`reset-password EMAIL` sets a password from stdin or generates one; unknown email: 1."""
    monkeypatch.setattr("sys.stdin", io.StringIO("komentorivilta1\n"))
    code = cli_main(
        ["reset-password", EMAIL.upper(), "--password-stdin", "--database-url", database_url]
    )
    assert code == 0
    assert "was changed" in capsys.readouterr().err
    # A reset ends every sign-in of the account.
    assert facilitator.client.get("/sessions").status_code == 302
    with app.app_context():
        assert ops.authenticate(EMAIL, "komentorivilta1") is not None

    monkeypatch.setattr("sys.stdin", io.StringIO("liian\n"))
    assert (
        cli_main(["--database-url", database_url, "reset-password", EMAIL, "--password-stdin"]) == 1
    )
    assert "10 to 200 characters" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("jokinsalasana1\n"))
    unknown = ["reset-password", "ei@example.fi", "--password-stdin"]
    assert cli_main([*unknown, "--database-url", database_url]) == 1
    assert "no account with the email ei@example.fi" in capsys.readouterr().err

    assert cli_main(["reset-password", EMAIL, "--generate", "--database-url", database_url]) == 0
    generated = capsys.readouterr().out.strip()
    assert len(generated) >= 10
    with app.app_context():
        assert ops.authenticate(EMAIL, generated) is not None
        assert ops.authenticate(EMAIL, "komentorivilta1") is None

    prompts = iter(["salasana-yksi1", "salasana-kaksi"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(prompts))
    assert cli_main(["reset-password", EMAIL, "--database-url", database_url]) == 1
    assert "do not match" in capsys.readouterr().err
