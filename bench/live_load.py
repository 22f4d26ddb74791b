"""Live-load benchmark: phones post ideas and dot votes to the real server; prints figures."""

# Run: python bench/live_load.py [--sessions 3] [--phones 30] [--ideas 5] [--database-url URL]

from __future__ import annotations

import argparse
import collections
import contextlib
import logging
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import engineio
import requests
import socketio
import websocket

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server_process import ServerProcess, signed_in_facilitator  # noqa: E402

TEMPLATE = "keep-change-give-up"
ACK_TIMEOUT = 30.0
DELIVERY_TIMEOUT = 30.0


# The stock client starts a thread per received message and reads each websocket frame
# header with its own recv(); with thousands of idea.added events a second that costs more
# CPU than the server under test. These two subclasses keep the real client but cheaper.
# The stock client also drops a connection that had nothing to send for 25 s
# (max(pingInterval, pingTimeout) + 5) when the server's PING is late; browsers wait
# pingInterval + pingTimeout (40 s), so the subclass waits as long as a browser does.


class _InlineEngineIO(engineio.Client):
    """Engine.IO client that handles each message on its receive thread and notes PINGs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected_at = time.monotonic()
        self.ping_gap = 0.0  # longest wait for the server's PING, seconds

    def _connect_websocket(self, url, headers, engineio_path):
        """Connect; then tolerate a late server PING as long as a browser would."""
        connected = super()._connect_websocket(url, headers, engineio_path)
        if connected:
            self.ping_timeout = self.ping_interval + self.ping_timeout - 5
        return connected

    def _receive_packet(self, pkt):
        """Track how late the server's PINGs come (every 20 s when its loop keeps up)."""
        if pkt.packet_type == engineio.packet.PING:
            now = time.monotonic()
            self.ping_gap = max(self.ping_gap, now - self.connected_at)
            self.connected_at = now
        return super()._receive_packet(pkt)

    def _trigger_event(self, event, *args, **kwargs):
        kwargs.pop("run_async", None)
        return super()._trigger_event(event, *args, **kwargs)


class BufferedWebSocket(websocket.WebSocket):
    """websocket-client socket reading 64 KiB at a time, not each frame header by itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._buffered = b""

    def _recv(self, bufsize):
        """Return up to bufsize bytes, refilling the buffer with one recv() when empty."""
        if not self._buffered:
            self._buffered = super()._recv(65536)
        data, self._buffered = self._buffered[:bufsize], self._buffered[bufsize:]
        return data


class InlineClient(socketio.Client):
    """The python-socketio client with message handlers run inline (see _InlineEngineIO)."""

    def _engineio_client_class(self):
        return _InlineEngineIO


class Recorder:
    """Thread-safe latencies (seconds) and failures, by name."""

    def __init__(self):
        self._lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.failures: list[str] = []

    def add(self, name: str, seconds: float) -> None:
        """Record one latency."""
        with self._lock:
            self.latencies.setdefault(name, []).append(seconds)

    def fail(self, what: str) -> None:
        """Record one failure (an ack that was refused, timed out or never came)."""
        with self._lock:
            self.failures.append(what)

    def timed_call(self, client: socketio.Client, name: str, event: str, data: dict) -> dict | None:
        """Emit with ack, record its latency; return the ack or None on failure."""
        start = time.perf_counter()
        try:
            ack = client.call(event, data, timeout=ACK_TIMEOUT)
        except Exception as exc:  # a timeout or a lost connection
            self.fail(f"{event}: {type(exc).__name__}")
            return None
        self.add(name, time.perf_counter() - start)
        if not isinstance(ack, dict) or not ack.get("ok"):
            self.fail(f"{event}: {ack!r:.200}")
            return None
        return ack


class Screen:
    """One Socket.IO connection (phone or projector) counting what the server sends it."""

    def __init__(self, base_url: str, cookies: str, inline: bool = True, on_phase=None):
        self.base_url = base_url
        self.on_phase = on_phase  # called on each phase event (on the receive thread)
        self.cookies = cookies
        self.lock = threading.Lock()
        self.idea_ids: dict[int, float] = {}  # idea id -> when it arrived (monotonic)
        self.tallies: list[tuple[float, str, int]] = []  # (when, phase id, total dots)
        self.phase_index: int | None = None
        self.phase_changed = threading.Event()
        self.disconnected: str | None = None  # why the connection dropped, unless we closed it
        self.started = time.monotonic()
        self.dropped_at: float | None = None
        self.closing = False
        if inline:
            options = {"class_": BufferedWebSocket, "skip_utf8_validation": True}
            self.client = InlineClient(reconnection=False, websocket_extra_options=options)
        else:
            self.client = socketio.Client(reconnection=False)
        self.client.on("idea.added", self._on_idea)
        self.client.on("tally", self._on_tally)
        self.client.on("phase", self._on_phase)
        self.client.on("disconnect", self._on_disconnect)

    def _on_idea(self, payload):
        with self.lock:
            self.idea_ids.setdefault(payload["id"], time.monotonic())

    def _on_tally(self, payload):
        total = sum(r["count"] for r in payload["results"])
        with self.lock:
            self.tallies.append((time.monotonic(), payload["phase_id"], total))

    def _on_phase(self, payload):
        self.phase_index = payload["index"]
        self.phase_changed.set()
        if self.on_phase:
            self.on_phase(self)

    def _on_disconnect(self, reason=None):
        if not self.closing:
            self.dropped_at = time.monotonic()
            self.disconnected = (
                f"{reason} after {self.dropped_at - self.started:.0f} s connected, "
                f"{self.ping_wait():.0f} s since the last server PING"
            )

    def ping_wait(self) -> float:
        """Return the longest wait for a server PING so far (0 for the stock client)."""
        eio = self.client.eio
        if not isinstance(eio, _InlineEngineIO):
            return 0.0
        end = self.dropped_at or time.monotonic()
        return max(eio.ping_gap, end - eio.connected_at)

    def connect(self) -> None:
        """Open the websocket with this screen's cookies."""
        self.client.connect(
            self.base_url,
            headers={"Cookie": self.cookies},
            transports=["websocket"],
            wait_timeout=ACK_TIMEOUT,
        )

    def close(self) -> None:
        """Disconnect on purpose."""
        self.closing = True
        with contextlib.suppress(Exception):  # already gone
            self.client.disconnect()

    def idea_count(self) -> int:
        """Return how many distinct ideas arrived."""
        with self.lock:
            return len(self.idea_ids)


def cookie_header(http: requests.Session) -> str:
    """Return a Cookie header with every cookie of a requests session."""
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def percentiles(values: list[float]) -> str:
    """Format p50/p95/p99/max of latencies in milliseconds."""
    if not values:
        return "n/a"
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered) + 0.5) - 1))]

    parts = [f"p{int(p * 100)} {rank(p) * 1000:.0f}" for p in (0.5, 0.95, 0.99)]
    return f"{' / '.join(parts)} / max {ordered[-1] * 1000:.0f} ms  (n={len(ordered)})"


def load_average() -> str:
    """Return the machine's load averages as text."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min)"


def proc_status(pid: int) -> dict[str, str]:
    """Return /proc/<pid>/status as a dict (empty when the process is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """Return a memory field of a process in MiB."""
    value = proc_status(pid).get(field, "0 kB").split()[0]
    return int(value) / 1024


def own_cpu_seconds() -> float:
    """Return user+system CPU seconds this benchmark process has used."""
    times = os.times()
    return times.user + times.system


def cpu_seconds(pid: int) -> float:
    """Return user+system CPU seconds the process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PostgresDatabase:
    """Create a PostgreSQL database named in a URL if it is missing; drop it afterwards."""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        self.name = parsed.database
        admin = parsed.set(drivername="postgresql", database="postgres")
        self.admin_url = admin.render_as_string(hide_password=False)
        self.created = False

    def create(self) -> None:
        """Create the database unless it exists."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.name,)
            ).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{self.name}"')
                self.created = True

    def drop(self) -> None:
        """Drop the database if this run created it."""
        if not self.created:
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.created = False


class Bench:
    """One benchmark run: server, sessions, projectors, phones and the figures."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="facilitator-bench-"))
        self.pg = None
        if args.database_url and args.database_url.startswith("postgresql"):
            self.pg = PostgresDatabase(args.database_url)
        self.server = ServerProcess(self.tmp, args.database_url)
        self.server.env["FACILITATOR_RESULTS_INTERVAL"] = str(args.results_interval)
        for pair in args.server_env:
            key, _, value = pair.partition("=")
            self.server.env[key] = value
        self.rec = Recorder()
        self.inline = not args.stock_dispatch
        self.sessions: list[dict] = []  # id, code, projector, phones, vote_index, dots
        self.lost: list[str] = []
        self._closed_screens = threading.Lock()
        self._stopped = threading.Lock()

    def figure(self, name: str, value: str) -> None:
        """Print one figure."""
        print(f"  {name:<34} {value}", flush=True)

    def cpu_figure(self, step: str, server0: float, own0: float) -> None:
        """Print the CPU seconds the server and this client process used in a step."""
        server, own = cpu_seconds(self.pid) - server0, own_cpu_seconds() - own0
        self.figure(f"CPU during {step}", f"server {server:.1f} s, bench client {own:.1f} s")

    # --- setup -------------------------------------------------------------------

    def start_server(self) -> None:
        """Start the server on its database."""
        if self.pg:
            self.pg.create()
        self.server.start()
        self.pid = self.server.proc.pid
        self.cpu_start = cpu_seconds(self.pid)
        self.figure("server RSS after start", f"{rss_mib(self.pid):.1f} MiB")

    def create_sessions(self) -> None:
        """Sign up, create, start and open the ideas phase of every session."""
        url = self.server.url
        email = f"bench-{uuid.uuid4().hex[:8]}@example.fi"
        self.http, csrf = signed_in_facilitator(url, email=email)
        self.http.headers["X-CSRFToken"] = csrf
        api = f"{url}/api/v1"
        for n in range(self.args.sessions):
            created = self.http.post(
                f"{api}/sessions", json={"model_id": TEMPLATE, "title": f"Kuorma {n + 1}"}
            )
            created.raise_for_status()
            body = created.json()
            sid = body["id"]
            self.http.post(f"{api}/sessions/{sid}/start").raise_for_status()
            state = self.http.post(f"{api}/sessions/{sid}/phase", json={"to": 1})
            state.raise_for_status()
            state = state.json()
            columns = [c["id"] for c in state["phase"]["settings"]["columns"]]
            vote_index = next(p["index"] for p in state["phases"] if p["kind"] == "vote")
            self.sessions.append(
                {
                    "id": sid,
                    "code": body["join_code"],
                    "columns": columns,
                    "vote_index": vote_index,
                    "phones": [],
                    "acked_ideas": {},  # idea id -> send time (monotonic)
                    "dots": 0,
                    "vote_events": 0,
                    "lock": threading.Lock(),
                }
            )

    def connect_projectors(self) -> None:
        """Open one projector per session with the facilitator's cookies."""

        def sync_later(projector: Screen) -> None:
            # Like the projector page: re-read the state after every phase event.
            threading.Thread(
                target=self.rec.timed_call,
                args=(projector.client, "projector sync", "sync", {}),
                daemon=True,
            ).start()

        for s in self.sessions:
            projector = Screen(self.server.url, cookie_header(self.http), self.inline, sync_later)
            projector.connect()
            ack = self.rec.timed_call(
                projector.client,
                "projector join",
                "join",
                {"role": "projector", "session_id": s["id"]},
            )
            if ack is None:
                raise RuntimeError("projector could not join")
            s["projector"] = projector

    def _join_phone(self, s: dict) -> Screen | None:
        """Open the join page, connect and join one phone; record the timings."""
        start = time.perf_counter()
        try:
            http = requests.Session()
            http.get(f"{self.server.url}/j/{s['code']}", timeout=ACK_TIMEOUT).raise_for_status()
            phone = Screen(self.server.url, cookie_header(http), self.inline)
            phone.connect()
        except Exception as exc:
            self.rec.fail(f"phone connect: {type(exc).__name__}: {exc}")
            return None
        ack = self.rec.timed_call(
            phone.client, "join ack", "join", {"role": "participant", "code": s["code"]}
        )
        if ack is None:
            phone.close()
            return None
        self.rec.add("phone join total", time.perf_counter() - start)
        return phone

    def connect_phones(self) -> None:
        """Connect P phones per session, a few at a time, as a room of people arriving."""
        jobs = [s for _ in range(self.args.phones) for s in self.sessions]
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=self.args.join_workers) as pool:
            for s, phone in zip(jobs, pool.map(self._join_phone, jobs), strict=True):
                if phone is not None:
                    s["phones"].append(phone)
        took = time.perf_counter() - start
        joined = sum(len(s["phones"]) for s in self.sessions)
        self.figure(
            "connections",
            f"{joined} phones + {len(self.sessions)} projectors "
            f"({self.args.sessions} sessions x {self.args.phones})",
        )
        self.figure("join wall time", f"{took:.2f} s ({joined / took:.0f} phones/s)")
        self.figure("join (GET+connect+ack)", percentiles(self.rec.latencies["phone join total"]))
        self.figure("join ack", percentiles(self.rec.latencies["join ack"]))
        self.figure("server RSS after joins", f"{rss_mib(self.pid):.1f} MiB")

    # --- ideas -------------------------------------------------------------------

    def _post_ideas(self, s: dict, n: int, phone: Screen, barrier: threading.Barrier) -> None:
        """Post K ideas from one phone, each waiting for its ack."""
        barrier.wait()
        for k in range(self.args.ideas):
            sent = time.monotonic()
            ack = self.rec.timed_call(
                phone.client,
                "idea.add",
                "idea.add",
                {
                    "client_id": uuid.uuid4().hex,
                    "text": f"Ajatus {k + 1} puhelimelta {n + 1}: aamupalaveri seisten",
                    "column": s["columns"][(n + k) % len(s["columns"])],
                },
            )
            if ack is not None:
                with s["lock"]:
                    s["acked_ideas"][ack["idea"]["id"]] = sent

    def post_ideas(self) -> None:
        """Every phone posts K ideas at once; then wait until every screen has them all."""
        work = [(s, n, p) for s in self.sessions for n, p in enumerate(s["phones"])]
        barrier = threading.Barrier(len(work) + 1)
        threads = [
            threading.Thread(target=self._post_ideas, args=(s, n, p, barrier), daemon=True)
            for s, n, p in work
        ]
        for t in threads:
            t.start()
        cpu0, own0 = cpu_seconds(self.pid), own_cpu_seconds()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        took = time.perf_counter() - start
        total = sum(len(s["acked_ideas"]) for s in self.sessions)
        self.figure("ideas acked", f"{total} in {took:.2f} s = {total / took:.0f} ideas/s")
        self.figure("idea.add ack", percentiles(self.rec.latencies.get("idea.add", [])))
        self.wait_for_ideas(start)
        self.cpu_figure("ideas", cpu0, own0)
        self.figure("server RSS after ideas", f"{rss_mib(self.pid):.1f} MiB")

    def wait_for_ideas(self, start: float) -> None:
        """Wait until projectors and phones got every acked idea; record delivery latency."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        screens = [(s, x) for s in self.sessions for x in [s["projector"], *s["phones"]]]
        pending = list(screens)
        while pending and time.monotonic() < deadline:
            pending = [(s, x) for s, x in pending if x.idea_count() < len(s["acked_ideas"])]
            if pending:
                time.sleep(0.05)
        self.figure("all screens have all ideas after", f"{time.perf_counter() - start:.2f} s")
        delivery = []
        for s in self.sessions:
            projector = s["projector"]
            with projector.lock:
                got = dict(projector.idea_ids)
            missing = set(s["acked_ideas"]) - set(got)
            if missing:
                self.lost.append(f"session {s['id']}: projector missed {len(missing)} ideas")
            delivery += [got[i] - sent for i, sent in s["acked_ideas"].items() if i in got]
        self.figure("idea send -> projector", percentiles(delivery))
        short = [(s, x) for s, x in pending if x is not s["projector"]]
        if short:
            self.lost.append(f"{len(short)} phones missed some idea.added events")
        delivered = sum(x.idea_count() for _, x in screens)
        self.figure("idea.added deliveries", f"{delivered} events to {len(screens)} screens")

    # --- votes -------------------------------------------------------------------

    def _vote(self, s: dict, phone: Screen) -> None:
        """Wait for the vote phase, re-sync like the phone page, then spend the budget."""
        if not phone.phase_changed.wait(ACK_TIMEOUT) or phone.phase_index != s["vote_index"]:
            self.rec.fail(f"phone saw no phase event (index {phone.phase_index})")
            return
        ack = self.rec.timed_call(phone.client, "sync", "sync", {})
        if ack is None:
            return
        vote = ack["state"]["vote"]
        keys = [item["key"] for item in vote["items"]]
        random.shuffle(keys)
        left, plan = vote["budget"], []
        for key in keys:
            if left <= 0:
                break
            count = random.randint(1, min(vote["per_item_cap"], left))
            plan.append((key, count))
            left -= count
        used = 0
        for key, count in plan:
            ack = self.rec.timed_call(
                phone.client,
                "vote.set",
                "vote.set",
                {"client_id": uuid.uuid4().hex, "item": key, "count": count},
            )
            if ack is not None:
                used = ack["used"]
                with s["lock"]:
                    s["vote_events"] += 1
        with s["lock"]:
            s["dots"] += used

    def vote(self) -> None:
        """Move every session to its vote phase; phones sync and cast their dots."""
        threads = []
        for s in self.sessions:
            for phone in s["phones"]:
                phone.phase_changed.clear()
                threads.append(threading.Thread(target=self._vote, args=(s, phone), daemon=True))
        for t in threads:
            t.start()
        cpu0, own0 = cpu_seconds(self.pid), own_cpu_seconds()
        start = time.perf_counter()
        for s in self.sessions:
            t0 = time.perf_counter()
            response = self.http.post(
                f"{self.server.url}/api/v1/sessions/{s['id']}/phase", json={"to": s["vote_index"]}
            )
            self.rec.add("phase move (API)", time.perf_counter() - t0)
            response.raise_for_status()
        for t in threads:
            t.join()
        took = time.perf_counter() - start
        events = sum(s["vote_events"] for s in self.sessions)
        dots = sum(s["dots"] for s in self.sessions)
        self.figure("phase move (API)", percentiles(self.rec.latencies["phase move (API)"]))
        self.figure("sync after phase event", percentiles(self.rec.latencies.get("sync", [])))
        projector_syncs = self.rec.latencies.get("projector sync", [])
        self.figure("projector sync after phase event", percentiles(projector_syncs))
        self.figure(
            "votes acked",
            f"{events} vote.set ({dots} dots) in {took:.2f} s = {events / took:.0f} votes/s",
        )
        self.figure("vote.set ack", percentiles(self.rec.latencies.get("vote.set", [])))
        self.check_tallies()
        self.cpu_figure("votes", cpu0, own0)

    def check_tallies(self) -> None:
        """Wait for each projector's last tally to show every dot; count tally events."""
        deadline = time.monotonic() + max(5.0, 4 * self.args.results_interval)
        for s in self.sessions:
            projector = s["projector"]
            while True:
                with projector.lock:
                    last = projector.tallies[-1][2] if projector.tallies else None
                if last == s["dots"] or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            with projector.lock:
                n = len(projector.tallies)
                span = projector.tallies[-1][0] - projector.tallies[0][0] if n > 1 else 0.0
            if last != s["dots"]:
                self.lost.append(f"session {s['id']}: last tally {last} dots, cast {s['dots']}")
            rate = f", {(n - 1) / span:.1f}/s" if span else ""
            self.figure(
                f"tally events session {s['id']}",
                f"{n} for {s['vote_events']} vote.set ({s['dots']} dots){rate}, last={last}",
            )

    # --- verification --------------------------------------------------------------

    def verify_api(self) -> None:
        """Compare the final API state of each session with what was acked."""
        problems = len(self.lost)
        for s in self.sessions:
            state = self.http.get(f"{self.server.url}/api/v1/sessions/{s['id']}").json()
            ideas = [i for i in state["ideas"] if i["phase_id"] == "ideas" and not i["hidden"]]
            expected = len(s["phones"]) * self.args.ideas
            if len(ideas) != expected or {i["id"] for i in ideas} != set(s["acked_ideas"]):
                self.lost.append(
                    f"session {s['id']}: API has {len(ideas)} ideas, expected {expected}"
                )
            dots = sum(r["count"] for r in (state["vote"] or {}).get("results") or [])
            if dots != s["dots"]:
                self.lost.append(f"session {s['id']}: API tally {dots} dots, cast {s['dots']}")
        problems = len(self.lost) - problems
        self.figure("API state check", f"{problems} problems" if problems else "ok")

    def report(self, wall: float) -> int:
        """Print the closing figures and problems; return the exit status."""
        dropped = collections.Counter(
            f"{'projector' if x is s['projector'] else 'phone'} ({x.disconnected.split()[0]})"
            for s in self.sessions
            for x in [s["projector"], *s["phones"]]
            if x.disconnected
        )
        self.figure("server RSS after votes", f"{rss_mib(self.pid):.1f} MiB")
        self.figure("server RSS peak (VmHWM)", f"{rss_mib(self.pid, 'VmHWM'):.1f} MiB")
        self.figure(
            "CPU total",
            f"server {cpu_seconds(self.pid) - self.cpu_start:.1f} s, "
            f"bench client {own_cpu_seconds():.1f} s",
        )
        if self.inline:
            screens = [x for s in self.sessions for x in [s["projector"], *s["phones"]]]
            gap = max(x.ping_wait() for x in screens)
            self.figure("longest wait for a server PING", f"{gap:.1f} s (due every 20 s)")
        self.figure(
            "unexpected disconnects",
            ", ".join(f"{n} {what}" for what, n in dropped.items()) or "0",
        )
        examples = [
            f"session {s['id']}: {x.disconnected}"
            for s in self.sessions
            for x in [s["projector"], *s["phones"]]
            if x.disconnected
        ]
        for example in examples[:5]:
            print(f"    {example}")
        log = self.server.log()
        errors = [line for line in log.splitlines() if " ERROR " in line or "Traceback" in line]
        self.figure("server log errors", str(len(errors)))
        for line in errors[:10]:
            print(f"    {line[:200]}")
        self.figure("machine load average", load_average())
        self.figure("wall time", f"{wall:.1f} s")
        for failure, n in collections.Counter(self.rec.failures).most_common(20):
            print(f"  FAILED ACK: {n} x {failure}")
        for lost in self.lost:
            print(f"  LOST: {lost}")
        if self.rec.failures or self.lost:
            print(f"FAIL: {len(self.rec.failures)} failed acks, {len(self.lost)} losses")
            return 1
        print("OK: every ack succeeded and nothing was lost")
        return 0

    # --- lifecycle -----------------------------------------------------------------

    def cleanup(self) -> None:
        """Close the sockets, then stop the server and remove what this run made."""
        if self._closed_screens.acquire(blocking=False):
            screens = [x for s in self.sessions for x in [s.get("projector"), *s["phones"]] if x]
            with ThreadPoolExecutor(max_workers=32) as pool:
                list(pool.map(Screen.close, screens))
        self.stop_server()

    def stop_server(self, wait: float = -1) -> None:
        """Stop the server, drop a database this run created, remove temp files (once)."""
        if not self._stopped.acquire(timeout=wait):
            return
        self.server.stop()
        try:
            if self.pg:
                self.pg.drop()
        finally:
            if self.args.keep_log:
                shutil.copy(self.server.log_path, self.args.keep_log)
            shutil.rmtree(self.tmp, ignore_errors=True)

    def run(self) -> int:
        """Run every step and return the exit status."""
        start = time.perf_counter()
        db = self.server.database_url.split("@")[-1] if self.pg else "SQLite (temp dir)"
        print(
            f"facilitator live load: {self.args.sessions} sessions x {self.args.phones} phones"
            f" x {self.args.ideas} ideas, eventlet, {db},"
            f" client dispatch {'inline' if self.inline else 'stock (thread per message)'}",
            flush=True,
        )
        self.figure("machine load average", load_average())
        self.start_server()
        self.create_sessions()
        self.connect_projectors()
        self.connect_phones()
        self.post_ideas()
        self.vote()
        self.verify_api()
        return self.report(time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the benchmark under a watchdog and clean up."""
    # Dropped connections are counted with their reasons; the clients' own log lines are noise.
    for name in ("engineio.client", "socketio.client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3, help="sessions (default 3)")
    parser.add_argument("--phones", type=int, default=30, help="phones per session (default 30)")
    parser.add_argument(
        "--ideas", type=int, default=5, help="ideas per phone (default 5, at most 20 per person)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL; a missing PostgreSQL database is created and dropped "
        "(default: SQLite in a temp dir)",
    )
    parser.add_argument(
        "--results-interval",
        type=float,
        default=0.5,
        help="FACILITATOR_RESULTS_INTERVAL of the server (default 0.5 s, the production value)",
    )
    parser.add_argument(
        "--join-workers", type=int, default=16, help="phones joining at once (default 16)"
    )
    parser.add_argument(
        "--stock-dispatch",
        action="store_true",
        help="unmodified client: a thread per message, small reads, drops after 25 s w/o PING",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment variable for the server (repeatable)",
    )
    parser.add_argument("--timeout", type=float, default=180, help="overall limit in s (180)")
    parser.add_argument("--keep-log", default=None, help="copy the server log to this file")
    args = parser.parse_args(argv)
    if min(args.sessions, args.phones, args.ideas) < 1:
        parser.error("sessions, phones and ideas must be at least 1")
    if args.sessions * args.phones > 2000 or args.ideas > 20:
        parser.error("at most 2000 phones in all and 20 ideas per phone (the template's limit)")

    bench = Bench(args)

    def watchdog() -> None:
        print(f"TIMEOUT: the run took longer than {args.timeout:.0f} s", flush=True)
        try:
            bench.stop_server(wait=20)
        finally:
            os._exit(3)

    timer = threading.Timer(args.timeout, watchdog)
    timer.daemon = True
    timer.start()
    try:
        return bench.run()
    finally:
        timer.cancel()
        bench.cleanup()


if __name__ == "__main__":
    sys.exit(main())
