"""Two real server processes and Redis: a phone keeps up when its process lost Redis."""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.server_process import ServerProcess, free_port, signed_in_facilitator

REDIS = ("127.0.0.1", 6379)


class RedisLink:
    """A TCP relay to Redis that can be cut: while cut, it drops every connection and
    refuses to carry new ones, as a Redis restart or a broken network does."""

    def __init__(self) -> None:
        self.port = free_port()
        self.up = threading.Event()
        self.up.set()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(REDIS, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every relayed connection and refuse new ones."""
        self.up.clear()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def restore(self) -> None:
        """Carry connections again."""
        self.up.set()

    def close(self) -> None:
        self.cut()
        self._server.close()


class Phone:
    """A protocol 2 participant (as the pages are) on the real python-socketio client."""

    def __init__(self, base_url: str, code: str):
        http = requests.Session()
        assert http.get(f"{base_url}/j/{code}").status_code == 200
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on(
            "*", lambda event, *args: self.events.put((event, args[0] if args else None))
        )
        cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        self.client.connect(
            base_url, headers={"Cookie": cookies}, transports=["websocket"], wait_timeout=10
        )
        payload = {"role": "participant", "code": code, "protocol": 2}
        self.joined = self.client.call("join", payload, timeout=10)
        assert self.joined["ok"], self.joined

    def wait_for(self, name: str, timeout: float, match=lambda payload: True):
        """Return the payload of the next event by that name that matches, or None."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event, payload = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if event == name and match(payload):
                return payload
        return None


def _subscribers(client, channel: str) -> int:
    return dict(client.pubsub_numsub(channel))[channel.encode()]


def _wait_subscribers(client, channel: str, count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while _subscribers(client, channel) != count:
        assert time.monotonic() < deadline, f"{channel}: not {count} subscribers"
        time.sleep(0.05)


@pytest.fixture
def redis_client():
    """A Redis client on the machine's Redis, or skip when there is none (not in CI)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis(*REDIS, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    yield client
    client.close()


def test_phone_gets_the_phase_its_process_missed_while_redis_was_away(tmp_path, redis_client):
    """Process B's link to Redis breaks while process A moves the phase, so A's
    announcement never reaches B; once B's listener is subscribed again, the phone on B
    shows the new phase without reloading (its state comes in a `phase` event)."""
    link = RedisLink()
    channel = f"facilitator-test-{uuid.uuid4().hex[:8]}"
    db_url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = ServerProcess(tmp_path / "a", db_url)
    second = ServerProcess(tmp_path / "b", db_url)
    for process, queue_url in ((first, "redis://127.0.0.1:6379/0"), (second, link.url)):
        process.log_path.parent.mkdir(parents=True, exist_ok=True)
        process.env["FACILITATOR_MESSAGE_QUEUE"] = queue_url
        process.env["FACILITATOR_MESSAGE_CHANNEL"] = channel
        process.env["FACILITATOR_SECRET_KEY"] = "shared-secret-for-this-test"
    phone = None
    try:
        first.start()  # first alone: it makes the database
        second.start()
        announcements = f"{channel}.phase"
        _wait_subscribers(redis_client, announcements, 2)
        http, csrf = signed_in_facilitator(first.url)
        api, headers = f"{first.url}/api/v1", {"X-CSRFToken": csrf}
        created = http.post(
            f"{api}/sessions",
            headers=headers,
            json={"model_id": "keep-change-give-up", "title": "Katkos"},
        ).json()
        sid = created["id"]
        assert http.post(f"{api}/sessions/{sid}/start", headers=headers).ok
        assert http.post(f"{api}/sessions/{sid}/phase", json={"to": 1}, headers=headers).ok
        phone = Phone(second.url, created["join_code"])
        assert phone.joined["state"]["phase"]["index"] == 1
        before = phone.joined["state"]["phase"]["id"]

        link.cut()
        _wait_subscribers(redis_client, announcements, 1)  # only A's listener is left
        moved = http.post(f"{api}/sessions/{sid}/phase", json={"to": 2}, headers=headers)
        assert moved.ok, moved.text[:300]
        # A has announced (the answer comes after it); nobody on B heard it.
        assert phone.wait_for("phase", timeout=1) is None
        link.restore()

        event = phone.wait_for("phase", timeout=20, match=lambda p: p.get("index") == 2)
        assert event is not None, "the phone on B never got the phase A moved to"
        assert event["state"]["phase"]["index"] == 2
        assert event["state"]["phase"]["id"] != before
        mine = phone.wait_for("phase.mine", timeout=5)
        assert mine is not None and mine["version"] == event["version"]
        _wait_subscribers(redis_client, announcements, 2)
    finally:
        if phone is not None:
            phone.client.disconnect()
        first.stop()
        second.stop()
        link.close()
    log = second.log()
    assert "phase listener subscribed again: 1 sessions refreshed" in log
    # Nothing about the phone in what B logged about the listener.
    for line in log.splitlines():
        if "phase listener" in line:
            assert created["join_code"] not in line
