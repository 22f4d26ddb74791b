"""Bad input from phones: every refusal is an error ack with a translated message."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def live(facilitator, phone_factory):
    """Return (facilitator, session, two phones) with the session in its ideas phase."""
    session = facilitator.create_session()
    phones = [phone_factory(session["join_code"]) for _ in range(2)]
    facilitator.go_to(session["id"], "ideas")
    return facilitator, session, phones


def columns_of(phone) -> list[str]:
    """Return the column ids of the phone's current ideas phase."""
    return [c["id"] for c in phone.emit("sync")["state"]["phase"]["settings"]["columns"]]


def assert_error(ack: dict, code: str) -> None:
    """Check an ack is a refusal with this code and a human message."""
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    assert ack["error"]["message"] and "Traceback" not in ack["error"]["message"]


def test_retried_idea_is_not_duplicated(live):
    """The same client id sent twice (a retry after reconnect) makes one idea."""
    facilitator, session, (phone, other) = live
    column = columns_of(phone)[0]
    client_id = uuid.uuid4().hex
    first = phone.add_idea("Kahvihetki yhdessä", column, client_id)
    second = phone.add_idea("Kahvihetki yhdessä", column, client_id)
    assert first["ok"] and second["ok"]
    assert first["idea"]["id"] == second["idea"]["id"]
    state = other.emit("sync")["state"]
    assert [i["text"] for i in state["ideas"]] == ["Kahvihetki yhdessä"]


def test_a_retry_gets_its_idea_at_the_cap_and_after_the_phase_moved_on(live):
    """A phone retrying an idea it posted gets that idea back, not a refusal, even when
    it has since reached its cap or the facilitator moved on; another phone's client id
    is refused, and nothing is stored twice."""
    facilitator, session, (phone, other) = live
    column = columns_of(phone)[0]
    cap = phone.emit("sync")["state"]["phase"]["settings"]["max_ideas_per_person"]
    first_id = uuid.uuid4().hex
    first = phone.add_idea("Ensimmäinen", column, first_id)
    for n in range(cap - 1):
        assert phone.add_idea(f"Ajatus {n}", column)["ok"]
    assert_error(phone.add_idea("Yksi liikaa", column), "too_many_ideas")
    at_cap = phone.add_idea("Ensimmäinen", column, first_id)
    assert at_cap["ok"] and at_cap["idea"]["id"] == first["idea"]["id"]
    assert_error(other.add_idea("Lainattu tunniste", column, first_id), "invalid")
    facilitator.go_to(session["id"], "vote")
    late = phone.add_idea("Ensimmäinen", column, first_id)
    assert late["ok"] and late["idea"]["id"] == first["idea"]["id"]
    assert_error(phone.add_idea("Uusi myöhässä", column), "wrong_phase")
    ideas = facilitator.api("GET", f"/sessions/{session['id']}").get_json()["ideas"]
    assert sorted(i["text"] for i in ideas).count("Ensimmäinen") == 1
    assert len(ideas) == cap


def test_oversized_and_empty_ideas_are_refused(live):
    """Text over 500 characters or only spaces is refused, and nothing is stored."""
    _, _, (phone, _) = live
    column = columns_of(phone)[0]
    assert_error(phone.add_idea("x" * 501, column), "too_long")
    assert_error(phone.add_idea("   ", column), "empty")
    assert phone.add_idea("y" * 500, column)["ok"] is True
    assert len(phone.emit("sync")["state"]["ideas"]) == 1


@pytest.mark.parametrize(
    "event, payload",
    [
        ("idea.add", None),
        ("idea.add", "just a string"),
        ("idea.add", {"client_id": "short", "text": "hi"}),
        ("idea.add", {"client_id": uuid.uuid4().hex, "text": 42}),
        ("idea.add", {"client_id": uuid.uuid4().hex, "text": "hi", "evil": True}),
        ("vote.set", {"client_id": uuid.uuid4().hex, "item": "DROP TABLE", "count": 1}),
        ("idea.edit", {"id": "1; --", "text": "x"}),
        ("join", {"role": "admin", "code": "ABC"}),
        ("no.such.event", {"x": 1}),
    ],
)
def test_malformed_events_get_invalid_ack_and_server_keeps_running(live, event, payload):
    """Malformed payloads and unknown events are answered with `invalid`."""
    _, _, (phone, _) = live
    assert_error(phone.emit(event, payload), "invalid")
    assert phone.add_idea("Toimii yhä", columns_of(phone)[0])["ok"] is True


def test_unknown_column_is_refused(live):
    """An idea into a column the phase does not have is refused."""
    _, _, (phone, _) = live
    assert_error(phone.add_idea("Idea", "no-such-column"), "invalid")


def test_editing_someone_elses_idea_is_refused(live):
    """A phone cannot edit or delete another phone's idea."""
    _, _, (phone, other) = live
    column = columns_of(phone)[0]
    idea = phone.add_idea("Minun ideani", column)["idea"]
    assert_error(other.emit("idea.edit", {"id": idea["id"], "text": "Muutettu"}), "not_yours")
    assert_error(other.emit("idea.delete", {"id": idea["id"]}), "not_yours")
    assert phone.emit("sync")["state"]["ideas"][0]["text"] == "Minun ideani"


def test_own_idea_can_be_edited_and_deleted_while_open(live):
    """The author edits and deletes their own idea; others see the changes."""
    _, _, (phone, other) = live
    column = columns_of(phone)[0]
    idea = phone.add_idea("Ensimmäinen versio", column)["idea"]
    other.received()
    edited = phone.emit("idea.edit", {"id": idea["id"], "text": "Toinen versio"})
    assert edited["ok"] and edited["idea"]["text"] == "Toinen versio"
    updates = other.received("idea.updated")
    assert updates and updates[-1]["args"][0]["text"] == "Toinen versio"
    assert "is_mine" not in updates[-1]["args"][0]
    assert phone.emit("idea.delete", {"id": idea["id"]})["ok"] is True
    assert phone.emit("idea.delete", {"id": idea["id"]})["ok"] is True  # twice is harmless
    assert other.received("idea.removed")[-1]["args"][0] == {"id": idea["id"]}
    assert other.emit("sync")["state"]["ideas"] == []


def test_input_refused_when_closed_and_after_phase_moves(live):
    """Closing input or moving on refuses new ideas and edits with a clear code."""
    facilitator, session, (phone, _) = live
    column = columns_of(phone)[0]
    idea = phone.add_idea("Ehdin ajoissa", column)["idea"]
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": False})
    assert_error(phone.add_idea("Myöhässä", column), "phase_closed")
    assert_error(phone.emit("idea.edit", {"id": idea["id"], "text": "x"}), "phase_closed")
    facilitator.api("POST", f"/sessions/{session['id']}/input", {"open": True})
    assert phone.add_idea("Taas auki", column)["ok"] is True
    facilitator.go_to(session["id"], "group")
    assert_error(phone.add_idea("Väärä vaihe", column), "wrong_phase")


def test_idea_before_start_is_refused(facilitator, phone_factory):
    """A phone that joins before the start is told the session has not started."""
    session = facilitator.create_session()
    phone = phone_factory(session["join_code"])
    assert_error(phone.add_idea("Liian aikaisin"), "session_not_started")


def test_join_with_unknown_code_or_without_page_visit(app, facilitator, socket_client):
    """Joining needs a real code and the token the join page hands out."""
    session = facilitator.create_session()
    assert_error(
        socket_client.emit("join", {"role": "participant", "code": "ZZZZZZ"}, callback=True),
        "session_not_found",
    )
    # The facilitator's own client never opened /j/<code>, so it has no participant token:
    # the same answer as an unknown code, so the socket cannot tell which codes exist.
    assert_error(
        socket_client.emit(
            "join", {"role": "participant", "code": session["join_code"]}, callback=True
        ),
        "session_not_found",
    )


def test_events_before_join_are_refused(socket_client):
    """Writing without joining a session is refused."""
    ack = socket_client.emit(
        "idea.add", {"client_id": uuid.uuid4().hex, "text": "x"}, callback=True
    )
    assert_error(ack, "not_joined")


def test_error_message_follows_chosen_language(live):
    """The same refusal reads in Finnish by default and in English when chosen."""
    _, _, (phone, _) = live
    finnish = phone.add_idea("x" * 501, columns_of(phone)[0])["error"]["message"]
    phone.http.get("/lang/en")
    phone.sio.disconnect()
    from facilitator.extensions import socketio

    phone.sio = socketio.test_client(phone.http.application, flask_test_client=phone.http)
    phone.emit("join", {"role": "participant", "code": phone.code})
    english = phone.add_idea("x" * 501, columns_of(phone)[0])["error"]["message"]
    assert "500" in finnish and "500" in english
    assert english == "The text is too long (at most 500 characters)."
    assert finnish != english


def test_phone_rejoins_as_same_participant(live, app):
    """A dropped connection rejoins as the same anonymous participant with its ideas."""
    _, session, (phone, _) = live
    idea = phone.add_idea("Ennen katkosta", columns_of(phone)[0])["idea"]
    phone.sio.disconnect()
    from facilitator.extensions import socketio

    phone.sio = socketio.test_client(app, flask_test_client=phone.http)
    state = phone.emit("join", {"role": "participant", "code": session["join_code"]})["state"]
    mine = [i for i in state["ideas"] if i["id"] == idea["id"]]
    assert mine and mine[0]["is_mine"] is True
    assert phone.emit("idea.edit", {"id": idea["id"], "text": "Katkoksen jälkeen"})["ok"] is True


def test_phone_messages_follow_session_language_without_a_choice(facilitator, phone_factory):
    """In a Swedish session a phone that chose nothing gets Swedish messages."""
    response = facilitator.api(
        "POST",
        "/sessions",
        {"model_id": "keep-change-give-up", "title": "Svenska", "language": "sv"},
    )
    session = response.get_json()
    phone = phone_factory(session["join_code"])
    facilitator.go_to(session["id"], "ideas")
    column = columns_of(phone)[0]
    message = phone.add_idea("x" * 501, column)["error"]["message"]
    assert "500" in message
    assert message != "The text is too long (at most 500 characters)."
    assert "Teksti" not in message  # not the Finnish one either


def test_deleted_idea_is_removed_from_facilitator_screen(app, facilitator, live):
    """When a phone deletes its idea, the facilitator's wall drops it too."""
    from tests.test_fanout_and_anonymity import screen

    _, session, (phone, _) = live
    idea = phone.add_idea("Poistan tämän", columns_of(phone)[0])["idea"]
    fac_screen = screen(app, facilitator.client, session["id"], "facilitator")
    assert phone.emit("idea.delete", {"id": idea["id"]})["ok"]
    events = [e for e in fac_screen.get_received() if e["name"].startswith("idea.")]
    assert events == [{"name": "idea.removed", "args": [{"id": idea["id"]}], "namespace": "/"}]
    fac_screen.disconnect()
