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
a message queue, every client gets the protocol 1 `phase` signal and syncs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import current_app

from . import serializers as ser
from .extensions import socketio
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

    Protocol 1 sockets get `{"index", "status"}` and sync. Protocol 2 sockets of this
    process get `{"index", "status", "version", "state", "mine"}`: `state` built once per
    (audience, content language); phones then get `phase.mine` with their own patch.
    """
    from .i18n import content_language

    wid = workshop.id
    version = ser.bump(wid)
    base = {"index": workshop.phase_index, "status": workshop.status.value}
    phones = protocol_room(wid, ser.PARTICIPANT, 2)
    batcher.flush(phones)
    if not single_process():
        for role in ser.ROLES:
            socketio.emit("phase", base, to=audience_room(wid, role))
        return
    for role in ser.ROLES:
        socketio.emit("phase", base, to=protocol_room(wid, role, 1))
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
        socketio.emit("phase", payload, to=[sid for sid, _ in sockets])
        if role != ser.PARTICIPANT:
            continue
        # The kinds' per-phone hooks read only `participant.id`: no rows to load.
        participants = [PhoneRef(pid) for pid in sorted({pid for _, pid in sockets if pid})]
        patches = ser.personal_patches(shared, ctx, participants)
        for sid, pid in sockets:
            mine = {"version": version, "patch": patches.get(pid, {})}
            socketio.emit("phase.mine", mine, to=sid)
