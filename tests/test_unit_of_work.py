"""One unit of work per change: the edge commits once, then publishes; a failing step
anywhere leaves nothing stored and nothing sent.

Multi-step changes (create a session and its rows; move a phase and seed what the new
phase shows; close a session and carry its open actions forward) are made to fail in
their second step, and the database (read through its own connection, as another
process would) and every screen show nothing of the first step.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, func, select

from facilitator import operations as ops
from facilitator import realtime
from facilitator.errors import OperationError
from facilitator.extensions import db
from facilitator.models import Action, SessionStatus, Theme, Workshop
from facilitator.phases.group.spec import GroupSpec


def stored(app, query):
    """Return a scalar read through a fresh connection (only committed rows count)."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(query)


def facilitator_screen(app, client, session_id: int):
    """Return a control view's socket joined to a session (shares the login cookie)."""
    sio = realtime.socketio.test_client(app, flask_test_client=client)
    ack = sio.emit("join", {"role": "facilitator", "session_id": session_id}, callback=True)
    assert ack["ok"], ack
    sio.get_received()
    return sio


def names(sio) -> list[str]:
    """Return the names of the events a test socket received since last asked."""
    return [e["name"] for e in sio.get_received()]


@pytest.fixture
def live_session(app, client, facilitator, phone_factory):
    """Return a started sytyttaja session (its id and join code) and a phone in it."""
    session = facilitator.create_session("sytyttaja", "Yksi työn yksikkö")
    assert facilitator.api("POST", f"/sessions/{session['id']}/start").status_code == 200
    phone = phone_factory(session["join_code"])
    phone.received()
    return session, phone


def test_a_new_session_and_its_rows_are_one_transaction(app, facilitator, monkeypatch):
    """The session row is not stored when adding its suggested themes fails."""
    original = GroupSpec.on_create

    def themes_then_fail(self, workshop, phase):
        original(self, workshop, phase)
        db.session.flush()  # the first steps' rows are in the transaction
        raise OperationError("invalid")

    monkeypatch.setattr(GroupSpec, "on_create", themes_then_fail)
    response = facilitator.api("POST", "/sessions", {"model_id": "sytyttaja", "title": "Kokous"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid"
    assert stored(app, select(func.count(Workshop.id))) == 0
    assert stored(app, select(func.count(Theme.id))) == 0

    monkeypatch.setattr(GroupSpec, "on_create", original)
    created = facilitator.api("POST", "/sessions", {"model_id": "sytyttaja", "title": "Kokous"})
    assert created.status_code == 201
    sid = created.get_json()["id"]
    assert stored(app, select(func.count(Theme.id)).where(Theme.workshop_id == sid)) >= 1


def test_a_phase_move_whose_second_step_fails_is_neither_stored_nor_sent(
    app, client, facilitator, live_session, monkeypatch
):
    """Move a phase and seed the new phase: the seeding fails, the move is undone."""
    session, phone = live_session
    sid = session["id"]
    screen = facilitator_screen(app, client, sid)
    move = ops.move_phase

    def move_and_seed(workshop, to):
        move(workshop, to)
        db.session.flush()  # the new phase index is written
        # The second step (seeding the new phase from an earlier one) writes, then fails.
        db.session.add(Theme(workshop_id=workshop.id, phase_id="themes", title="Siemen"))
        db.session.flush()
        raise OperationError("wrong_phase")

    themes_before = stored(app, select(func.count(Theme.id)).where(Theme.workshop_id == sid))
    monkeypatch.setattr(ops, "move_phase", move_and_seed)
    response = facilitator.api("POST", f"/sessions/{sid}/phase", {"to": "next"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "wrong_phase"
    assert stored(app, select(Workshop.phase_index).where(Workshop.id == sid)) == 0
    after = stored(app, select(func.count(Theme.id)).where(Theme.workshop_id == sid))
    assert after == themes_before
    assert "phase" not in names(screen)
    assert phone.received("phase") == []

    # The same move without the failing step goes through and is told once.
    monkeypatch.setattr(ops, "move_phase", move)
    response = facilitator.api("POST", f"/sessions/{sid}/phase", {"to": "next"})
    assert response.status_code == 200
    assert response.get_json()["phase"]["index"] == 1
    assert names(screen).count("phase") == 1
    assert [e["args"][0] for e in phone.received("phase")] == [{"index": 1, "status": "live"}]
    screen.disconnect()


def test_closing_and_carrying_actions_forward_is_one_transaction(
    app, client, facilitator, live_session
):
    """Close a session and carry its open actions into the next: all or nothing."""
    session, phone = live_session
    sid = session["id"]
    screen = facilitator_screen(app, client, sid)
    with app.test_request_context():
        workshop = db.session.get(Workshop, sid)
        with pytest.raises(OperationError), realtime.unit_of_work():
            ops.close_workshop(workshop)
            # The carried action is written ...
            db.session.add(Action(workshop_id=sid, client_id=uuid.uuid4().hex, what="Jatkuu"))
            db.session.flush()
            # ... and the next step refuses.
            raise OperationError("session_closed")
        db.session.remove()
    assert stored(app, select(Workshop.status).where(Workshop.id == sid)) == "live"
    assert stored(app, select(func.count(Action.id)).where(Action.workshop_id == sid)) == 0
    assert "phase" not in names(screen)
    assert phone.received("phase") == []
    screen.disconnect()


def test_a_phase_move_is_acknowledged_only_after_its_commit(
    app, client, facilitator, live_session, monkeypatch
):
    """The `phase` event goes out after the commit and the answer after that; another
    connection already reads the new phase when the event is sent."""
    session, _phone = live_session
    sid = session["id"]
    order: list = []
    original_publish = realtime.publish

    def on_commit(_session):
        order.append("commit")

    def recording_publish(workshop_id, name, payload, roles=None, room=None):
        if name == "phase":
            index = stored(app, select(Workshop.phase_index).where(Workshop.id == sid))
            order.append(("phase", index))
        return original_publish(workshop_id, name, payload, roles=roles, room=room)

    monkeypatch.setattr(realtime, "publish", recording_publish)
    with app.app_context():
        event.listen(db.session, "after_commit", on_commit)
        try:
            response = facilitator.api("POST", f"/sessions/{sid}/phase", {"to": 2})
            order.append("answer")
        finally:
            event.remove(db.session, "after_commit", on_commit)
    assert response.status_code == 200
    # (A sign-in's own bookkeeping may commit earlier in the request.)
    assert order[-3:] == ["commit", ("phase", 2), "answer"], order
    assert order.count(("phase", 2)) == 1


def test_deleting_a_session_tells_its_screens_only_after_the_commit(
    app, client, facilitator, live_session
):
    session, phone = live_session
    sid = session["id"]
    with app.test_request_context():
        with pytest.raises(RuntimeError), realtime.unit_of_work():
            ops.delete_workshop(db.session.get(Workshop, sid))
            raise RuntimeError("a later step failed")
        db.session.remove()
    assert stored(app, select(func.count(Workshop.id)).where(Workshop.id == sid)) == 1
    assert phone.received("session.deleted") == []

    response = facilitator.api("DELETE", f"/sessions/{sid}")
    assert response.status_code == 200
    assert stored(app, select(func.count(Workshop.id)).where(Workshop.id == sid)) == 0
    assert len(phone.received("session.deleted")) == 1


def test_timer_and_input_changes_publish_after_their_commit(app, client, facilitator, live_session):
    session, phone = live_session
    sid = session["id"]
    response = facilitator.api("POST", f"/sessions/{sid}/timer", {"action": "start"})
    assert response.status_code == 200
    timers = phone.received("timer")
    assert len(timers) == 1 and timers[0]["args"][0]["state"] == "running"
    response = facilitator.api("POST", f"/sessions/{sid}/input", {"open": False})
    assert response.status_code == 200
    assert response.get_json()["phase"]["input_open"] is False
    assert len(phone.received("phase")) == 1
    # A refused change sends nothing.
    response = facilitator.api("POST", f"/sessions/{sid}/phase", {"to": 99})
    assert response.status_code == 409
    assert phone.received("phase") == []
    assert facilitator.api("POST", f"/sessions/{sid}/close").status_code == 200
    phone.received()
    response = facilitator.api("POST", f"/sessions/{sid}/timer", {"action": "start"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "session_not_live"
    assert phone.received("timer") == []


def test_nested_units_of_work_commit_once_at_the_outermost(app, live_session):
    """A helper opening its own unit of work inside another joins it (CLI, batch jobs)."""
    session, phone = live_session
    sid = session["id"]
    commits: list = []

    def on_commit(session):
        commits.append(session)

    with app.test_request_context():
        event.listen(db.session, "after_commit", on_commit)
        try:
            with realtime.unit_of_work():
                workshop = db.session.get(Workshop, sid)
                with realtime.unit_of_work():
                    ops.control_timer(workshop, "start")
                assert commits == []
                assert phone.received("timer") == []
                ops.close_workshop(workshop)
        finally:
            event.remove(db.session, "after_commit", on_commit)
        db.session.remove()
    assert len(commits) == 1
    assert stored(app, select(Workshop.status).where(Workshop.id == sid)) == (
        SessionStatus.CLOSED.value
    )
    heard = [e["name"] for e in phone.received()]
    assert heard.count("timer") == 1 and heard.count("phase") == 1, heard


def test_a_single_write_unit_cannot_write_twice(app):
    """A unit of work declared to write once (idea.add: it runs without BEGIN and
    COMMIT) refuses a second write before it reaches the database, and a normal unit
    after it on the same pooled connection is a transaction again."""
    from facilitator.models import Facilitator

    def account(n: int) -> Facilitator:
        return Facilitator(email=f"f{n}@example.fi", name="F", password_hash="x")

    with app.app_context():
        with (
            pytest.raises(RuntimeError, match="second write"),
            realtime.unit_of_work(single_write=True),
        ):
            db.session.add(account(1))
            db.session.flush()
            db.session.add(account(2))
            db.session.flush()
        db.session.remove()
        with (
            pytest.raises(RuntimeError, match="fails after its writes"),
            realtime.unit_of_work(),
        ):
            db.session.add(account(3))
            db.session.add(account(4))
            db.session.flush()
            raise RuntimeError("fails after its writes")
        db.session.remove()
    emails = select(func.count(Facilitator.id)).where(Facilitator.email.like("f%@example.fi"))
    assert stored(app, emails) == 1
