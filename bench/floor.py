"""The floor and light phones, shared by the transport benches.

    python bench/floor.py serve --port 5999      # the floor server on its own

*The floor* is a minimal Flask-SocketIO server on eventlet that only relays: a socket
`join`s a room (`{"room": "s"}`), an `idea` is broadcast to the room as `idea.added`,
a `phase` is broadcast to the room as `phase` with the state blob it was given, a
`vote` adds a dot to in-memory counts and sends them to the room it names as `tally`. It
keeps eventlet's stock websocket (permessage-deflate when the client offers it) and
raises only the connection cap (eventlet's default 1,024 would stop it at 2,000
phones). A bench measures it beside the project in the same run.

*Light phones* (`Phone`) are asyncio Socket.IO clients on raw sockets: one task and a
few kilobytes each, so 2,000 of them fit on this 2-core machine next to the server
(the python-socketio client needs three threads per phone). Each phone may bind its
own loopback source address (127.0.x.y), so per-address limits see one phone per
address, as on a venue's Wi-Fi without NAT. With `deflate=True` a phone offers
`permessage-deflate; client_max_window_bits` as browsers do and inflates compressed
frames.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------- light phones


def source_address(n: int) -> str:
    """The n-th loopback source address (127.0.1.1, 127.0.1.2, ...), never 127.0.0.1."""
    return f"127.{1 + n // 60000}.{(n // 250) % 240 + 1}.{n % 250 + 1}"


def _mask(data: bytes, key: bytes) -> bytes:
    n = len(data)
    if not n:
        return data
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


class Phone:
    """A Socket.IO (EIO 4) client over a raw websocket, on asyncio."""

    def __init__(self, host: str, port: int, source: str | None = None, deflate=False, ssl=None):
        self.host, self.port, self.source, self.deflate = host, port, source, deflate
        self.ssl = ssl  # an ssl.SSLContext for https/wss (through nginx)
        self.handlers: dict = {}
        self.acks: dict[int, asyncio.Future] = {}
        self.ids = itertools.count(1)
        self.reader = self.writer = None
        self.task = None
        self.connected = asyncio.Event()
        self.closed = False
        self.compressed = False
        self._inflate = None
        self.received = 0
        self.bytes_in = 0

    async def _open(self):
        kwargs = {"local_addr": (self.source, 0)} if self.source else {}
        if self.ssl is not None:
            kwargs["ssl"] = self.ssl
        return await asyncio.open_connection(self.host, self.port, limit=2**22, **kwargs)

    async def get(self, path: str, cookie: str = "", headers: dict | None = None):
        """A plain HTTP GET; return (status, Set-Cookie values joined as a Cookie header)."""
        reader, writer = await self._open()
        try:
            extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
            if cookie:
                extra += f"Cookie: {cookie}\r\n"
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{extra}"
                "Connection: close\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            cookies = [
                line.split(":", 1)[1].strip().split(";", 1)[0]
                for line in lines[1:]
                if line.lower().startswith("set-cookie:")
            ]
            with contextlib.suppress(Exception):
                await reader.read()
            return status, "; ".join(cookies)
        finally:
            writer.close()

    async def connect(self, cookie: str = "", timeout: float = 30.0) -> None:
        """Open the websocket and the Socket.IO namespace."""
        self.reader, self.writer = await self._open()
        key = base64.b64encode(os.urandom(16)).decode()
        headers = [
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if self.deflate:
            headers.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        if cookie:
            headers.append(f"Cookie: {cookie}")
        self.writer.write(("\r\n".join(headers) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        text = head.decode("latin-1")
        if not text.startswith("HTTP/1.1 101"):
            raise ConnectionError(text.split("\r\n", 1)[0])
        self.compressed = "permessage-deflate" in text.lower()
        if self.compressed:
            self._inflate = zlib.decompressobj(-15)
            self._no_takeover = "server_no_context_takeover" in text.lower()
        self.task = asyncio.get_running_loop().create_task(self._read_loop())
        await asyncio.wait_for(self.connected.wait(), timeout)

    def on(self, event: str, handler) -> None:
        self.handlers[event] = handler

    def _send_text(self, text: str) -> None:
        data = text.encode()
        n = len(data)
        if n < 126:
            head = bytes([0x81, 0x80 | n])
        elif n < 65536:
            head = bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            head = bytes([0x81, 0x80 | 127]) + n.to_bytes(8, "big")
        key = os.urandom(4)
        self.writer.write(head + key + _mask(data, key))

    def emit(self, event: str, data=None) -> None:
        self._send_text("42" + json.dumps([event, data], separators=(",", ":")))

    async def call(self, event: str, data=None, timeout: float = 60.0):
        """Emit with an ack; return the ack's payload."""
        ack_id = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        self._send_text(f"42{ack_id}" + json.dumps([event, data], separators=(",", ":")))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.acks.pop(ack_id, None)

    async def _read_loop(self) -> None:
        reader = self.reader
        parts: list[bytes] = []
        rsv1 = False
        try:
            while True:
                b0, b1 = await reader.readexactly(2)
                n = b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(await reader.readexactly(2), "big")
                elif n == 127:
                    n = int.from_bytes(await reader.readexactly(8), "big")
                payload = await reader.readexactly(n) if n else b""
                self.bytes_in += n + 2
                opcode = b0 & 0x0F
                if opcode == 8:
                    break
                if opcode == 9:  # websocket ping: pong
                    self.writer.write(bytes([0x8A, 0x80]) + b"\0\0\0\0")
                    continue
                if opcode in (1, 2):
                    rsv1 = bool(b0 & 0x40)
                    parts = [payload]
                elif opcode == 0:
                    parts.append(payload)
                else:
                    continue
                if not b0 & 0x80:
                    continue
                data = b"".join(parts)
                if rsv1:
                    if self._no_takeover:
                        self._inflate = zlib.decompressobj(-15)
                    data = self._inflate.decompress(data + b"\x00\x00\xff\xff")
                self._packet(data.decode())
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self.closed = True
            for future in self.acks.values():
                if not future.done():
                    future.set_exception(ConnectionError("closed"))

    def _packet(self, text: str) -> None:
        kind = text[:1]
        if kind == "0":  # Engine.IO open: open the default namespace
            self._send_text("40")
            return
        if kind == "2":  # Engine.IO ping
            self._send_text("3")
            return
        if kind != "4":
            return
        sio = text[1:2]
        body = text[2:]
        if sio == "0":
            self.connected.set()
        elif sio == "2":
            self.received += 1
            event, *args = json.loads(body[body.index("[") :])
            if event == "ideas.batch" and args:
                # Protocol 2 phones get idea deltas batched: hand each on as its own event.
                for name, payload in args[0].get("events", []):
                    handler = self.handlers.get(name)
                    if handler:
                        handler(payload)
                return
            handler = self.handlers.get(event)
            if handler:
                handler(*args)
        elif sio == "3":
            i = body.index("[")
            future = self.acks.get(int(body[:i]))
            if future and not future.done():
                payload = json.loads(body[i:])
                future.set_result(payload[0] if payload else None)

    def close(self) -> None:
        self.closed = True
        if self.writer:
            with contextlib.suppress(Exception):
                self.writer.close()
        if self.task:
            self.task.cancel()


async def connect_many(make, count: int, concurrency: int = 50):
    """Run `make(i)` for i in range(count), `concurrency` at a time; return results
    (exceptions in place of failures)."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i):
        async with semaphore:
            try:
                return await make(i)
            except Exception as exc:  # noqa: BLE001  counted by the caller
                return exc

    return await asyncio.gather(*(one(i) for i in range(count)))


def percentiles(values: list[float], scale: float = 1000.0) -> str:
    """p50 / p95 / p99 / max in ms (values in seconds)."""
    if not values:
        return "-"
    ordered = sorted(values)

    def rank(p):
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] * scale

    return f"{rank(0.5):.0f} / {rank(0.95):.0f} / {rank(0.99):.0f} / {ordered[-1] * scale:.0f}"


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_own_file_limit(wanted: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))


# ----------------------------------------------------------------- the project


TEMPLATE = "keep-change-give-up"


def project_session(base_url: str, http=None, title: str = "Kuorma") -> dict:
    """Sign up (or reuse `http`), create a session, start it in its ideas phase (wall on
    phones); return {"id", "code", "columns", "vote_index", "http"}."""
    import uuid

    sys.path.insert(0, str(ROOT))
    from tests.server_process import signed_in_facilitator

    if http is None:
        http, csrf = signed_in_facilitator(base_url, email=f"b-{uuid.uuid4().hex[:8]}@example.fi")
        http.headers["X-CSRFToken"] = csrf
    api = f"{base_url}/api/v1"
    created = http.post(f"{api}/sessions", json={"model_id": TEMPLATE, "title": title})
    created.raise_for_status()
    sid = created.json()["id"]
    http.post(f"{api}/sessions/{sid}/start").raise_for_status()
    state = http.post(f"{api}/sessions/{sid}/phase", json={"to": 1})
    state.raise_for_status()
    state = state.json()
    return {
        "id": sid,
        "code": created.json()["join_code"],
        "columns": [c["id"] for c in state["phase"]["settings"]["columns"]],
        "vote_index": next(p["index"] for p in state["phases"] if p["kind"] == "vote"),
        "http": http,
    }


def move_phase(base_url: str, session: dict, index: int) -> None:
    response = session["http"].post(
        f"{base_url}/api/v1/sessions/{session['id']}/phase", json={"to": index}
    )
    response.raise_for_status()


def cookie_of(http) -> str:
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


async def join_project_phone(phone: Phone, code: str) -> float:
    """GET /j/<code>, websocket, `join`; return the join ack's seconds."""
    status, cookie = await phone.get(f"/j/{code}")
    if status != 200:
        raise ConnectionError(f"/j/ answered {status}")
    await phone.connect(cookie)
    started = time.monotonic()
    # Protocol 2, as the phone page joins: a phase change brings the new state itself.
    ack = await phone.call("join", {"role": "participant", "code": code, "protocol": 2})
    if not ack or not ack.get("ok"):
        raise ConnectionError(f"join: {ack}")
    return time.monotonic() - started


async def project_with_projector(projector: Phone, base_url: str) -> dict:
    """Create a session (`project_session`) and join `projector` to it as its projector
    (protocol 2); return the session."""
    session = await asyncio.to_thread(project_session, base_url)
    await projector.connect(cookie_of(session["http"]))
    ack = await projector.call(
        "join", {"role": "projector", "session_id": session["id"], "protocol": 2}
    )
    if not ack or not ack.get("ok"):
        raise ConnectionError(f"projector join: {ack}")
    return session


async def join_floor_phone(phone: Phone, room: str = "s", state=None) -> float:
    await phone.connect()
    started = time.monotonic()
    await phone.call("join", {"room": room, "state": state})
    return time.monotonic() - started


async def healthz_seconds(host: str, port: int, source: str, timeout: float = 10.0):
    """Seconds for a full GET /healthz from `source`, or None."""
    started = time.monotonic()
    try:
        status, _ = await asyncio.wait_for(Phone(host, port, source).get("/healthz"), timeout)
    except (TimeoutError, OSError, ValueError, IndexError, EOFError):
        return None
    return time.monotonic() - started if status == 200 else None


# ----------------------------------------------------------------- the floor server


def serve_floor(port: int, message_queue: str | None = None, channel: str = "floor") -> None:
    """Run the floor: a relay-only Flask-SocketIO server on eventlet.

    With `message_queue` (redis://...) several floor processes share their rooms
    through it, as the project's processes do.
    """
    import warnings

    warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    import eventlet.wsgi
    from flask import Flask, request
    from flask_socketio import SocketIO, emit, join_room

    app = Flask("floor")
    socketio = SocketIO(
        app,
        async_mode="eventlet",
        message_queue=message_queue,
        channel=channel,
        logger=False,
        engineio_logger=False,
    )
    rooms: dict[str, str] = {}

    @app.get("/healthz")
    def healthz():
        return "ok"

    @socketio.on("join")
    def on_join(data):
        room = str((data or {}).get("room", "s"))
        join_room(room)
        rooms[request.sid] = room
        return {"ok": True, "state": (data or {}).get("state")}

    @socketio.on("idea")
    def on_idea(data):
        room = rooms.get(request.sid, "s")
        idea = {"id": time.monotonic_ns(), "text": data.get("text"), "sent": data.get("sent")}
        emit("idea.added", idea, to=room)
        return {"ok": True, "idea": idea}

    counts: dict[str, int] = {}

    @socketio.on("vote")
    def on_vote(data):
        # A dot: count it and send the projector the new counts at once.
        key = str((data or {}).get("item"))
        counts[key] = counts.get(key, 0) + 1
        results = [{"key": k, "count": c} for k, c in counts.items()]
        emit("tally", {"results": results}, to=str((data or {}).get("room", "projector")))
        return {"ok": True}

    @socketio.on("phase")
    def on_phase(data):
        room = str((data or {}).get("room", "s"))
        emit("phase", data, to=room)
        return {"ok": True}

    import socket

    listener = eventlet.listen(("127.0.0.1", port), backlog=4096)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(f"floor: http://127.0.0.1:{port}/", flush=True)
    eventlet.wsgi.server(listener, app, log_output=False, max_size=20000)


def start_floor(
    port: int, log_path: Path, message_queue: str | None = None, channel: str = "floor"
) -> subprocess.Popen:
    """Start the floor in a subprocess and wait until it answers."""
    import requests

    log = open(log_path, "w")  # noqa: SIM115  lives with the process
    queue = ["--message-queue", message_queue, "--channel", channel] if message_queue else []
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", "--port", str(port), *queue],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return proc
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the floor did not start: " + log_path.read_text()[-2000:])


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--port", type=int, default=5999)
    serve.add_argument("--message-queue", default=None, help="e.g. redis://127.0.0.1:6379/0")
    serve.add_argument("--channel", default="floor")
    args = parser.parse_args()
    if args.command == "serve":
        serve_floor(args.port, args.message_queue, args.channel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
