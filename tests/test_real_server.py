"""The real server process and the real Socket.IO client: reconnects and restarts."""

from __future__ import annotations

import queue
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.server_process import ServerProcess, signed_in_facilitator


class RealPhone:
    """A participant with the real python-socketio client and its own cookies."""

    def __init__(self, base_url: str, code: str):
        self.http = requests.Session()
        assert self.http.get(f"{base_url}/j/{code}").status_code == 200
        self.code = code
        self.events: queue.Queue = queue.Queue()
        self.states: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=1)
        self.client.on("connect", self._on_connect)
        self.client.on("*", lambda event, *args: self.events.put((event, args[0] if args else None)))
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.client.connect(base_url, headers={"Cookie": cookies}, transports=["websocket"],
                            wait_timeout=10)

    def _on_connect(self):
        # Like the browser page: (re)join on every connect, taking a full snapshot.
        def join():
            ack = self.client.call("join", {"role": "participant", "code": self.code}, timeout=10)
            self.states.put(ack)

        threading.Thread(target=join, daemon=True).start()

    def next_state(self, timeout=15) -> dict:
        """Wait for the snapshot of the next (re)join."""
        ack = self.states.get(timeout=timeout)
        assert ack["ok"], ack
        return ack["state"]

    def wait_for(self, name: str, timeout=10, match=lambda payload: True):
        """Wait for a server event by name (and matching payload) and return the payload."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event, payload = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if event == name and match(payload):
                return payload
        raise AssertionError(f"no {name} event within {timeout}s")

    def call(self, event, data):
        """Send an event and wait for its ack."""
        return self.client.call(event, data, timeout=10)


@pytest.fixture
def server(tmp_path):
    """Start the real server; stop it afterwards."""
    process = ServerProcess(tmp_path)
    process.start()
    yield process
    process.stop()


def test_real_clients_share_ideas_and_survive_a_server_restart(server):
    """Two phones on the real client; the server restarts mid-session and nothing is lost."""
    http, csrf = signed_in_facilitator(server.url)
    api = f"{server.url}/api/v1"
    headers = {"X-CSRFToken": csrf}
    created = http.post(f"{api}/sessions", json={"model_id": "keep-change-give-up", "title": "Testi"},
                        headers=headers).json()
    sid, code = created["id"], created["join_code"]
    assert http.post(f"{api}/sessions/{sid}/start", headers=headers).ok
    assert http.post(f"{api}/sessions/{sid}/phase", json={"to": 1}, headers=headers).ok

    phone, other = RealPhone(server.url, code), RealPhone(server.url, code)
    try:
        state = phone.next_state()
        other.next_state()
        assert state["phase"]["kind"] == "ideas"
        column = state["phase"]["settings"]["columns"][0]["id"]
        client_id = uuid.uuid4().hex
        ack = phone.call("idea.add", {"client_id": client_id, "text": "Ennen uudelleenkäynnistystä", "column": column})
        assert ack["ok"], ack
        added = other.wait_for("idea.added")
        assert added["text"] == "Ennen uudelleenkäynnistystä"
        assert set(added) == {"id", "phase_id", "column", "text", "theme_id"}

        server.stop()
        server.start()

        # Both phones reconnect by themselves and get full state again.
        state = phone.next_state(timeout=30)
        other.next_state(timeout=30)
        mine = [i for i in state["ideas"] if i["text"] == "Ennen uudelleenkäynnistystä"]
        assert mine and mine[0]["is_mine"] is True
        # The retry of an event whose ack was lost in the restart does not duplicate.
        again = phone.call("idea.add", {"client_id": client_id, "text": "Ennen uudelleenkäynnistystä", "column": column})
        assert again["ok"] and again["idea"]["id"] == ack["idea"]["id"]
        ack2 = other.call("idea.add", {"client_id": uuid.uuid4().hex, "text": "Jälkeen", "column": column})
        assert ack2["ok"], ack2
        assert phone.wait_for("idea.added", match=lambda p: p["text"] == "Jälkeen")
        final = phone.call("sync", {})["state"]
        assert sorted(i["text"] for i in final["ideas"]) == ["Ennen uudelleenkäynnistystä", "Jälkeen"]
    finally:
        phone.client.disconnect()
        other.client.disconnect()

    # Nothing identifying a participant is logged next to their text.
    log = server.log()
    assert "Ennen uudelleenkäynnistystä" not in log
    assert "Traceback" not in log
