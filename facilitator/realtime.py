"""Socket.IO handlers and the one place that publishes to rooms.

Handlers stay thin: authenticate, validate the payload, call `operations`,
then publish once after the commit (`unit_of_work`). Every event is acknowledged with
`{"ok": true, ...}` or `{"ok": false, "error": {code, message}}`.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Literal

from flask import current_app, g, request, session
from flask_login import current_user
from pydantic import BaseModel, StringConstraints, ValidationError

from . import fanout, logins
from . import operations as ops
from . import serializers as ser
from .errors import OperationError, error_dict, new_error_id
from .extensions import SINGLE_WRITE, db, socketio
from .i18n import chosen_language, content_language
from .joinurl import join_address
from .logs import short_traceback, tally
from .models import Participant, Workshop
from .phases import base as uow
from .phases import registry
from .phases.payloads import DB_ID_MAX, Clean, ClientId, DbId, Name, Text, _Payload  # noqa: F401
from .ratelimit import TokenBuckets, client_address, join_limiter

log = logging.getLogger(__name__)


# Payload field types, shared with the kinds' events (facilitator/phases/payloads.py).
class JoinPayload(_Payload):
    role: Literal["participant", "facilitator", "projector"]
    code: Annotated[str, Clean, StringConstraints(max_length=20)] | None = None
    session_id: DbId | None = None
    # 2: the client takes the state from the `phase` event, batched idea deltas and
    # items that refer to ideas by id (facilitator/fanout.py); 1 (default): the old contract.
    protocol: Literal[1, 2] = 1


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
    # What the client understands (JoinPayload.protocol, facilitator/fanout.py).
    protocol: int = 1


# Per-process registry of joined sockets; rebuilt by clients re-joining after a restart.
connections: dict[str, Connection] = {}
_online_lock = threading.Lock()
# Per session: socket id -> participant id, so two tabs of one phone count as one person.
_online: dict[int, dict[str, int]] = {}


def room(workshop_id: int, role: str) -> str:
    """Return the room name for one audience of a session."""
    audience = "participants" if role == ser.PARTICIPANT else role
    return f"s:{workshop_id}:{audience}"


_audience_room = room  # `publish` has a parameter of that name


def _forget_online(workshop_id: int, sid: str) -> None:
    """Drop a socket from a session's online phones."""
    with _online_lock:
        _online.get(workshop_id, {}).pop(sid, None)


def online_count(workshop_id: int) -> int:
    """Return how many phones are connected to a session on this server."""
    return len(set(_online.get(workshop_id, {}).values()))


# --- publishing -------------------------------------------------------------


def participant_room(participant_id: int) -> str:
    """Return the room of one participant's own sockets (joined at `join`)."""
    return f"p:{participant_id}"


def group_room(workshop_id: int, group: int | str) -> str:
    """Return the room of one small group of a session."""
    return f"s:{workshop_id}:group:{group}"


def enter_kind_rooms(workshop: Workshop, participant: Participant | None) -> None:
    """Put the caller's socket into its finer rooms now (its small group), leaving old ones."""
    if participant is None:
        return
    wanted = set(registry.rooms(workshop, ops.workshop_model(workshop), participant))
    prefix = f"s:{workshop.id}:group:"
    for name in socketio.server.rooms(request.sid):
        if name.startswith(prefix) and name not in wanted:
            socketio.server.leave_room(request.sid, name)
    for name in wanted:
        socketio.server.enter_room(request.sid, name)


def publish(workshop_id: int, event: str, payload: dict, roles=None, room=None) -> None:
    """Send one event to audiences of a session and/or finer rooms (call after commit).

    `roles`: audiences (all three unless `room` is given); `room`: a room name or a
    list of them (`participant_room`, `group_room`), which must belong to the session
    or be a participant's own room.
    """
    if event == "phase" and roles is None and room is None:
        # The phase change (operations.announce_phase): each screen gets its new state.
        workshop = db.session.get(Workshop, workshop_id)
        if workshop is not None:
            publish_phase(workshop)
            return
    if roles is None:
        roles = ser.ROLES if room is None else ()
    for role in roles:
        if role == ser.PARTICIPANT:
            # Protocol 1 and 2 phones apart: idea deltas batched, each text once.
            fanout.to_phones(workshop_id, event, payload)
        else:
            socketio.emit(event, payload, to=_audience_room(workshop_id, role))
    extra = [room] if isinstance(room, str) else list(room or ())
    if extra:
        ser.bump(workshop_id)
    for name in extra:
        if not (name.startswith(f"s:{workshop_id}:") or name.startswith("p:")):
            raise ValueError("a room of another session")
        socketio.emit(event, payload, to=name)


def send_publication(pub: uow.Publication | None) -> None:
    """Publish what a committed unit of work collected."""
    if pub:
        pub.send(publish, results.mark)


def commit_and_publish() -> None:
    """End a unit of work: one commit, then publish what its operations queued."""
    db.session.commit()
    send_publication(g.pop("publication", None))


@contextmanager
def unit_of_work(send: bool = True, single_write: bool = False) -> Iterator[uow.Publication]:
    """Run the block as one unit of work: one commit at the end, then publish.

    Operations inside write and queue on the yielded `Publication` but never commit.
    Leaving the block normally commits once and (with `send`) publishes what was
    queued; an exception rolls everything back, publishes nothing and propagates.
    Inside another unit of work (a CLI command wrapping an operation that opens its
    own) the block joins the outer one: only the outermost commits and publishes.
    With `send=False` the caller publishes the yielded outbox itself after the block
    (`send_publication`), e.g. to answer a failure there differently.

    `single_write`: the block writes at most one statement, so it runs without BEGIN
    and COMMIT, the write being its own transaction (`extensions.guard_single_writes`
    refuses a second one); the commit and the publication still come after it.
    """
    if g.get("unit_of_work_open"):
        yield uow.publication()
        return
    pub = uow.begin()
    g.unit_of_work_open = True
    try:
        if single_write:
            db.session.connection(execution_options=SINGLE_WRITE).info["facilitator_writes"] = 0
        yield pub
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        g.pop("unit_of_work_open", None)
        uow.discard()
    if send:
        send_publication(pub)


def publish_phase(workshop: Workshop) -> None:
    """Tell every screen the phase or session state changed (facilitator/fanout.py).

    Protocol 2 clients get their new state with the event (built once per audience and
    language, phones their own part in `phase.mine`); protocol 1 clients re-sync.
    """
    try:
        join_url = join_address(workshop).url
    except RuntimeError:  # no request (a command): phones do not show the address
        join_url = ""
    fanout.publish_phase(workshop, connections, join_url, online_count(workshop.id))


_presence_lock = threading.Lock()
_presence_last: dict[int, float] = {}
_presence_pending: set[int] = set()


def publish_presence(workshop_id: int) -> None:
    """Send joined/online counts to the facilitator and projector.

    At most once per `RESULTS_INTERVAL` per session (a join storm of a thousand phones
    sends a few dozen, not a thousand): the first at once, then one fresh at the end.
    """
    app = current_app._get_current_object()
    interval = app.config["RESULTS_INTERVAL"]
    with _presence_lock:
        if workshop_id in _presence_pending:
            return
        wait = _presence_last.get(workshop_id, 0.0) + interval - time.monotonic()
        if wait > 0:
            _presence_pending.add(workshop_id)
        else:
            _presence_last[workshop_id] = time.monotonic()
    if wait > 0:
        socketio.start_background_task(_presence_later, app, workshop_id, wait)
        return
    _send_presence(workshop_id)


def _presence_later(app, workshop_id: int, wait: float) -> None:
    """Send a session's presence after `wait` seconds (a background task: a failure,
    such as the database being away, is logged in one line, not as a traceback)."""
    socketio.sleep(wait)
    with app.app_context():
        with _presence_lock:
            _presence_pending.discard(workshop_id)
            _presence_last[workshop_id] = time.monotonic()
        try:
            _send_presence(workshop_id)
        except Exception as exc:  # noqa: BLE001  the next join or leave sends it again
            if tally.allow("presence failures"):
                log.warning("presence update failed: %s", short_traceback(exc))


def _send_presence(workshop_id: int) -> None:
    """Count and send a session's presence now."""
    # Its own connection, not db.session: a disconnect can run inside another
    # handler's emit (Engine.IO closes dead sockets there) and must not touch
    # that handler's session.
    # One read: no BEGIN and ROLLBACK around it.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
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
        for protocol in fanout.PROTOCOLS:
            socketio.close_room(fanout.protocol_room(workshop_id, role, protocol))
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
        registry.kind(kind).flush(workshop, publish)


results = Coalescer()


# --- handler plumbing -----------------------------------------------------------


def fail(code: str, **params) -> dict:
    """Return an error acknowledgement."""
    return {"ok": False, "error": error_dict(code, **params)}


def _buckets(name: str) -> TokenBuckets:
    """Return one of this app's token-bucket tables (per app: tests never share counts)."""
    tables = current_app.extensions.setdefault("facilitator_buckets", {})
    table = tables.get(name)
    if table is None:
        table = tables[name] = TokenBuckets()
    return table


def _participant_over_budget(conn: Connection | None) -> bool:
    """Take one event from the participant's budget (all its sockets together)."""
    if conn is None or conn.participant_id is None:
        return False
    config = current_app.config
    left = _buckets("participant_events").take(
        conn.participant_id, config["PARTICIPANT_EVENT_BURST"], config["PARTICIPANT_EVENT_RATE"]
    )
    return left < 0


def unexpected(exc: BaseException, where: str) -> dict:
    """Log an unexpected failure with a fresh error id and return the `server_error` ack.

    The line names the event and where the code failed, never the payload, the
    exception's message (database errors quote parameters) or who sent it.
    """
    error_id = new_error_id()
    if tally.allow("unexpected socket errors"):
        log.error("%s failed [error %s]: %s", where, error_id, short_traceback(exc))
    return fail("server_error", error_id=error_id)


def handler(event: str, payload_model: type[BaseModel] | None, single_write: bool = False):
    """Register a socket event: limit, validate its payload, map refusals to error acks.

    `single_write`: the event's operation writes at most one statement
    (`unit_of_work`).
    """

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
            # Before any validation or database work: cheap, and a flood stays cheap.
            if _participant_over_budget(conn):
                return fail("rate_limited")
            if extra:
                return fail("invalid")
            if payload_model is not None:
                try:
                    data = payload_model.model_validate(data if data is not None else {})
                except (ValidationError, ValueError, TypeError, RecursionError):
                    return fail("invalid")
            # One unit of work: the operation queues, one commit, then publish, then ack.
            try:
                with unit_of_work(send=False, single_write=single_write) as pub:
                    ack = fn(data)
            except OperationError as exc:
                return {"ok": False, "error": exc.to_dict()}
            except Exception as exc:
                return unexpected(exc, f"socket event {event}")
            try:
                send_publication(pub)
                return ack
            except Exception as exc:
                return unexpected(exc, f"socket event {event} (publish)")
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


def _participant() -> tuple[Workshop, fanout.PhoneRef]:
    """Return the caller's session and participant, or refuse.

    The participant is its id (`fanout.PhoneRef`), not its row: the kinds' operations
    need only the id, and a write locks the row itself when it must.
    """
    conn, workshop = _joined()
    if conn.role != ser.PARTICIPANT or conn.participant_id is None:
        raise OperationError("forbidden")
    return workshop, fanout.PhoneRef(conn.participant_id)


def _snapshot(conn: Connection, workshop: Workshop) -> dict:
    """Return the snapshot for a connection's role."""
    participant = db.session.get(Participant, conn.participant_id) if conn.participant_id else None
    lang = content_language(ops.workshop_model(workshop), conn.language, workshop.language)
    if conn.role == ser.PARTICIPANT:
        # The shared part is built once per version for every phone (a join storm).
        compact = conn.protocol == 2
        shared, ctx = ser.cached_shared(
            workshop, conn.role, lang, join_address(workshop).url, compact=compact
        )
        return ser.personalize(ser.fresh(shared, workshop), ctx, participant)
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


@handler("join", JoinPayload, single_write=True)
def on_join(data: JoinPayload):
    """Join a session's room for one role and return the full snapshot.

    Its one write is a new phone's participant row (`single_write`: no BEGIN/COMMIT).
    """
    if data.role == ser.PARTICIPANT:
        workshop, participant = _join_as_participant(data.code or "")
        language = chosen_language() or workshop.language
        conn = Connection(workshop.id, data.role, participant.id, language, data.protocol)
    else:
        workshop = db.session.get(Workshop, data.session_id) if data.session_id else None
        if workshop is None:
            raise OperationError("not_found")
        from .teams import can_run

        # Its facilitator, or a facilitator the session's team is shared with.
        if not current_user.is_authenticated or not can_run(current_user, workshop):
            raise OperationError("forbidden")
        # The control view follows its user's choice; the projector the session's language.
        language = workshop.language
        if data.role == ser.FACILITATOR:
            language = chosen_language() or current_user.language or workshop.language
        conn = Connection(workshop.id, data.role, language=language, protocol=data.protocol)
    previous = connections.get(request.sid)
    if previous is not None:
        socketio.server.leave_room(request.sid, room(previous.workshop_id, previous.role))
        socketio.server.leave_room(
            request.sid,
            fanout.protocol_room(previous.workshop_id, previous.role, previous.protocol),
        )
        if previous.participant_id is not None:
            socketio.server.leave_room(request.sid, participant_room(previous.participant_id))
        _forget_online(previous.workshop_id, request.sid)
    connections[request.sid] = conn
    socketio.server.enter_room(request.sid, room(workshop.id, conn.role))
    socketio.server.enter_room(
        request.sid, fanout.protocol_room(workshop.id, conn.role, conn.protocol)
    )
    if conn.role != ser.PARTICIPANT and logins.socket_room():
        # Signing out disconnects the control view and projector (logins.end_sockets).
        socketio.server.enter_room(request.sid, logins.socket_room())
    if conn.participant_id is not None:
        # A participant's own sockets (two tabs, a reconnect) share a room of their own.
        socketio.server.enter_room(request.sid, participant_room(conn.participant_id))
    if conn.role == ser.PARTICIPANT:
        with _online_lock:
            _online.setdefault(workshop.id, {})[request.sid] = conn.participant_id
        # After the commit: a phone joining for the first time counts once its row is stored.
        workshop_id = workshop.id
        uow.publication().once(("presence", workshop_id), lambda _: publish_presence(workshop_id))
        enter_kind_rooms(workshop, db.session.get(Participant, conn.participant_id))
    return {"ok": True, "state": _snapshot(conn, workshop)}


def _join_as_participant(code: str) -> tuple[Workshop, Participant]:
    """Return the session and participant a phone joins, or refuse.

    A phone can join only with the token `/j/<code>` left in its cookie. An unknown
    code and a code this phone holds no token for get the same answer, and both count
    against the address's join limit shared with `/join` and `/j/<code>`: the socket
    is no faster way to guess codes. A phone that holds a token is never limited.
    """
    address = client_address(request.environ)
    workshop = ops.find_workshop_by_code(code)
    token = participant_token(workshop.id) if workshop is not None else None
    if workshop is None or token is None:
        if join_limiter.exceeded(address):
            raise OperationError("rate_limited")
        join_limiter.hit(address)
        raise OperationError("session_not_found")
    participant = ops.find_participant(token)
    if participant is None:
        # Fresh phones from one address: a whole room behind one NAT joins at once,
        # a script making hundreds of participants does not.
        config = current_app.config
        per_minute = config["NEW_PARTICIPANTS_PER_ADDRESS_PER_MINUTE"]
        left = _buckets("new_participants").take(
            (address, workshop.id), config["NEW_PARTICIPANTS_PER_ADDRESS_BURST"], per_minute / 60
        )
        if left < 0:
            raise OperationError("rate_limited")
    return workshop, ops.join_participant(workshop, token, participant)


def ideas_over_budget(workshop_id: int) -> bool:
    """Take one idea from the address's budget in this session (fresh phones cannot bypass it)."""
    config = current_app.config
    left = _buckets("address_ideas").take(
        (client_address(request.environ), workshop_id),
        config["IDEAS_PER_ADDRESS_BURST"],
        config["IDEAS_PER_ADDRESS_RATE"],
    )
    return left < 0


@handler("sync", SyncPayload)
def on_sync(_data):
    """Return a fresh snapshot without rejoining."""
    conn, workshop = _joined()
    if conn.participant_id is not None:
        enter_kind_rooms(workshop, db.session.get(Participant, conn.participant_id))
    return {"ok": True, "state": _snapshot(conn, workshop)}


# Each phase kind's own events (idea.*, vote.set, rate.set, ...).
registry.register_events(handler)


# --- team boards (facilitator/teams.py) ---------------------------------------------


class TeamJoinPayload(_Payload):
    # A facilitator's board: the team id; a page opened through the team link: its secret.
    team_id: DbId | None = None
    link: Annotated[str, StringConstraints(max_length=100)] | None = None


def publish_team(team_id: int, event: str, payload: dict) -> None:
    """Send one event to every open board of a team (call after the commit)."""
    from .teams import team_room

    socketio.emit(event, payload, to=team_room(team_id))


def end_team_link(team_id: int) -> None:
    """Tell the pages opened through a team's old link that it ended, and drop them."""
    from .teams import link_room, team_room

    name = link_room(team_id)
    socketio.emit("team.link_ended", {"error": error_dict("link_revoked")}, to=name)
    # They hear nothing more of the team either.
    for sid, _eio_sid in list(socketio.server.manager.get_participants("/", name)):
        socketio.server.leave_room(sid, team_room(team_id))
    socketio.close_room(name)


@handler("team.join", TeamJoinPayload)
def on_team_join(data: TeamJoinPayload):
    """Join a team's board room (facilitator: own or shared team; else a live team link)."""
    from . import teams

    if data.link is not None:
        team = teams.team_for_secret(data.link)
        if team is None:
            raise OperationError("link_revoked")
        rooms = (teams.team_room(team.id), teams.link_room(team.id))
    else:
        if data.team_id is None or not current_user.is_authenticated:
            raise OperationError("forbidden")
        team = teams.visible_team(current_user, data.team_id)
        if team is None:
            raise OperationError("not_found")
        rooms = (teams.team_room(team.id),)
        if logins.socket_room():
            socketio.server.enter_room(request.sid, logins.socket_room())
    for name in rooms:
        socketio.server.enter_room(request.sid, name)
    return {"ok": True, "team_id": team.id}


@socketio.on_error_default
def on_error(exc):
    """Answer an unexpected failure without a stack trace to the client."""
    db.session.rollback()
    return unexpected(exc, "socket handler")


@socketio.on("*")
def on_unknown(event, *_args):
    """Refuse an event this server does not know, instead of leaving it unanswered."""
    return fail("invalid")


# --- flood guard ----------------------------------------------------------------

# Event names the Socket.IO library itself uses: a client sending them as events
# (e.g. a fake "disconnect" that would un-join the socket) gets `invalid`.
RESERVED_EVENTS = frozenset({"connect", "disconnect", "connect_error", "*", "message"})
_PACKET_PREFIX = re.compile(r"^([0-6])(?:\d+-)?(/[^,]*,)?(\d{1,15})?")


class FloodGuard:
    """Stands in front of python-socketio's packet dispatch, per socket.

    Engine.IO hands every incoming message to `on_message` in the socket's own
    reader loop; python-socketio would decode it and start a task for each event,
    so a flood of tiny packets grew memory without bound. Here each packet first
    takes a token from its socket's bucket (before decoding, validation or any
    database work): over the burst it is answered `rate_limited` at once and never
    dispatched; far over (`SOCKET_FLOOD_DISCONNECT` times the burst) the socket is
    disconnected. Malformed packets, binary packets (unused) and library event names
    are refused here too, and counted in a periodic log summary rather than logged.
    """

    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.sockets = TokenBuckets(max_keys=100_000)
        self._lock = threading.Lock()
        # Socket -> handlers started and not yet finished.
        self._pending: dict[str, int] = {}
        self._acks: dict[tuple[str, str], dict] = {}
        self._dispatch = server._handle_eio_message
        self._eio_disconnect = server._handle_eio_disconnect
        server._handle_eio_message = self.on_message
        server._handle_eio_disconnect = self.on_disconnect
        server.eio.on("message", self.on_message)
        server.eio.on("disconnect", self.on_disconnect)

    # Engine.IO callbacks -------------------------------------------------------

    def on_message(self, eio_sid: str, data) -> None:
        """Limit, check and dispatch one Socket.IO packet."""
        if eio_sid not in self.server.environ:
            # The socket was closed (e.g. for flooding) while packets were still coming:
            # drop them, letting other clients run between them.
            self.server.sleep(0)
            return
        if not isinstance(data, str):
            tally.count("binary packets refused")
            return
        match = _PACKET_PREFIX.match(data)
        namespace = (match.group(2) or "/,")[:-1] if match else "/"
        ack_id = int(match.group(3)) if match and match.group(3) else None
        config = self.app.config
        burst = config["SOCKET_EVENT_BURST"]
        floor = -burst * (config["SOCKET_FLOOD_DISCONNECT"] - 1)
        left = self.sockets.take(eio_sid, burst, config["SOCKET_EVENT_RATE"], floor)
        if left < 0:
            tally.count("socket packets refused for flooding")
            if left <= floor:
                self._disconnect(eio_sid, namespace)
            else:
                self._answer(eio_sid, namespace, ack_id, "rate_limited")
                # A flood's packets arrive back to back: let everyone else run in between.
                self.server.sleep(0)
            return
        if match is None or match.group(1) in "56":
            tally.count("malformed packets")
            self._answer(eio_sid, namespace, ack_id, "invalid")
            return
        try:
            if match.group(1) != "2":
                self._dispatch(eio_sid, data)
                return
            pkt = self.server.packet_class(encoded_packet=data)
        except Exception:  # noqa: BLE001  any undecodable packet: count, never log it
            tally.count("malformed packets")
            self._answer(eio_sid, namespace, ack_id, "invalid")
            return
        event = pkt.data[0] if isinstance(pkt.data, list) and pkt.data else None
        handlers = self.server.handlers.get(pkt.namespace or "/", {})
        if not isinstance(event, str) or event in RESERVED_EVENTS or event not in handlers:
            self._answer(eio_sid, namespace, pkt.id, "invalid")
            return
        self._run_event(eio_sid, pkt)

    def _run_event(self, eio_sid: str, pkt) -> None:
        """Run an event's handler, at most SOCKET_MAX_PENDING at once per socket.

        A phone sends its writes one at a time (the outbox) plus a `join` or `sync`;
        more unanswered events than that is a flood, refused without starting a task,
        so one socket can never keep more than a few handlers busy.
        """
        namespace = pkt.namespace or "/"
        sid = self.server.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not self.server.manager.is_connected(sid, namespace):
            return
        with self._lock:
            pending = self._pending.get(eio_sid, 0)
            if pending >= self.app.config["SOCKET_MAX_PENDING"]:
                busy = True
            else:
                busy = False
                self._pending[eio_sid] = pending + 1
        if busy:
            tally.count("socket packets refused for flooding")
            self._answer(eio_sid, namespace, pkt.id, "rate_limited")
            return
        if self.server.async_handlers:
            self.server.start_background_task(self._handle, sid, eio_sid, pkt)
        else:
            self._handle(sid, eio_sid, pkt)

    def _handle(self, sid: str, eio_sid: str, pkt) -> None:
        """Call python-socketio's handler and acknowledge; then free the socket's slot."""
        try:
            self.server._handle_event_internal(
                self.server, sid, eio_sid, pkt.data, pkt.namespace or "/", pkt.id
            )
        finally:
            with self._lock:
                left = self._pending.get(eio_sid, 1) - 1
                if left > 0:
                    self._pending[eio_sid] = left
                else:
                    self._pending.pop(eio_sid, None)

    def on_disconnect(self, eio_sid: str, *args) -> None:
        """Forget the socket's bucket, then let python-socketio clean up."""
        self.sockets.forget(eio_sid)
        self._eio_disconnect(eio_sid, *args)

    # helpers ---------------------------------------------------------------------

    def _answer(self, eio_sid: str, namespace: str, ack_id: int | None, code: str) -> None:
        """Acknowledge an event with an error, in the socket's language, without a task."""
        if ack_id is None:
            return
        from socketio import packet

        sid = self.server.manager.sid_from_eio_sid(eio_sid, namespace or "/")
        conn = connections.get(sid) if sid else None
        language = conn.language if conn else self.app.config.get("BABEL_DEFAULT_LOCALE", "fi")
        ack = {"ok": False, "error": self._error(code, language)}
        try:
            self.server._send_packet(
                eio_sid,
                self.server.packet_class(packet.ACK, namespace=namespace, id=ack_id, data=[ack]),
            )
        except Exception:  # noqa: BLE001  the socket went away meanwhile
            tally.count("answers to closed sockets dropped")

    def _error(self, code: str, language: str) -> dict:
        """Return a translated error pair, made once per code and language."""
        key = (code, language)
        if key not in self._acks:
            from flask_babel import force_locale

            with self.app.test_request_context(), force_locale(language):
                self._acks[key] = error_dict(code)
        return self._acks[key]

    def _disconnect(self, eio_sid: str, namespace: str) -> None:
        """Close a flooding socket: Socket.IO first, then its Engine.IO transport."""
        tally.count("sockets disconnected for flooding")
        sid = self.server.manager.sid_from_eio_sid(eio_sid, namespace or "/")
        transport = self.server.eio.sockets.get(eio_sid)
        if transport is not None:
            # Engine.IO's websocket reader keeps reading a closed socket's packets until
            # `receive` raises: make it raise, so the reader ends and the connection closes
            # instead of draining the rest of the flood.
            from engineio.exceptions import SocketIsClosedError

            def closed(_packet):
                raise SocketIsClosedError()

            transport.receive = closed
        try:
            if sid is not None:
                self.server.disconnect(sid, namespace=namespace or "/")
            if eio_sid in self.server.eio.sockets:
                self.server.eio.disconnect(eio_sid)
            else:
                self.on_disconnect(eio_sid, self.server.reason.SERVER_DISCONNECT)
        except Exception:  # noqa: BLE001  already gone
            pass


def install_flood_guard(app) -> FloodGuard:
    """Put the flood guard in front of this app's Socket.IO server (after init_app)."""
    global _summary_started
    guard = FloodGuard(app, socketio.server)
    app.extensions["facilitator_flood_guard"] = guard
    if not _summary_started:
        _summary_started = True
        socketio.start_background_task(_summarise_logs)
    return guard


_summary_started = False


def _summarise_logs() -> None:
    """Write the counted-log summaries once a minute even when nothing new arrives."""
    while True:
        socketio.sleep(tally.interval)
        tally.flush()
