"""Input before the session: the `collecting` status, its window, phones writing inside
it and refused outside it (with the day), counts for the facilitator, the message texts,
days only for phones, and starting the live session keeping what was collected."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from facilitator import collecting
from facilitator.extensions import db
from facilitator.models import IllegalTransition, SessionStatus, Workshop


def iso(moment: datetime) -> str:
    return moment.isoformat()


def window(fac, session_id: int, opens: datetime, closes: datetime):
    return fac.api(
        "PUT",
        f"/sessions/{session_id}/collecting",
        {"opens_at": iso(opens), "closes_at": iso(closes)},
    )


def set_window(app, session_id: int, opens: datetime, closes: datetime) -> None:
    """Move a window into the past or future directly (the API refuses a past end)."""
    with app.app_context():
        workshop = db.session.get(Workshop, session_id)
        workshop.collect_opens_at, workshop.collect_closes_at = opens, closes
        db.session.commit()


def now() -> datetime:
    return datetime.now(UTC)


def test_phones_add_ideas_inside_the_window_and_start_keeps_them(facilitator, phone_factory):
    session = facilitator.create_session()
    r = window(facilitator, session["id"], now() - timedelta(hours=1), now() + timedelta(days=3))
    assert r.status_code == 200, r.get_json()
    info = r.get_json()
    assert info["status"] == "collecting" and info["window"]["state"] == "open"
    assert info["ideas"] == 0 and info["phones"] == 0
    # The message to paste, in every language, with the link and the code.
    for lang in ("fi", "sv", "en"):
        assert session["join_code"] in info["messages"][lang]
        assert info["messages"][lang].count("http") == 1

    phones = [phone_factory(session["join_code"]) for _ in range(3)]
    state = phones[0].join_ack["state"]
    # The phone is at the first phase that takes input, open, with days only.
    assert state["session"]["status"] == "collecting"
    assert state["phase"]["kind"] == "ideas" and state["phase"]["input_open"] is True
    days = state["session"]["collecting"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", days["opens_on"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", days["closes_on"])
    first = phones[0].add_idea("yksi", column="change")
    info = facilitator.api("GET", f"/sessions/{session['id']}/collecting").get_json()
    assert info["text"] == "1 ajatus 1 puhelimesta"
    ok = phones[0].emit("idea.delete", {"id": first["idea"]["id"]})
    assert ok["ok"], ok
    for i, phone in enumerate(phones):
        for j in range(i + 1):
            ack = phone.add_idea(f"idea {i}.{j}", column="change")
            assert ack["ok"], ack
    info = facilitator.api("GET", f"/sessions/{session['id']}/collecting").get_json()
    assert (info["ideas"], info["phones"]) == (6, 3)
    assert info["text"] == "6 ajatusta 3 puhelimesta"
    # The session list says so before the meeting.
    page = facilitator.client.get("/sessions").get_data(as_text=True)
    assert "6 ajatusta 3 puhelimesta" in page

    # Starting the session keeps what was collected.
    r = facilitator.api("POST", f"/sessions/{session['id']}/start")
    assert r.status_code == 200, r.get_json()
    state = facilitator.go_to(session["id"], "ideas")
    assert sorted(i["text"] for i in state["ideas"]) == sorted(
        f"idea {i}.{j}" for i in range(3) for j in range(i + 1)
    )


def test_outside_the_window_phones_get_a_clear_message(app, facilitator, phone_factory):
    session = facilitator.create_session()
    assert (
        window(
            facilitator, session["id"], now() + timedelta(days=2), now() + timedelta(days=4)
        ).status_code
        == 200
    )
    phone = phone_factory(session["join_code"])
    state = phone.join_ack["state"]
    assert state["session"]["collecting"]["state"] == "before"
    assert state["phase"]["input_open"] is False
    # The phone re-reads the session when the window opens.
    assert 0 < state["session"]["collecting"]["changes_in"] <= 2 * 86400 + 2
    ack = phone.add_idea("too early", column="change")
    assert ack["ok"] is False and ack["error"]["code"] == "collecting_not_open"

    # The window has closed: refused with the closing day, nothing stored.
    set_window(app, session["id"], now() - timedelta(days=3), now() - timedelta(minutes=1))
    phone.received()
    ack = phone.add_idea("too late", column="change")
    assert ack["ok"] is False and ack["error"]["code"] == "collecting_closed"
    assert "päättyi" in ack["error"]["message"]
    # Phones share a snapshot built at most SHARED_TTL seconds ago when nothing was
    # published (the window was moved behind the app's back here).
    time.sleep(2.1)
    state = phone.emit("sync", {})["state"]
    assert state["session"]["collecting"]["state"] == "after"
    assert state["session"]["collecting"]["changes_in"] is None
    info = facilitator.api("GET", f"/sessions/{session['id']}/collecting").get_json()
    assert info["ideas"] == 0


def test_opening_and_stopping_are_told_to_phones(facilitator, phone_factory):
    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    assert phone.join_ack["state"]["session"]["status"] == "upcoming"
    phone.received()
    window(facilitator, session["id"], now() - timedelta(hours=1), now() + timedelta(days=1))
    events = phone.received("phase")
    assert events and events[-1]["args"][0]["status"] == "collecting"
    r = facilitator.api("DELETE", f"/sessions/{session['id']}/collecting")
    assert r.status_code == 200 and r.get_json()["status"] == "upcoming"
    assert phone.received("phase")[-1]["args"][0]["status"] == "upcoming"
    ack = phone.add_idea("after stop", column="change")
    assert ack["error"]["code"] == "session_not_started"


def test_refusals(facilitator):
    session = facilitator.create_session()
    sid = session["id"]
    # An end before the start, an end in the past, a time without a zone.
    r = window(facilitator, sid, now() + timedelta(days=2), now() + timedelta(days=1))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_window"
    r = window(facilitator, sid, now() - timedelta(days=2), now() - timedelta(days=1))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_window"
    r = facilitator.api(
        "PUT",
        f"/sessions/{sid}/collecting",
        {"opens_at": "2030-01-01T08:00:00", "closes_at": "2030-01-02T08:00:00"},
    )
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_window"
    # Not collecting: nothing to stop.
    r = facilitator.api("DELETE", f"/sessions/{sid}/collecting")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_collecting"
    # A live or closed session cannot go back to collecting.
    facilitator.api("POST", f"/sessions/{sid}/start")
    r = window(facilitator, sid, now(), now() + timedelta(days=1))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_started"
    facilitator.api("POST", f"/sessions/{sid}/close")
    r = window(facilitator, sid, now(), now() + timedelta(days=1))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "session_closed"
    # Nothing changed by the refusals.
    state = facilitator.api("GET", f"/sessions/{sid}").get_json()
    assert state["session"]["status"] == "closed"


def test_state_machine_directly(app, facilitator):
    session = facilitator.create_session()
    with app.app_context():
        w = db.session.get(Workshop, session["id"])
        with pytest.raises(IllegalTransition) as exc:
            w.stop_collecting()
        assert exc.value.code == "not_collecting"
        with pytest.raises(IllegalTransition) as exc:
            w.open_collecting(datetime(2030, 1, 2), datetime(2030, 1, 3))
        assert exc.value.code == "invalid_window"
        w.open_collecting(now(), now() + timedelta(days=1), 1)
        assert w.status is SessionStatus.COLLECTING and w.phase_index == 1
        assert w.takes_input() is True
        assert w.takes_input(now() + timedelta(days=2)) is False
        assert w.collecting_state(now() - timedelta(days=1)) == "before"
        with pytest.raises(IllegalTransition) as exc:
            w.move_to_phase(2, 6)
        assert exc.value.code == "session_not_started"
        w.start()
        assert w.status is SessionStatus.LIVE and w.phase_index == 0
        with pytest.raises(IllegalTransition) as exc:
            w.open_collecting(now(), now() + timedelta(days=1))
        assert exc.value.code == "already_started"
        db.session.rollback()


def test_no_phone_or_screen_gets_a_time_finer_than_a_day(facilitator, phone_factory, app):
    session = facilitator.create_session()
    window(facilitator, session["id"], now() - timedelta(hours=1), now() + timedelta(days=1))
    phone = phone_factory(session["join_code"])
    phone.add_idea("yövuorosta", column="change")
    other = phone_factory(session["join_code"])
    texts = [repr(other.join_ack["state"]), repr(phone.emit("sync", {})["state"])]
    facilitator.api("POST", f"/sessions/{session['id']}/start")
    state = facilitator.go_to(session["id"], "ideas")
    texts.append(repr(state["ideas"]))
    texts.append(
        facilitator.client.get(f"/sessions/{session['id']}/export.md").get_data(as_text=True)
    )
    for text in texts:
        # Phones and idea lists: no clock times at all (the snapshot's own server_time
        # and timer are the server's clock, not anyone's writing time).
        cleaned = re.sub(r"'server_time': '[^']*'", "", text)
        cleaned = re.sub(r"'ends_at': '[^']*'", "", cleaned)
        assert not re.search(r"\d\d:\d\d", cleaned), cleaned[:500]


def test_collect_page_message_and_poster(facilitator):
    session = facilitator.create_session()
    page = facilitator.client.get(f"/sessions/{session['id']}/collect")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    opens = collecting_local(now() - timedelta(hours=1))
    closes = collecting_local(now() + timedelta(days=2))
    r = facilitator.client.post(
        f"/sessions/{session['id']}/collect",
        data={"csrf_token": token.group(1), "opens_at": opens, "closes_at": closes},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    html = facilitator.client.get(f"/sessions/{session['id']}/collect").get_data(as_text=True)
    assert "0 ajatusta 0 puhelimesta" in html
    assert "Ennakkovastaaminen:" in html and "Svar i förväg:" in html
    assert session["join_code"] in html
    poster = facilitator.client.get(f"/sessions/{session['id']}/collect/poster")
    assert poster.status_code == 200 and "qr.svg" in poster.get_data(as_text=True)
    # A bad window is refused on the page with the message, nothing changed.
    r = facilitator.client.post(
        f"/sessions/{session['id']}/collect",
        data={"csrf_token": token.group(1), "opens_at": closes, "closes_at": opens},
    )
    assert r.status_code == 400 and "pitää päättyä alkamisen jälkeen" in r.get_data(as_text=True)


def collecting_local(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Helsinki")).strftime("%Y-%m-%dT%H:%M")


def test_local_day_rounding(app):
    with app.app_context():
        late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 01:30 on 1 December in Helsinki
        assert collecting.local_day(late).isoformat() == "2026-12-01"
