"""The real server's log names no client: no request lines, addresses or socket ids."""

from __future__ import annotations

import json
import socket

import pytest
import requests
import socketio

from tests.server_process import ServerProcess, signed_in_facilitator


def _poke(base: str) -> set[str]:
    """Make the requests a day of workshops makes, plus broken ones; return the socket ids."""
    sids: set[str] = set()
    requests.get(base + "/", timeout=5)
    requests.get(base + "/j/ZZZZZZ", timeout=5)
    handshake = requests.get(base + "/socket.io/?EIO=4&transport=polling", timeout=5).text
    sids.add(json.loads(handshake[1:])["sid"])
    requests.get(base + "/socket.io/?EIO=4&transport=polling&sid=not-a-session", timeout=5)
    with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=5) as raw:
        raw.sendall(b"GARBAGE\r\n\r\n")
        raw.recv(1024)
    http, csrf = signed_in_facilitator(base)
    created = http.post(
        base + "/api/v1/sessions",
        json={"model_id": "keep-change-give-up", "title": "Lokitesti"},
        headers={"X-CSRFToken": csrf},
        timeout=5,
    ).json()
    phone = requests.Session()
    phone.get(f"{base}/j/{created['join_code']}", timeout=5)
    client = socketio.Client(http_session=phone)
    client.connect(base)
    sids.add(client.get_sid())
    sids.add(client.eio.sid)
    client.call("join", {"role": "participant", "code": created["join_code"]}, timeout=5)
    client.call("idea.add", {"client_id": "x", "text": "salainen ajatus"}, timeout=5)
    client.call("no.such.event", {}, timeout=5)
    client.disconnect()
    return {s for s in sids if s}


@pytest.mark.parametrize("mode", ["threading", "eventlet"])
def test_server_log_names_no_client(tmp_path, mode):
    server = ServerProcess(tmp_path, args=["--async-mode", mode])
    server.start()
    try:
        sids = _poke(server.url)
    finally:
        server.stop()
    lines = server.log().splitlines()
    client_lines = [
        line for line in lines if "127.0.0.1" in line and not line.startswith("facilitator:")
    ]
    assert client_lines == []
    assert not [line for line in lines if '"GET ' in line or "HTTP/1." in line]
    for sid in sids:
        assert sid not in server.log()
    assert "salainen ajatus" not in server.log()
    assert "Traceback" not in server.log()
