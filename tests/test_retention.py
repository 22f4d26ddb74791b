"""Retention: deleting an account, and unlinking participants after a session closed.

Runs on SQLite and PostgreSQL (the `backend` parametrisation of the app fixture).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from facilitator import operations as ops
from facilitator.__main__ import main as cli_main
from facilitator.extensions import db
from facilitator.models import Idea, Participant, Rating, Vote, Workshop, utcnow
from tests.conftest import FacilitatorClient
from tests.test_session_admin import EMAIL, PASSWORD, page_post, use_english

OTHER_EMAIL = "toinen@example.fi"


def rich_session(facilitator, phone_factory, phones=5, title="Osasto 7 kehittämispäivä"):
    """Return a sytyttaja session where `phones` phones rated, wrote, were grouped and voted.

    Five raters reach the anonymity threshold, so the distributions are in the export.
    """
    session = facilitator.create_session("sytyttaja", title)
    sid = session["id"]
    joined = [phone_factory(session["join_code"]) for _ in range(phones)]
    facilitator.go_to(sid, "rate")
    for n, phone in enumerate(joined):
        for statement in ("core-task", "workload"):
            ack = phone.emit(
                "rate.set",
                {"client_id": uuid.uuid4().hex, "statement": statement, "value": 1 + n % 5},
            )
            assert ack["ok"], ack
    state = facilitator.go_to(sid, "ideas")
    ideas = []
    for n, phone in enumerate(joined):
        ack = phone.add_idea(f"Ajatus {n}: vuorolistat ajoissa")
        assert ack["ok"], ack
        ideas.append(ack["idea"]["id"])
    assert joined[0].add_idea("Toinen ajatus samalta")["ok"]
    regret = joined[1].add_idea("Kirjoitin tämän ja poistin")["idea"]["id"]
    assert joined[1].emit("idea.delete", {"id": regret})["ok"]
    group = next(p for p in state["phases"] if p["kind"] == "group")
    facilitator.api("POST", f"/sessions/{sid}/phase", {"to": group["index"]})
    theme = facilitator.api(
        "POST", f"/sessions/{sid}/themes", {"title": "Työvuorot", "phase_id": group["id"]}
    ).get_json()["theme"]
    facilitator.api("PATCH", f"/sessions/{sid}/ideas/{ideas[0]}", {"theme_id": theme["id"]})
    facilitator.api("POST", f"/sessions/{sid}/ideas/{ideas[1]}/merge", {"into": ideas[0]})
    state = facilitator.go_to(sid, "vote")
    keys = [item["key"] for item in state["vote"]["items"]]
    for n, phone in enumerate(joined[:-1]):  # one phone does not vote: voters < participants
        ack = phone.emit(
            "vote.set", {"client_id": uuid.uuid4().hex, "item": keys[n % len(keys)], "count": 1}
        )
        assert ack["ok"], ack
    action = facilitator.api(
        "POST", f"/sessions/{sid}/actions", {"client_id": uuid.uuid4().hex, "what": "Kokeillaan"}
    )
    assert action.status_code == 201
    return session, joined


def close_days_ago(app, session_id: int, days: float) -> None:
    """Close a session (if live) and move its closing time `days` into the past."""
    with app.app_context():
        workshop = db.session.get(Workshop, session_id)
        if workshop.closed_at is None:
            ops.close_workshop(workshop)
        db.session.execute(
            update(Workshop)
            .where(Workshop.id == session_id)
            .values(closed_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()


def linked_rows(app, session_id: int) -> dict[str, int]:
    """Return the session's participant rows and content rows still pointing at one."""
    with app.app_context():
        counts = {
            "participant": db.session.scalar(
                select(func.count(Participant.id)).where(Participant.workshop_id == session_id)
            )
        }
        for name, table in (("idea", Idea), ("vote", Vote), ("rating", Rating)):
            counts[name] = db.session.scalar(
                select(func.count(table.id)).where(
                    table.workshop_id == session_id, table.participant_id.is_not(None)
                )
            )
        return counts


def still_pointing_at_participants(app) -> dict[str, int]:
    """Return, for every column of any table that refers to a participant, its non-empty rows."""
    with app.app_context():
        found = {}
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "participant" for fk in column.foreign_keys):
                    n = db.session.scalar(
                        select(func.count()).select_from(table).where(column.is_not(None))
                    )
                    if n:
                        found[f"{table.name}.{column.name}"] = n
        return found


def content_rows(app, session_id: int) -> dict[str, int]:
    """Return how many ideas, votes and ratings the session holds, linked or not."""
    with app.app_context():
        return {
            table.__tablename__: db.session.scalar(
                select(func.count(table.id)).where(table.workshop_id == session_id)
            )
            for table in (Idea, Vote, Rating)
        }


def exports(facilitator, session_id: int) -> dict:
    """Return the session's exports as bytes, and its control-view state without clocks."""
    state = facilitator.api("GET", f"/sessions/{session_id}").get_json()
    state.pop("server_time")
    state["timer"].pop("server_time")
    return {
        "json": facilitator.client.get(f"/sessions/{session_id}/export.json").get_data(),
        "md": facilitator.client.get(f"/sessions/{session_id}/export.md").get_data(),
        "api": facilitator.api("GET", f"/sessions/{session_id}/export.json").get_data(),
        # The printable summary; the rest of the page holds a CSRF token that changes.
        "page": re.search(
            r"<article.*</article>",
            facilitator.client.get(f"/sessions/{session_id}/export").get_data(as_text=True),
            re.S,
        ).group(0),
        "state": state,
    }


# --- deleting an account ------------------------------------------------------------


def frozen(row) -> tuple:
    """Return a row as a hashable tuple (JSON columns hold dicts)."""
    return tuple(json.dumps(value, sort_keys=True, default=str) for value in row)


def all_rows(app) -> dict[str, set[tuple]]:
    """Return every row of every table."""
    with app.app_context():
        return {
            table.name: {frozen(row) for row in db.session.execute(select(table))}
            for table in db.metadata.sorted_tables
        }


def owner_of(app) -> dict[str, dict[tuple, int]]:
    """Return, per table, which facilitator each row belongs to."""
    with app.app_context():
        sessions = dict(db.session.execute(select(Workshop.id, Workshop.facilitator_id)).all())
        owners: dict[str, dict[tuple, int]] = {}
        for table in db.metadata.sorted_tables:
            rows = {}
            for row in db.session.execute(select(table)):
                data = row._mapping
                if table.name == "facilitator":
                    rows[frozen(row)] = data["id"]
                elif "facilitator_id" in data:
                    rows[frozen(row)] = data["facilitator_id"]
                else:
                    rows[frozen(row)] = sessions[data["workshop_id"]]
            owners[table.name] = rows
        return owners


def test_deleting_an_account_removes_all_of_it_and_nothing_of_another(
    app, facilitator, phone_factory
):
    """Sessions with their content, tokens, sign-ins and the account go; B is untouched."""
    use_english(facilitator.client)
    doomed, doomed_phones = rich_session(facilitator, phone_factory, phones=2)
    facilitator.create_session(title="Tuleva")
    made = facilitator.client.post(
        "/account", data={"csrf_token": facilitator.csrf, "name": "Raportti"}
    )
    token = re.search(r'value="(fa_[^"]+)"', made.get_data(as_text=True))
    # A second browser signed in to the same account.
    second = FacilitatorClient(app, app.test_client(), EMAIL)
    other = FacilitatorClient(app, app.test_client(), OTHER_EMAIL)
    kept, _ = rich_session(other, phone_factory, phones=2, title="Toisen istunto")
    other.client.post("/account", data={"csrf_token": other.csrf, "name": "Toisen"})

    owners = owner_of(app)
    with app.app_context():
        a_id = db.session.scalar(select(Workshop.facilitator_id).filter_by(id=doomed["id"]))
    assert {owner for rows in owners.values() for owner in rows.values()} == {a_id, a_id + 1}
    assert all(
        any(owner == a_id for owner in owners[name].values())
        for name in ("facilitator", "api_token", "login_session", "workshop", "participant")
        + ("idea", "vote", "rating", "action", "theme")
    )

    page = facilitator.client.get("/account/delete")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))
    for expected in (
        "2 sessions with everything in them",
        "1 API token",
        "2 sign-ins",
        EMAIL,
        "Deleting cannot be undone.",
    ):
        assert expected in text, expected

    r = page_post(facilitator, "/account/delete", {"password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/")

    after = all_rows(app)
    for name, rows in owners.items():
        expected = {row for row, owner in rows.items() if owner != a_id}
        assert after[name] == expected, name  # B's rows all there, unchanged; none of A's

    # Signed out in both browsers; the token and the password no longer open anything.
    assert facilitator.client.get("/sessions").status_code == 302
    assert second.client.get("/sessions").status_code == 302
    assert "Your account and everything in it were deleted." in facilitator.client.get(
        "/"
    ).get_data(as_text=True)
    assert token is not None
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert app.test_client().get("/api/v1/sessions", headers=bearer).status_code == 401
    with app.app_context():
        assert ops.authenticate(EMAIL, PASSWORD) is None
    # Phones of the deleted sessions are told; the join code is gone.
    assert doomed_phones[0].received("session.deleted")
    assert app.test_client().get(f"/j/{doomed['join_code']}").status_code == 404
    # The other facilitator carries on.
    assert other.api("GET", f"/sessions/{kept['id']}").status_code == 200


def test_deleting_an_account_needs_the_right_password(app, facilitator):
    """A wrong password deletes nothing and counts like a failed sign-in."""
    use_english(facilitator.client)
    facilitator.create_session()
    before = all_rows(app)

    r = page_post(facilitator, "/account/delete", {"password": "väärä-salasana"})
    assert r.status_code == 400
    assert "The password is wrong." in r.get_data(as_text=True)
    assert page_post(facilitator, "/account/delete", {"password": ""}).status_code == 400
    # Without the form's CSRF token nothing happens either.
    r = facilitator.client.post("/account/delete", data={"password": PASSWORD})
    assert r.status_code == 400
    assert all_rows(app) == before

    # Wrong guesses run into the sign-in back-off: then even the right password waits.
    for _ in range(app.config["LOGIN_ACCOUNT_FREE_ATTEMPTS"]):
        page_post(facilitator, "/account/delete", {"password": "arvaus-1234"})
    r = page_post(facilitator, "/account/delete", {"password": PASSWORD})
    assert r.status_code == 429
    assert "Too many attempts" in r.get_data(as_text=True)
    assert int(r.headers["Retry-After"]) > 0
    assert all_rows(app) == before
    assert facilitator.client.get("/sessions").status_code == 200


def test_account_page_links_to_deletion(facilitator):
    use_english(facilitator.client)
    page = facilitator.client.get("/account").get_data(as_text=True)
    assert 'href="/account/delete"' in page
    assert "Delete account" in page


# --- the retention purge --------------------------------------------------------------


def test_purge_unlinks_participants_and_keeps_results_byte_for_byte(
    app, facilitator, phone_factory
):
    """After the retention period no row points at a participant; exports do not change."""
    session, _ = rich_session(facilitator, phone_factory)
    sid = session["id"]
    facilitator.api("POST", f"/sessions/{sid}/close")
    close_days_ago(app, sid, app.config["RETENTION_DAYS"] + 1)
    before = exports(facilitator, sid)
    summary = facilitator.api("GET", f"/sessions/{sid}/export.json").get_json()
    # The export has what the purge must keep: participants, voters, distributions.
    assert summary["session"]["participants"] == 5
    vote = next(p for p in summary["phases"] if p["kind"] == "vote")
    assert vote["voters"] == 4
    rate = next(p for p in summary["phases"] if p["kind"] == "rate")
    assert rate["statements"][0]["distribution"] is not None
    linked, content = linked_rows(app, sid), content_rows(app, sid)
    assert linked == {"participant": 5, "idea": 7, "vote": 4, "rating": 10}

    with app.app_context():
        result = ops.purge_participants()
    assert (result.sessions, result.participants, result.deleted_ideas) == (1, 5, 1)
    assert (result.ideas, result.votes, result.ratings) == (6, 4, 10)

    assert linked_rows(app, sid) == {"participant": 0, "idea": 0, "vote": 0, "rating": 0}
    assert still_pointing_at_participants(app) == {}
    # The content stays, but for the idea its writer had deleted: that text is gone now.
    assert content_rows(app, sid) == {**content, "idea": content["idea"] - 1}
    with app.app_context():
        assert db.session.scalar(select(func.count(Idea.id)).filter_by(deleted=True)) == 0
    assert exports(facilitator, sid) == before
    sessions_page = facilitator.client.get("/sessions").get_data(as_text=True)
    assert sessions_page  # renders; the participant count comes from the same function
    with app.app_context():
        assert ops.participant_count(sid) == 5
        # A second run finds nothing left to do.
        assert ops.purge_participants().sessions == 0
    assert exports(facilitator, sid) == before


def test_purge_leaves_recent_live_and_upcoming_sessions_alone(app, facilitator, phone_factory):
    """Closed less than the period ago, live or upcoming: every link stays."""
    period = app.config["RETENTION_DAYS"]
    recent, _ = rich_session(facilitator, phone_factory, phones=2, title="Äsken suljettu")
    facilitator.api("POST", f"/sessions/{recent['id']}/close")
    close_days_ago(app, recent["id"], period - 1)
    live, _ = rich_session(facilitator, phone_factory, phones=2, title="Käynnissä")
    upcoming = facilitator.create_session(title="Tuleva")
    phone_factory(upcoming["join_code"])
    with app.app_context():
        # A live session that was closed long ago and reopened has no closing time.
        assert db.session.get(Workshop, live["id"]).closed_at is None
    untouched = {s["id"]: linked_rows(app, s["id"]) for s in (recent, live, upcoming)}
    assert untouched[recent["id"]]["participant"] == 2
    assert untouched[upcoming["id"]]["participant"] == 1
    before = {s: exports(facilitator, s) for s in untouched}

    with app.app_context():
        result = ops.purge_participants()
    assert result.sessions == result.participants == 0
    for session_id, linked in untouched.items():
        assert linked_rows(app, session_id) == linked
        assert exports(facilitator, session_id) == before[session_id]


def test_reopening_a_purged_session_keeps_its_counts(app, facilitator, phone_factory):
    """Counts include the unlinked participants; new phones add to them."""
    session, _ = rich_session(facilitator, phone_factory, phones=5)
    sid = session["id"]
    facilitator.api("POST", f"/sessions/{sid}/close")
    close_days_ago(app, sid, app.config["RETENTION_DAYS"] + 1)
    with app.app_context():
        ops.purge_participants()
    assert facilitator.api("POST", f"/sessions/{sid}/reopen").status_code == 200
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    assert state["participants"]["joined"] == 5
    assert state["vote"]["voters"] == 4
    # The phones' old tokens no longer match a participant: a phone joins as a new one.
    facilitator.api("POST", f"/sessions/{sid}/input", {"open": True})
    newcomer = phone_factory(
        facilitator.api("GET", f"/sessions/{sid}").get_json()["session"]["join_code"]
    )
    key = state["vote"]["items"][0]["key"]
    assert newcomer.emit("vote.set", {"client_id": uuid.uuid4().hex, "item": key, "count": 1})["ok"]
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    assert state["participants"]["joined"] == 6
    assert state["vote"]["voters"] == 5


def test_purge_command_reports_counts(app, facilitator, phone_factory, database_url, capsys):
    """`python -m facilitator purge` exits 0 and says what it unlinked."""
    session, _ = rich_session(facilitator, phone_factory, phones=2)
    facilitator.api("POST", f"/sessions/{session['id']}/close")
    close_days_ago(app, session["id"], 10)

    assert cli_main(["purge", "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "more than 30 days ago: 0 sessions, 0 participants and 0 deleted" in out
    assert linked_rows(app, session["id"])["participant"] == 2

    assert cli_main(["purge", "--days", "7", "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "more than 7 days ago: 1 sessions, 2 participants and" in out
    assert "1 deleted ideas removed; unlinked 3 ideas, 1 votes, 4 ratings" in out
    assert linked_rows(app, session["id"]) == {
        "participant": 0,
        "idea": 0,
        "vote": 0,
        "rating": 0,
    }
    assert cli_main(["purge", "--days", "-1", "--database-url", database_url]) == 2
    assert "0 or more" in capsys.readouterr().err


def test_the_running_server_purges_at_start(
    app, facilitator, phone_factory, database_url, tmp_path
):
    """`python -m facilitator` (eventlet) purges expired sessions when it starts; logs counts."""
    import time

    from tests.server_process import ServerProcess

    expired, _ = rich_session(facilitator, phone_factory, phones=2, title="Vanha")
    facilitator.api("POST", f"/sessions/{expired['id']}/close")
    close_days_ago(app, expired["id"], 31)
    recent, _ = rich_session(facilitator, phone_factory, phones=2, title="Uusi")
    facilitator.api("POST", f"/sessions/{recent['id']}/close")
    close_days_ago(app, recent["id"], 29)

    server = ServerProcess(tmp_path, database_url)
    server.start()
    try:
        deadline = time.monotonic() + 20
        while linked_rows(app, expired["id"])["participant"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert linked_rows(app, expired["id"]) == dict.fromkeys(
            ("participant", "idea", "vote", "rating"), 0
        )
        assert linked_rows(app, recent["id"])["participant"] == 2
        deadline = time.monotonic() + 5
        while "retention purge" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "retention purge: 1 sessions, 2 participants unlinked" in server.log()
    finally:
        server.stop()


def test_nothing_identifying_has_a_column():
    """No table has a column for an address, a browser, a socket or a name of a participant."""
    from facilitator.models import Participant as P

    suspicious = re.compile(r"(^|_)(ip|addr|address|agent|ua|sid|socket|device|host)($|_)")
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            assert not suspicious.search(column.name), f"{table.name}.{column.name}"
    assert {c.name for c in P.__table__.columns} == {
        "id",
        "workshop_id",
        "token_hash",
        "created_at",
    }
