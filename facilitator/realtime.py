"""Socket.IO handlers and the one place that publishes to rooms.

Handlers stay thin: authenticate, validate the payload, call `operations`,
then publish once after the commit. Every event is acknowledged with
`{"ok": true, ...}` or `{"ok": false, "error": {code, message}}`.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Literal

from flask import current_app, g, request, session
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from . import operations as ops
from . import serializers as ser
from .errors import OperationError, error_dict
from .extensions import db, socketio
from .i18n import chosen_language, content_language
from .joinurl import join_address
from .models import Participant, Workshop
from .workshop_models import PhaseKind

log = logging.getLogger(__name__)

ClientId = Annotated[
    str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
# Oversized text is let through here so the operation can answer `too_long` with the limit.
Text = Annotated[str, StringConstraints(max_length=20000)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class JoinPayload(_Payload):
    role: Literal["participant", "facilitator", "projector"]
    code: Annotated[str, StringConstraints(max_length=20)] | None = None
    session_id: int | None = None


class IdeaAdd(_Payload):
    client_id: ClientId
    text: Text
    column: Annotated[str, StringConstraints(max_length=64)] | None = None


class IdeaEdit(_Payload):
    id: int
    text: Text
    column: Annotated[str, StringConstraints(max_length=64)] | None = None


class IdeaDelete(_Payload):
    id: int


class VoteSet(_Payload):
    client_id: ClientId
    item: Annotated[str, StringConstraints(max_length=40, pattern=r"^(idea|theme):\d+$")]
    count: Annotated[int, Field(ge=0, le=100)]


class RateSet(_Payload):
    client_id: ClientId
    statement: Annotated[str, StringConstraints(max_length=64)]
    value: int


class SyncPayload(_Payload):
    pass


# --- connection registry --------------------------------------------------------


@dataclass
class Connection:
    workshop_id: int
    role: str
    participant_id: int | None = None
    # Language of messages and template text: the phone's choice, else the session's.
    language: str = "fi"


# Per-process registry of joined sockets; rebuilt by clients re-joining after a restart.
connections: dict[str, Connection] = {}
_online_lock = threading.Lock()
# Per session: socket id -> participant id, so two tabs of one phone count as one person.
_online: dict[int, dict[str, int]] = {}


def room(workshop_id: int, role: str) -> str:
    """Return the room name for one audience of a session."""
    audience = "participants" if role == ser.PARTICIPANT else role
    return f"s:{workshop_id}:{audience}"


def _forget_online(workshop_id: int, sid: str) -> None:
    """Drop a socket from a session's online phones."""
    with _online_lock:
        _online.get(workshop_id, {}).pop(sid, None)


def online_count(workshop_id: int) -> int:
    """Return how many phones are connected to a session on this server."""
    return len(set(_online.get(workshop_id, {}).values()))


# --- publishing -------------------------------------------------------------


def publish(workshop_id: int, event: str, payload: dict, roles=ser.ROLES) -> None:
    """Send one event to the given audiences of a session (call after commit)."""
    for role in roles:
        socketio.emit(event, payload, to=room(workshop_id, role))


def publish_phase(workshop: Workshop) -> None:
    """Tell every screen the phase or session state changed; clients re-sync."""
    publish(workshop.id, "phase", {"index": workshop.phase_index, "status": workshop.status.value})


def publish_timer(workshop: Workshop) -> None:
    """Send the timer state to every screen."""
    publish(workshop.id, "timer", ser.timer_dict(workshop))


def publish_idea(workshop: Workshop, idea, event: str = "idea.updated") -> None:
    """Send an idea change to the screens that show it."""
    if idea.deleted:
        # A deleted idea is gone for everyone, the facilitator included.
        publish(workshop.id, "idea.removed", {"id": idea.id}, (ser.FACILITATOR,))
    else:
        publish(workshop.id, event, ser.idea_dict(idea, ser.FACILITATOR), (ser.FACILITATOR,))
    public = ser.idea_dict(idea, ser.PROJECTOR)
    visible = idea.visible
    name = event if visible else "idea.removed"
    body = public if visible else {"id": idea.id}
    publish(workshop.id, name, body, (ser.PROJECTOR,))
    if ser.participants_see_wall(workshop) == idea.phase_id:
        publish(workshop.id, name, body, (ser.PARTICIPANT,))


def publish_themes(workshop: Workshop) -> None:
    """Send the themes and how ideas are grouped under them to every screen."""
    publish(workshop.id, "themes", ser.themes_payload(workshop))
    if ops.current_phase(workshop).kind is PhaseKind.VOTE:
        # Themes are the ballot here: screens re-sync for the new items and tally.
        publish_phase(workshop)
        results.mark(workshop.id, "tally")


def publish_actions(workshop: Workshop) -> None:
    """Send the whole list of agreed actions to every screen."""
    publish(workshop.id, "actions", {"actions": ser.actions_list(workshop)})


def publish_presence(workshop_id: int) -> None:
    """Send joined/online counts to the facilitator and projector."""
    # Its own connection, not db.session: a disconnect can run inside another
    # handler's emit (Engine.IO closes dead sockets there) and must not touch
    # that handler's session.
    with db.engine.connect() as connection:
        joined = ops.participant_count(workshop_id, connection)
    payload = {"joined": joined, "online": online_count(workshop_id)}
    publish(workshop_id, "presence", payload, (ser.FACILITATOR, ser.PROJECTOR))


def publish_deleted(workshop_id: int, language: str) -> None:
    """Tell every screen of a deleted session that it is gone, then empty its rooms.

    Clients stop reconnecting on this event; this process forgets the session's
    sockets so presence and later events do not refer to it.
    """
    from flask_babel import force_locale

    with force_locale(language):
        payload = {"error": error_dict("session_deleted")}
    publish(workshop_id, "session.deleted", payload)
    for role in ser.ROLES:
        socketio.close_room(room(workshop_id, role))
    for sid, conn in list(connections.items()):
        if conn.workshop_id == workshop_id:
            connections.pop(sid, None)
    with _online_lock:
        _online.pop(workshop_id, None)


class Coalescer:
    """Send result updates at most once per interval per session, always ending fresh.

    The first change after a quiet period goes out at once; changes within the
    interval are folded into one update sent when it ends.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._last: dict[tuple[int, str], float] = {}
        self._pending: set[tuple[int, str]] = set()

    def mark(self, workshop_id: int, kind: str) -> None:
        """Record that a session's results changed and flush now or later."""
        app = current_app._get_current_object()
        interval = app.config["RESULTS_INTERVAL"]
        key = (workshop_id, kind)
        with self._lock:
            if key in self._pending:
                return
            wait = self._last.get(key, 0.0) + interval - time.monotonic()
            if wait > 0:
                self._pending.add(key)
        if wait <= 0:
            self._flush(key)
        else:
            socketio.start_background_task(self._later, app, key, wait)

    def _later(self, app, key, wait: float) -> None:
        """Flush a pending update after the interval."""
        socketio.sleep(wait)
        with app.app_context():
            with self._lock:
                self._pending.discard(key)
            try:
                self._flush(key)
            finally:
                db.session.remove()

    def _flush(self, key) -> None:
        """Publish the current results of one session."""
        with self._lock:
            self._last[key] = time.monotonic()
        workshop_id, kind = key
        workshop = db.session.get(Workshop, workshop_id)
        if workshop is None:
            return
        if kind == "tally":
            publish_tally(workshop)
        else:
            publish_rate_results(workshop)


results = Coalescer()


def publish_tally(workshop: Workshop) -> None:
    """Send the vote tally of the current phase, counts only to whoever may see them."""
    for role, payload in ser.tally_payloads(workshop).items():
        publish(workshop.id, "tally", payload, (role,))


def publish_rate_results(workshop: Workshop) -> None:
    """Send rating distributions (thresholded) to every screen."""
    phase = ops.current_phase(workshop)
    if phase.kind is not PhaseKind.RATE:
        return
    payload = {"phase_id": phase.id, "results": ops.rating_results(workshop, phase)}
    publish(workshop.id, "rate.results", payload)


# --- handler plumbing -----------------------------------------------------------


def fail(code: str, **params) -> dict:
    """Return an error acknowledgement."""
    return {"ok": False, "error": error_dict(code, **params)}


def handler(event: str, payload_model: type[BaseModel] | None):
    """Register a socket event: validate its payload, map refusals to error acks."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(data=None, *extra):
            conn = connections.get(request.sid)
            if conn is not None:
                # Messages default to the session's language unless the person chose one;
                # the projector always speaks the session's language.
                g.workshop_language = conn.language
                if conn.role == ser.PROJECTOR:
                    g.force_locale = conn.language
            if extra:
                return fail("invalid")
            if payload_model is not None:
                try:
                    data = payload_model.model_validate(data if data is not None else {})
                except ValidationError:
                    return fail("invalid")
            try:
                return fn(data)
            except OperationError as exc:
                db.session.rollback()
                return {"ok": False, "error": exc.to_dict()}
            except Exception:
                db.session.rollback()
                # The event name only: payloads may hold participants' text.
                log.exception("socket event %s failed", event)
                return fail("server_error")
            finally:
                db.session.remove()

        socketio.on_event(event, wrapper)
        return wrapper

    return decorate


def _joined() -> tuple[Connection, Workshop]:
    """Return the caller's connection and session, or refuse."""
    conn = connections.get(request.sid)
    if conn is None:
        raise OperationError("not_joined")
    workshop = db.session.get(Workshop, conn.workshop_id)
    if workshop is None:
        raise OperationError("not_found")
    return conn, workshop


def _participant() -> tuple[Workshop, Participant]:
    """Return the caller's session and participant, or refuse."""
    conn, workshop = _joined()
    if conn.role != ser.PARTICIPANT or conn.participant_id is None:
        raise OperationError("forbidden")
    return workshop, db.session.get(Participant, conn.participant_id)


def _snapshot(conn: Connection, workshop: Workshop) -> dict:
    """Return the snapshot for a connection's role."""
    participant = db.session.get(Participant, conn.participant_id) if conn.participant_id else None
    lang = content_language(ops.workshop_model(workshop), conn.language, workshop.language)
    return ser.snapshot(
        workshop,
        conn.role,
        participant,
        join_url=join_address(workshop).url,
        online=online_count(workshop.id),
        lang=lang,
    )


def participant_token(workshop_id: int) -> str | None:
    """Return the participant token the join page left in the signed session cookie."""
    tokens = session.get("p") or {}
    return tokens.get(str(workshop_id))


# --- events ---------------------------------------------------------------------


@socketio.on("disconnect")
def on_disconnect(*_args):
    """Forget a closed connection and update presence."""
    conn = connections.pop(request.sid, None)
    if conn is None:
        return
    if conn.role == ser.PARTICIPANT:
        _forget_online(conn.workshop_id, request.sid)
        publish_presence(conn.workshop_id)


@handler("join", JoinPayload)
def on_join(data: JoinPayload):
    """Join a session's room for one role and return the full snapshot."""
    if data.role == ser.PARTICIPANT:
        workshop = ops.find_workshop_by_code(data.code or "")
        if workshop is None:
            raise OperationError("session_not_found")
        token = participant_token(workshop.id)
        if token is None:
            raise OperationError("not_joined")
        participant = ops.join_participant(workshop, token)
        language = chosen_language() or workshop.language
        conn = Connection(workshop.id, data.role, participant.id, language)
    else:
        workshop = db.session.get(Workshop, data.session_id) if data.session_id else None
        if workshop is None:
            raise OperationError("not_found")
        if not current_user.is_authenticated or workshop.facilitator_id != current_user.id:
            raise OperationError("forbidden")
        # The control view follows its user's choice; the projector the session's language.
        language = workshop.language
        if data.role == ser.FACILITATOR:
            language = chosen_language() or current_user.language or workshop.language
        conn = Connection(workshop.id, data.role, language=language)
    previous = connections.get(request.sid)
    if previous is not None:
        socketio.server.leave_room(request.sid, room(previous.workshop_id, previous.role))
        _forget_online(previous.workshop_id, request.sid)
    connections[request.sid] = conn
    socketio.server.enter_room(request.sid, room(workshop.id, conn.role))
    if conn.role == ser.PARTICIPANT:
        with _online_lock:
            _online.setdefault(workshop.id, {})[request.sid] = conn.participant_id
        publish_presence(workshop.id)
    return {"ok": True, "state": _snapshot(conn, workshop)}


@handler("sync", SyncPayload)
def on_sync(_data):
    """Return a fresh snapshot without rejoining."""
    conn, workshop = _joined()
    return {"ok": True, "state": _snapshot(conn, workshop)}


@handler("idea.add", IdeaAdd)
def on_idea_add(data: IdeaAdd):
    """Post an idea; retries with the same client id return the same idea."""
    workshop, participant = _participant()
    result = ops.add_idea(workshop, participant, data.client_id, data.text, data.column)
    if result.created:
        publish_idea(workshop, result.idea, "idea.added")
    return {"ok": True, "idea": ser.idea_dict(result.idea, ser.PARTICIPANT, participant)}


@handler("idea.edit", IdeaEdit)
def on_idea_edit(data: IdeaEdit):
    """Edit one's own idea."""
    workshop, participant = _participant()
    idea = ops.edit_idea(workshop, participant, data.id, data.text, data.column)
    publish_idea(workshop, idea)
    return {"ok": True, "idea": ser.idea_dict(idea, ser.PARTICIPANT, participant)}


@handler("idea.delete", IdeaDelete)
def on_idea_delete(data: IdeaDelete):
    """Delete one's own idea."""
    workshop, participant = _participant()
    idea = ops.delete_idea(workshop, participant, data.id)
    if idea is not None:
        publish_idea(workshop, idea)
    return {"ok": True}


@handler("vote.set", VoteSet)
def on_vote_set(data: VoteSet):
    """Set the caller's dots on one item."""
    workshop, participant = _participant()
    mine = ops.set_vote(workshop, participant, data.item, data.count)
    results.mark(workshop.id, "tally")
    return {"ok": True, "my_votes": mine, "used": sum(mine.values())}


@handler("rate.set", RateSet)
def on_rate_set(data: RateSet):
    """Set the caller's answer to one statement."""
    workshop, participant = _participant()
    mine = ops.set_rating(workshop, participant, data.statement, data.value)
    results.mark(workshop.id, "rate")
    return {"ok": True, "my_ratings": mine}


@socketio.on_error_default
def on_error(exc):
    """Answer an unexpected failure without a stack trace to the client."""
    db.session.rollback()
    log.error("socket handler failed: %s", type(exc).__name__)
    return fail("server_error")


@socketio.on("*")
def on_unknown(event, *_args):
    """Refuse an event this server does not know, instead of leaving it unanswered."""
    return fail("invalid")
