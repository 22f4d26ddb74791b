"""The embedded server on its own: half-open connections, connection caps, one port.

Real server processes (`python -m facilitator`, eventlet) on loopback. Client
addresses other than 127.0.0.1 are other loopback addresses (127.0.0.2, ...), which
Linux routes to the same machine: 127.0.0.1 itself is exempt from the per-address cap
(a local reverse proxy), any other address is a client like a phone.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time

import pytest
import requests
import socketio

from tests.server_process import ROOT, ServerProcess

PARTIAL_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: slow"


def _raise_own_file_limit(wanted: int) -> None:
    """Let this test process hold `wanted` sockets, or skip when the machine cannot."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the open-file limit here is {hard}, the test needs {wanted}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _half_open(port: int, count: int, source: str = "127.0.0.1") -> list[socket.socket]:
    """Open connections that send a partial request head and then nothing."""
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(PARTIAL_REQUEST)
        sockets.append(s)
    return sockets


def _close_all(sockets) -> None:
    for s in sockets:
        with contextlib.suppress(OSError):
            s.close()


def _get_from(port: int, source: str, path: str = "/healthz", timeout: float = 2.0) -> bytes:
    """Send a whole GET from a given loopback address; return what came back."""
    with socket.socket() as s:
        s.settimeout(timeout)
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def _closed_by_server(s: socket.socket, wait: float) -> bool:
    """Tell whether the server closed this connection within `wait` seconds."""
    s.settimeout(wait)
    try:
        return s.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.fixture
def server_factory(tmp_path):
    servers = []

    def start(env=None, args=None):
        server = ServerProcess(tmp_path / f"s{len(servers)}", args=args)
        (tmp_path / f"s{len(servers)}").mkdir()
        server.env.update(env or {})
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


def test_half_open_connections_neither_starve_new_clients_nor_stay(server_factory):
    """1,100 half-open connections (more than eventlet's old 1,024 cap): a new client
    still gets /healthz at once, and the half-open ones are closed after the header
    timeout."""
    _raise_own_file_limit(1400)
    server = server_factory(env={"FACILITATOR_HEADER_TIMEOUT": "4"})
    opened = time.monotonic()
    slow = _half_open(server.port, 1100)
    try:
        started = time.monotonic()
        response = requests.get(server.url + "/healthz", timeout=2)
        assert response.ok and time.monotonic() - started < 2
        # A phone from another address too.
        assert _get_from(server.port, "127.0.0.9").startswith(b"HTTP/1.1 200")
        # Every half-open connection is closed once the header timeout has passed.
        deadline = opened + 4 + 6
        for s in slow:
            assert _closed_by_server(s, max(0.05, deadline - time.monotonic()))
        assert time.monotonic() - opened >= 3.5  # not before the timeout
        # The server is still well.
        assert requests.get(server.url + "/healthz", timeout=2).ok
    finally:
        _close_all(slow)


def test_a_slow_trickle_cannot_keep_a_connection(server_factory):
    """One header line every second: the deadline covers the whole head, not each read."""
    server = server_factory(env={"FACILITATOR_HEADER_TIMEOUT": "3"})
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        for i in range(10):
            time.sleep(1)
            try:
                s.sendall(f"X-Slow-{i}: 1\r\n".encode())
            except OSError:
                closed = True
                break
            if _closed_by_server(s, 0.01):
                closed = True
                break
        assert closed and time.monotonic() - started < 6


def test_per_address_and_overall_caps_answer_503_and_free_up(server_factory):
    """An address over its cap gets a quick 503; other addresses are served; closing
    connections frees their places. The overall cap works the same way."""
    server = server_factory(
        env={
            "FACILITATOR_MAX_CONNECTIONS_PER_ADDRESS": "20",
            "FACILITATOR_MAX_CONNECTIONS": "60",
        }
    )
    crowd = _half_open(server.port, 20, source="127.0.0.2")
    try:
        refused = _get_from(server.port, "127.0.0.2", "/")
        assert refused.startswith(b"HTTP/1.1 503")
        assert b"Retry-After: 10" in refused
        # Another address, and the machine itself, are served.
        assert _get_from(server.port, "127.0.0.3").startswith(b"HTTP/1.1 200")
        assert requests.get(server.url + "/healthz", timeout=2).ok
        _close_all(crowd)
        time.sleep(0.3)
        assert _get_from(server.port, "127.0.0.2").startswith(b"HTTP/1.1 200")
        # The overall cap: 60 in all, from many addresses.
        crowd = []
        for n in range(3):
            crowd += _half_open(server.port, 20, source=f"127.0.1.{n + 1}")
        assert _get_from(server.port, "127.0.0.4", "/").startswith(b"HTTP/1.1 503")
        # /healthz still answers, saying the server is full.
        assert b'"connections": "full"' in _get_from(server.port, "127.0.0.4")
        _close_all(crowd)
        time.sleep(0.3)
        assert _get_from(server.port, "127.0.0.4").startswith(b"HTTP/1.1 200")
    finally:
        _close_all(crowd)


def test_sockets_outlive_the_header_timeout(server_factory):
    """The deadline ends with the request head: a websocket and a polling phone stay
    connected and answered well past it."""
    server = server_factory(env={"FACILITATOR_HEADER_TIMEOUT": "1"})
    clients = []
    try:
        for transport in ("websocket", "polling"):
            client = socketio.Client(reconnection=False)
            client.connect(server.url, transports=[transport], wait_timeout=5)
            clients.append(client)
        time.sleep(3)
        for client in clients:
            assert client.connected
            answer = client.call("join", {"code": "ZZZZZZ"}, timeout=5)
            assert answer["ok"] is False and answer["error"]["code"]
    finally:
        for client in clients:
            client.disconnect()


def test_a_second_server_on_the_same_port_exits_with_a_message(server_factory, tmp_path):
    """No SO_REUSEPORT: a second start on a taken port fails at once and says why; the
    first server keeps every connection."""
    server = server_factory()
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitator",
            "--host",
            "127.0.0.1",
            "--port",
            str(server.port),
            "--database-url",
            f"sqlite:///{tmp_path / 'second.db'}",
        ],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in second.stderr
    assert "already in use" in second.stderr
    assert "Traceback" not in second.stderr
    assert not (tmp_path / "second.db").exists()  # stopped before touching a database
    for _ in range(20):
        assert requests.get(server.url + "/healthz", timeout=2).ok


def test_threading_mode_closes_a_silent_connection(server_factory):
    """The development server (threading) has the header timeout too."""
    server = server_factory(
        env={"FACILITATOR_HEADER_TIMEOUT": "2"}, args=["--async-mode", "threading"]
    )
    (slow,) = _half_open(server.port, 1)
    try:
        assert _closed_by_server(slow, 6)
        assert requests.get(server.url + "/healthz", timeout=2).ok
    finally:
        _close_all([slow])


def test_polling_responses_carry_the_security_headers(server_factory):
    """Engine.IO's own responses get the same policy as pages (real eventlet server)."""
    server = server_factory()
    response = requests.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=5)
    assert response.ok
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "connect-src 'self';" in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_at_the_connection_cap_a_new_phone_is_refused_politely_and_healthz_answers(
    server_factory,
):
    """FACILITATOR_MAX_CONNECTIONS=30 with 30 connections open: the 31st (a phone's
    websocket) gets a quick 503 with Retry-After and a readable message, /healthz still
    answers (200, saying the server is full), and once a place frees the phone gets in."""
    server = server_factory(
        env={"FACILITATOR_MAX_CONNECTIONS": "30", "FACILITATOR_HEADER_TIMEOUT": "30"}
    )
    crowd = _half_open(server.port, 30, source="127.0.0.2")
    try:
        # Wait until the server has accepted all 30 (on a busy machine it takes a moment).
        deadline = time.monotonic() + 10
        while b'"connections": "full"' not in _get_from(server.port, "127.0.0.4", "/healthz"):
            assert time.monotonic() < deadline, "the 30 connections were never all accepted"
            time.sleep(0.1)
        started = time.monotonic()
        refused = _get_from(server.port, "127.0.0.3", "/socket.io/?EIO=4&transport=websocket")
        assert time.monotonic() - started < 2
        assert refused.startswith(b"HTTP/1.1 503")
        assert b"Retry-After: 10" in refused
        assert b"Too many open connections. Try again in a moment." in refused
        health = _get_from(server.port, "127.0.0.4", "/healthz")
        assert health.startswith(b"HTTP/1.1 200")
        assert b'"connections": "full"' in health
        phone = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            phone.connect(server.url, transports=["websocket"], wait_timeout=5)
        _close_all(crowd[:1])
        time.sleep(0.3)
        phone = socketio.Client(reconnection=False)
        phone.connect(server.url, transports=["websocket"], wait_timeout=5)
        try:
            answer = phone.call("join", {"code": "ZZZZZZ"}, timeout=5)
            assert answer["ok"] is False
        finally:
            phone.disconnect()
    finally:
        _close_all(crowd)


def test_websocket_compression_setting(server_factory):
    """FACILITATOR_WEBSOCKET_COMPRESSION: off (the default) answers a browser's
    permessage-deflate offer without the extension; on accepts it; a size threshold
    accepts it without context takeover (nothing kept per connection)."""
    offer = "permessage-deflate; client_max_window_bits"

    def handshake(server) -> str:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(
                (
                    "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                    "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: {offer}\r\n\r\n"
                ).encode()
            )
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(4096)
            return head.decode("latin-1").lower()

    off = handshake(server_factory())
    assert off.startswith("http/1.1 101") and "permessage-deflate" not in off
    on = handshake(server_factory(env={"FACILITATOR_WEBSOCKET_COMPRESSION": "on"}))
    assert "sec-websocket-extensions: permessage-deflate" in on
    assert "server_no_context_takeover" not in on
    sized = handshake(server_factory(env={"FACILITATOR_WEBSOCKET_COMPRESSION": "4096"}))
    assert "permessage-deflate" in sized and "server_no_context_takeover" in sized


def test_a_low_open_file_limit_is_named_at_start(tmp_path):
    """Started with an open-file limit of 600 (hard), the server says at start that it
    can serve only 400 connections instead of FACILITATOR_MAX_CONNECTIONS, and serves."""
    import resource

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (600, 600))

    server = ServerProcess(tmp_path)
    log = open(server.log_path, "a")  # noqa: SIM115  closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "--host", "127.0.0.1",
         "--port", str(server.port), "--database-url", server.database_url],
        cwd=ROOT, env=server.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=low_limit,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(server.url + "/healthz", timeout=1).ok:
                    break
            time.sleep(0.2)
        assert requests.get(server.url + "/healthz", timeout=2).ok
        text = server.log()
        assert "the open-file limit (600) allows only 400 connections, not 10000" in text
        assert "ulimit -n" in text and "Traceback" not in text
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
