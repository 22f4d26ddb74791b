"""Phase changes and idea deltas to many screens at the speed of the wire.

A client that joins with `"protocol": 2` (`common.js` does) gets:
- at a phase change, its new state in the `phase` event itself: the part every screen of
  its audience and language shares is built once (`serializers.cached_shared`) and sent
  to all of them in one emit (encoded once); a phone then gets `phase.mine`, its own
  small patch (own ideas, dots, answers) computed for all phones from rows loaded once;
- idea deltas gathered per `IDEA_BATCH_INTERVAL` (0.25 s) into one `ideas.batch` event
  while phones show the wall (the projector and the control view get them at once);
- snapshots whose ballot items refer to the ideas by id (`serializers.refer_items`).
Protocol 1 clients (older pages, scripts) keep the old contract: `phase` is a signal to
`sync`, and every idea delta is its own event. Each audience room has two sub-rooms,
`<room>:1` and `<room>:2`, so one emit reaches each kind of client.

Rooms span processes through the message queue, the per-socket lists here do not: with
a message queue (several processes), the process that committed a phase change sends the
protocol 1 signal through the queue, builds the state for its own protocol 2 sockets, and
announces the change on a Redis channel of its own (`<SOCKETIO_CHANNEL>.phase`: session
id, version, join address; nothing about a participant). Every other process's listener
(`start_phase_listener`) then builds the state once per (audience, language) for its own
sockets and sends it with `phase` and `phase.mine` to them only (`ignore_queue`).
Announcements published while a listener is not subscribed (Redis restarted, the
connection dropped) are gone: when it subscribes again, it sends every session with
sockets on its process the current state the same way (`refresh_local`).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass

from flask import current_app

from . import serializers as ser
from .extensions import db, socketio
from .models import Workshop


@dataclass(frozen=True)
class PhoneRef:
    """A joined phone as the kinds' per-phone hooks see it: its participant id only."""

    id: int


IDEA_EVENTS = frozenset({"idea.added", "idea.updated", "idea.removed"})
IDEA_BATCH_INTERVAL = 0.25
PROTOCOLS = (1, 2)


def audience_room(workshop_id: int, role: str) -> str:
    """Return the room of one audience of a session (as `realtime.room`)."""
    audience = "participants" if role == ser.PARTICIPANT else role
    return f"s:{workshop_id}:{audience}"


def protocol_room(workshop_id: int, role: str, protocol: int) -> str:
    """Return the sub-room of an audience's clients speaking one protocol version."""
    return f"{audience_room(workshop_id, role)}:{protocol}"


def single_process() -> bool:
    """Tell whether this process sees every socket of a session (no message queue)."""
    return not current_app.config.get("SOCKETIO_MESSAGE_QUEUE")


def batch_interval() -> float:
    """Return how long idea deltas to phones are gathered (0: not at all)."""
    return float(current_app.config.get("IDEA_BATCH_INTERVAL", IDEA_BATCH_INTERVAL))


class IdeaBatcher:
    """Gathers idea deltas to protocol 2 phones per session and sends them as one event.

    The first delta starts the interval; everything arriving within it goes out in one
    `ideas.batch` `{"events": [[name, payload], ...]}`, in the order published. Any other
    event to those phones sends the gathered ones first, so nothing is reordered.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, list] = {}

    def add(self, room: str, event: str, payload: dict, interval: float) -> None:
        """Queue one idea delta for a room; start its interval if it is the first."""
        with self._lock:
            events = self._pending.get(room)
            first = events is None
            if first:
                events = self._pending[room] = []
            events.append([event, payload])
        if first:
            socketio.start_background_task(self._later, room, interval)

    def _later(self, room: str, interval: float) -> None:
        socketio.sleep(interval)
        self.flush(room)

    def flush(self, room: str) -> None:
        """Send what is gathered for a room now (nothing when empty)."""
        with self._lock:
            events = self._pending.pop(room, None)
        if events:
            socketio.emit("ideas.batch", {"events": events}, to=room)


batcher = IdeaBatcher()


def to_phones(workshop_id: int, event: str, payload: dict) -> None:
    """Send one event to a session's phones: protocol 1 as it is, protocol 2 batched or
    with each text once (`serializers.for_phones`)."""
    ser.bump(workshop_id)
    socketio.emit(event, payload, to=protocol_room(workshop_id, ser.PARTICIPANT, 1))
    room = protocol_room(workshop_id, ser.PARTICIPANT, 2)
    interval = batch_interval()
    if event in IDEA_EVENTS and interval > 0:
        batcher.add(room, event, payload, interval)
        return
    batcher.flush(room)
    socketio.emit(event, ser.for_phones(payload), to=room)


def publish_phase(workshop: Workshop, connections: dict, join_url: str, online: int = 0) -> None:
    """Tell every screen of a session the phase or session state changed.

    Protocol 1 sockets get `{"index", "status"}` and sync. Protocol 2 sockets get
    `{"index", "status", "version", "state", "mine"}`: `state` built once per
    (audience, content language) in each process for its own sockets; phones then get
    `phase.mine` with their own patch. With a message queue the other processes hear of
    the change on the announcement channel and do the same for their sockets.
    """
    wid = workshop.id
    if single_process():
        version = ser.bump(wid)
        batcher.flush(protocol_room(wid, ser.PARTICIPANT, 2))
        for role in ser.ROLES:
            socketio.emit("phase", _base(workshop), to=protocol_room(wid, role, 1))
        _send_local(workshop, connections, join_url, online, version)
        return
    # The protocol 1 signal reaches every process's sockets through the queue at once.
    for role in ser.ROLES:
        socketio.emit("phase", _base(workshop), to=protocol_room(wid, role, 1))
    _join_urls[wid] = join_url
    version = ser.bump(wid)
    batcher.flush(protocol_room(wid, ser.PARTICIPANT, 2))
    _announce(wid, version, join_url)
    _send_local(workshop, connections, join_url, online, version)


def _base(workshop: Workshop) -> dict:
    return {"index": workshop.phase_index, "status": workshop.status.value}


def _send_local(
    workshop: Workshop, connections: dict, join_url: str, online: int, version: int
) -> None:
    """Send the new state to this process's protocol 2 sockets of a session, and to no
    other process's (`ignore_queue`: the message queue is not used)."""
    from .i18n import content_language

    wid = workshop.id
    base = _base(workshop)
    model = ser.ops.workshop_model(workshop)
    # Protocol 2 sockets of this session on this process, by (role, content language).
    groups: dict[tuple[str, str], list[tuple[str, int | None]]] = {}
    for sid, conn in list(connections.items()):
        if conn.workshop_id != wid or getattr(conn, "protocol", 1) != 2:
            continue
        lang = content_language(model, conn.language, workshop.language)
        groups.setdefault((conn.role, lang), []).append((sid, conn.participant_id))
    for (role, lang), sockets in groups.items():
        if role == ser.PARTICIPANT:
            shared, ctx = ser.cached_shared(workshop, role, lang, join_url, compact=True)
        else:
            shared, ctx = ser.shared_snapshot(workshop, role, join_url, online, lang)
        shared = ser.fresh(shared, workshop)
        payload = {**base, "version": version, "state": shared, "mine": role == ser.PARTICIPANT}
        socketio.emit("phase", payload, to=[sid for sid, _ in sockets], ignore_queue=True)
        if role != ser.PARTICIPANT:
            continue
        # The kinds' per-phone hooks read only `participant.id`: no rows to load.
        participants = [PhoneRef(pid) for pid in sorted({pid for _, pid in sockets if pid})]
        patches = ser.personal_patches(shared, ctx, participants)
        # Phones whose patches are equal (at the start of a vote, every phone's "no dots
        # yet") get one emit: the message is encoded once, each phone still gets only
        # its own patch.
        alike: dict[str, tuple[dict, list[str]]] = {}
        for sid, pid in sockets:
            patch = patches.get(pid, {})
            key = json.dumps(patch, sort_keys=True, separators=(",", ":"))
            alike.setdefault(key, (patch, []))[1].append(sid)
        for patch, sids in alike.values():
            mine = {"version": version, "patch": patch}
            socketio.emit("phase.mine", mine, to=sids, ignore_queue=True)


# --- several processes: the phase change announced to every process -------------------

# This process, so that its listener skips its own announcements (it has sent them).
HOST_ID = uuid.uuid4().hex
_listening: set[str] = set()
_listening_lock = threading.Lock()
# The last join address heard per session, for a refresh that has no announcement.
_join_urls: dict[int, str] = {}
log = logging.getLogger("facilitator.fanout")


def announce_channel(config) -> str:
    """Return the Redis channel of phase announcements (beside Socket.IO's own)."""
    return f"{config.get('SOCKETIO_CHANNEL') or 'facilitator'}.phase"


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def _announce(workshop_id: int, version: int, join_url: str) -> None:
    """Tell the other processes a session's phase changed (after the commit)."""
    config = current_app.config
    message = {"workshop_id": workshop_id, "version": version, "join_url": join_url}
    message["host"] = HOST_ID
    try:
        client = current_app.extensions.get("facilitator_announcer")
        if client is None:
            client = current_app.extensions["facilitator_announcer"] = _redis(
                config["SOCKETIO_MESSAGE_QUEUE"]
            )
        client.publish(announce_channel(config), json.dumps(message))
    except Exception as exc:  # noqa: BLE001  the change is committed; phones can sync
        log.error("phase announcement failed (%s)", type(exc).__name__)


def start_phase_listener(app) -> None:
    """Listen for other processes' phase announcements (once per process and channel;
    only with a message queue)."""
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return
    channel = announce_channel(app.config)
    with _listening_lock:
        if channel in _listening:
            return
        _listening.add(channel)
    socketio.start_background_task(_listen, app, url, channel)


def _listen(app, url: str, channel: str) -> None:
    # Redis confirms every subscription, also redis-py's own resubscribing after a
    # dropped connection: any confirmation after the first means announcements were lost.
    subscribed = False
    while True:
        try:
            pubsub = _redis(url).pubsub()
            pubsub.subscribe(channel)
            for message in pubsub.listen():
                kind = message.get("type")
                if kind == "message":
                    _on_announcement(app, message["data"])
                elif kind == "subscribe":
                    if subscribed:
                        _refresh_all(app)
                    subscribed = True
        except Exception as exc:  # noqa: BLE001  the listener must outlive Redis restarts
            log.error("phase listener: %s; listening again in 1 s", type(exc).__name__)
        socketio.sleep(1)


def refresh_local(workshop_id: int, join_url: str) -> None:
    """Send a session's current state to this process's sockets of it (in an app context)."""
    from . import realtime

    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        return
    # This process's own version (a phone's `phase.mine` matches it); the cached
    # shared snapshots of the session are stale from here.
    version = ser.bump(workshop_id)
    batcher.flush(protocol_room(workshop_id, ser.PARTICIPANT, 2))
    _send_local(
        workshop,
        realtime.connections,
        join_url,
        realtime.online_count(workshop_id),
        version,
    )


def _on_announcement(app, data) -> None:
    """Another process changed a session's phase: send the state to this one's sockets."""
    message = json.loads(data)
    if message.get("host") == HOST_ID:
        return
    wid = int(message["workshop_id"])
    join_url = _join_urls[wid] = str(message.get("join_url") or "")
    with app.app_context():
        try:
            refresh_local(wid, join_url)
        except Exception as exc:  # noqa: BLE001  one bad message must not stop the rest
            log.error("phase announcement not delivered here (%s)", type(exc).__name__)
        finally:
            db.session.remove()


def _refresh_all(app) -> None:
    """The listener subscribed again: send every session with sockets here its state."""
    from . import realtime

    sessions = sorted({conn.workshop_id for conn in list(realtime.connections.values())})
    failed: list[str] = []
    with app.app_context():
        for wid in sessions:
            try:
                refresh_local(wid, _join_urls.get(wid, ""))
            except Exception as exc:  # noqa: BLE001  the other sessions still get theirs
                failed.append(type(exc).__name__)
                db.session.rollback()
        db.session.remove()
    if failed:
        log.error(
            "phase listener subscribed again: %d of %d sessions not refreshed (%s)",
            len(failed),
            len(sessions),
            ", ".join(sorted(set(failed))),
        )
    else:
        log.info("phase listener subscribed again: %d sessions refreshed", len(sessions))
