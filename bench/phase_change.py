"""Phase change to every phone, beside the floor: prints the table of issue 10 with ratios.

    python bench/phase_change.py                      # 300 and 1,000 phones, 200 ideas
    python bench/phase_change.py --phones 300 --before /tmp/before   # also an older checkout
    flock /tmp/helpers/bench.lock python bench/phase_change.py ...   # on the shared machine

For each phone count it runs, one after the other, the project (this checkout, phones
speaking protocol 2 as `common.js` does), optionally the project of an older checkout
(`--before DIR`, phones speaking protocol 1: `sync` after `phase`, as its pages did), and
the floor (`bench/floor.py`: a relay-only Flask-SocketIO server that sends the same
state bytes the project's phones got). Each run:

1. join storm: N phones join within `--join-seconds` (30 s), evenly spread; the figure
   is the `join` acknowledgement p95 (the floor acks with the state blob);
2. memory per phone: server RSS growth over the joins / N;
3. ideas: `--ideas` (200) ideas; the first ones as fast as 40 phones can post (idea
   deliveries per second to every phone and the projector: an `ideas.batch` of k counts
   k), the last 40 at 10 ideas/s (idea send -> projector p95);
4. phase change: the facilitator moves to the vote phase (HTTP); for each phone the
   time until it holds its new state (protocol 2: `phase.mine`; protocol 1: the `sync`
   ack); p95 and p100 (the last phone). The floor: `phase` relayed to everyone.
5. size: bytes of one phone's new state (JSON as sent, uncompressed).

Then, on a fresh server each (project and floor, `--fanout-seconds`, 0 skips it), the
issue's fan-out scenario: N phones each post one idea every 30 s (a random offset each)
while the wall is on the projector only (the ideas phase with `wall: projector`; the
floor relays each idea to the projector and its sender only); figures: idea send ->
projector p95 and p100, the `idea.add` ack p95, ideas the projector missed.

With `--profile DIR` py-spy records the server during the phase change (raw collapsed
stacks in DIR) and the run prints where the samples went.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import floor as fl  # noqa: E402

WORDS = (
    "vuorolistat julki ajoissa perehdytys uusille hoitajille tauot pidetään yhdessä "
    "kirjaaminen heti käynnin jälkeen hiljainen huone lääkehoidon tarkistus viikoittain "
    "palaverit lyhyemmiksi kiitos kollegalle tiedonkulku yövuoroon asiakaspalaute "
    "kuukausittain varahenkilöstö sairauslomiin työkierto osastojen välillä"
)


def idea_text(rng: random.Random) -> str:
    """A phone-typed idea, 30-110 characters of Finnish words."""
    target = rng.randint(30, 110)
    words: list[str] = []
    while len(" ".join(words)) < target:
        words.append(rng.choice(WORDS.split()))
    return " ".join(words)[:target].strip().capitalize()


def wire(payload) -> int:
    """Bytes of a payload as the server's JSON encoder sends it (uncompressed)."""
    return len(json.dumps(payload, separators=(",", ":")).encode())


def p100(values: list[float]) -> float:
    return max(values) if values else float("nan")


DATABASE_URL: str | None = None  # --database-url


class Server:
    """The project's server (`python -m facilitator`) from a checkout, on loopback."""

    def __init__(self, root: Path, tmp: Path, env: dict):
        self.root = root
        self.port = fl_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "server.log"
        self.env = {
            **os.environ,
            "FACILITATOR_INSTANCE": str(tmp / "instance"),
            "FACILITATOR_RESULTS_INTERVAL": "0.5",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.db = f"sqlite:///{tmp / 'server.db'}"
        self.pg = None
        if DATABASE_URL:
            # A fresh PostgreSQL database per server: the URL's name plus a suffix.
            from live_load import PostgresDatabase

            self.db = f"{DATABASE_URL}_{uuid.uuid4().hex[:8]}"
            self.pg = PostgresDatabase(self.db)
        self.proc = None

    def start(self):
        import requests

        if self.pg is not None and not self.pg.created:
            self.pg.create()

        log = open(self.log_path, "a")  # noqa: SIM115  closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "facilitator", "--host", "127.0.0.1", "--port",
             str(self.port), "--database-url", self.db],
            cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log_path.read_text()[-3000:])
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return
            time.sleep(0.2)
        raise RuntimeError("server did not start: " + self.log_path.read_text()[-3000:])

    def stop(self):
        if self.proc is not None:
            fl.stop(self.proc)
        if self.pg is not None:
            self.pg.drop()


def fl_free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Profiler:
    """py-spy recording the server for a while (raw collapsed stacks)."""

    def __init__(self, pid: int, out: Path, seconds: float):
        self.out = out
        self.proc = subprocess.Popen(
            ["py-spy", "record", "-p", str(pid), "-o", str(out), "-f", "raw", "-r", "200",
             "-d", str(int(seconds)), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1.0)  # py-spy attaches

    def summary(self) -> list[tuple[str, float]]:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(60)
        if not self.out.exists():
            return []
        buckets = {
            "SQLAlchemy (loading rows)": ("sqlalchemy",),
            "snapshot building (serializers, phases/*/view, spec)": (
                "serializers.py", "/view.py", "/spec.py", "selection.py"),
            "JSON encoding": ("json/encoder", "json/__init__", "encode ("),
            "websocket framing / compression": (
                "simple_websocket", "wsproto", "websocket.py", "zlib", "deflate"),
            "engine.io / socket.io": ("engineio", "socketio"),
        }  # fmt: skip
        total = 0
        counts: collections.Counter = collections.Counter()
        for line in self.out.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            if not n.isdigit():
                continue
            n = int(n)
            total += n
            if "do_poll" in stack.rsplit(";", 1)[-1]:
                counts["event loop polling (epoll)"] += n
                continue
            for name, needles in buckets.items():
                if any(x in stack for x in needles):
                    counts[name] += n
                    break
            else:
                counts["other"] += n
        if not total:
            return []
        rows = [(name, 100.0 * n / total) for name, n in counts.most_common()]
        # py-spy samples only running threads: the count at 200 Hz is CPU time spent.
        return [*rows, (f"{total / 200:.2f} s of samples", 100.0)]


async def storm(n: int, seconds: float, join_one) -> tuple[list[float], int]:
    """Join n phones evenly spread over `seconds`; return ack seconds and failures."""
    started = time.monotonic()
    acks: list[float] = []
    failed = 0

    async def one(i):
        nonlocal failed
        await asyncio.sleep(max(0.0, started + i * seconds / n - time.monotonic()))
        try:
            acks.append(await join_one(i))
        except Exception as exc:  # noqa: BLE001  counted
            failed += 1
            if failed <= 3:
                print(f"  join failed: {exc!r}", flush=True)

    await asyncio.gather(*(one(i) for i in range(n)))
    return acks, failed


class Counter:
    """Idea deliveries counted over all phones."""

    def __init__(self):
        self.deliveries = 0
        self.last = 0.0

    def add(self, k: int = 1):
        self.deliveries += k
        self.last = time.monotonic()


async def post_ideas(senders, texts, column_of, counter, n_phones, saturate: int):
    """Post ideas: the first `saturate` as fast as possible, then 10/s; return figures."""
    fast, slow = texts[:saturate], texts[saturate:]
    queue = list(enumerate(fast))
    t0 = time.monotonic()
    base = counter.deliveries

    async def worker(phone):
        while queue:
            i, text = queue.pop(0)
            await phone.post(i, text, column_of(i))

    await asyncio.gather(*(worker(p) for p in senders))
    want = base + len(fast) * n_phones
    deadline = time.monotonic() + 60
    while counter.deliveries < want and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    rate = (counter.deliveries - base) / max(1e-6, counter.last - t0)
    for j, text in enumerate(slow):
        i = saturate + j
        senders[i % len(senders)].fire(i, text, column_of(i))
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.0)
    return rate


async def run_target(args, kind: str, n: int, root: Path, tmp: Path, blob=None) -> dict:
    """One run against 'project', 'before' (older checkout, protocol 1) or 'floor'."""
    rng = random.Random(7)
    texts = [idea_text(rng) for _ in range(args.ideas)]
    protocol = 2 if kind == "project" else 1
    server = None
    if kind == "floor":
        port = fl_free_port()
        proc = fl.start_floor(port, tmp / "floor.log")
        pid = proc.pid
    else:
        server = Server(root, tmp, {})
        server.start()
        port, proc, pid = server.port, server.proc, server.proc.pid
    out: dict = {}
    phones: list[fl.Phone] = []
    counter = Counter()
    sent_at: dict[str, float] = {}
    to_projector: list[float] = []
    try:
        if kind != "floor":
            session = await asyncio.to_thread(fl.project_session, f"http://127.0.0.1:{port}")
        projector = fl.Phone("127.0.0.1", port, deflate=args.deflate)

        def on_projector_idea(idea):
            t = sent_at.get(idea.get("text"))
            if t is not None:
                to_projector.append(time.monotonic() - t)
            counter.add()

        projector.on("idea.added", on_projector_idea)
        if kind == "floor":
            await projector.connect()
            await projector.call("join", {"room": "s"})
        else:
            await projector.connect(fl.cookie_of(session["http"]))
            join = {"role": "projector", "session_id": session["id"]}
            if protocol == 2:
                join["protocol"] = 2
            ack = await projector.call("join", join)
            assert ack.get("ok"), ack
        await asyncio.sleep(0.5)
        rss0 = fl.rss_kib(pid)
        phones = [
            fl.Phone("127.0.0.1", port, fl.source_address(i), deflate=args.deflate)
            for i in range(n)
        ]
        for ph in phones:
            ph.on("idea.added", lambda _p: counter.add())
            ph.on("ideas.batch", lambda p: counter.add(len(p.get("events") or [])))

        async def join_one(i):
            ph = phones[i]
            if kind == "floor":
                await ph.connect()
                t = time.monotonic()
                ack = await ph.call("join", {"room": "s", "state": blob})
            else:
                status, cookie = await ph.get(f"/j/{session['code']}")
                if status != 200:
                    raise ConnectionError(f"/j/ {status}")
                await ph.connect(cookie)
                payload = {"role": "participant", "code": session["code"]}
                if protocol == 2:
                    payload["protocol"] = 2
                t = time.monotonic()
                ack = await ph.call("join", payload)
            if not ack or not ack.get("ok"):
                raise ConnectionError(str(ack)[:200])
            return time.monotonic() - t

        join_profiler = None
        if args.profile and args.profile_join:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            join_profiler = Profiler(
                pid, Path(args.profile) / f"{kind}-{n}-join.txt", args.join_seconds
            )
        acks, failed = await storm(n, args.join_seconds, join_one)
        if join_profiler is not None:
            out["_join_profile"] = join_profiler.summary()
        await asyncio.sleep(2.0)
        out["join_p95"] = fl.p95(acks)
        out["join_failed"] = failed
        out["mem_per_phone_kib"] = (fl.rss_kib(pid) - rss0) / max(1, n - failed)

        # Ideas.
        senders = phones[: min(40, n)]
        for ph in senders:

            async def post(j, text, column, ph=ph):
                sent_at[text] = time.monotonic()
                if kind == "floor":
                    await ph.call("idea", {"text": text})
                else:
                    await ph.call("idea.add", {"client_id": uuid.uuid4().hex, "text": text,
                                               "column": column})  # fmt: skip

            def fire(j, text, column, ph=ph):
                sent_at[text] = time.monotonic()
                if kind == "floor":
                    ph.emit("idea", {"text": text})
                else:
                    ph.emit("idea.add", {"client_id": uuid.uuid4().hex, "text": text,
                                         "column": column})  # fmt: skip

            ph.post, ph.fire = post, fire
        columns = ["keep", "change", "give-up"]
        saturate = max(0, args.ideas - 40)
        out["deliveries_s"] = await post_ideas(
            senders, texts, lambda i: columns[i % 3], counter, n + 1, saturate
        )
        out["idea_projector_p95"] = fl.p95(to_projector[saturate:] or to_projector)

        # Phase change.
        done: dict[int, float] = {}
        sizes: dict[str, int] = {}
        t0 = [0.0]

        for i, ph in enumerate(phones):

            def got(i=i):
                if i not in done:
                    done[i] = time.monotonic() - t0[0]

            if kind == "floor":
                ph.on("phase", lambda p, got=got, i=i: (got(), i == 0 and sizes.setdefault(
                    "state", wire(p))))  # fmt: skip
            elif protocol == 2:

                def on_phase(p, got=got, i=i):
                    if i == 0:
                        sizes["state"] = wire(p)
                        out["_blob"] = p
                    if p.get("state") is not None and not p.get("mine"):
                        got()

                def on_mine(p, got=got, i=i):
                    if i == 0:
                        sizes["mine"] = wire(p)
                    got()

                ph.on("phase", on_phase)
                ph.on("phase.mine", on_mine)
            else:

                def on_phase(p, ph=ph, got=got, i=i):
                    async def sync():
                        ack = await ph.call("sync", {})
                        if i == 0:
                            sizes["state"] = wire(ack)
                            out["_blob"] = ack.get("state")
                        got()

                    asyncio.get_running_loop().create_task(sync())

                ph.on("phase", on_phase)
        profiler = None
        if args.profile:
            prof_dir = Path(args.profile)
            prof_dir.mkdir(parents=True, exist_ok=True)
            profiler = Profiler(pid, prof_dir / f"{kind}-{n}.txt", args.profile_seconds)
        t0[0] = time.monotonic()
        if kind == "floor":
            await projector.call("phase", {"room": "s", "state": blob})
        else:
            await asyncio.to_thread(
                fl.move_phase, f"http://127.0.0.1:{port}", session, session["vote_index"]
            )
        deadline = time.monotonic() + args.phase_timeout
        alive = [i for i, ph in enumerate(phones) if not ph.closed]
        while len(done) < len(alive) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        times = list(done.values())
        out["phase_p95"] = fl.p95(times)
        out["phase_p100"] = p100(times) if len(done) >= len(alive) else float("inf")
        out["phase_got"] = f"{len(done)}/{len(alive)}"
        out["state_bytes"] = sizes.get("state", 0) + sizes.get("mine", 0)
        if profiler is not None:
            out["_profile"] = profiler.summary()
        if server is not None:
            log = server.log_path.read_text()
            out["server_errors"] = log.count("Traceback") + log.count(" ERROR ")
    finally:
        for ph in phones:
            ph.close()
        if server is not None:
            server.stop()
        else:
            fl.stop(proc)
    return out


def projector_wall_models(tmp: Path) -> Path:
    """A copy of workshop_models/ whose keep-change-give-up ideas phase has the wall on
    the projector only (`wall: projector`): phones see only their own ideas."""
    models = tmp / "models"
    shutil.copytree(ROOT / "workshop_models", models)
    path = models / f"{fl.TEMPLATE}.yaml"
    text = path.read_text()
    assert text.count("wall: participants") == 1, "the template's ideas phase changed"
    path.write_text(text.replace("wall: participants", "wall: projector"))
    return models


async def run_fanout(args, kind: str, n: int, tmp: Path) -> dict:
    """N phones posting one idea each per `--fanout-period` s, wall on the projector only."""
    rng = random.Random(11)
    server = None
    if kind == "floor":
        port = fl_free_port()
        proc = fl.start_floor(port, tmp / "floor.log")
    else:
        server = Server(ROOT, tmp, {"FACILITATOR_MODELS_DIR": str(projector_wall_models(tmp))})
        server.start()
        port, proc = server.port, server.proc
    out: dict = {}
    phones: list[fl.Phone] = []
    sent_at: dict[str, float] = {}
    to_projector: list[float] = []
    acks: list[float] = []
    phone_deliveries = [0]
    refused: list[str] = []
    try:
        projector = fl.Phone("127.0.0.1", port, deflate=args.deflate)

        def on_projector_idea(idea):
            t = sent_at.pop(idea.get("text"), None)
            if t is not None:
                to_projector.append(time.monotonic() - t)

        projector.on("idea.added", on_projector_idea)
        phones = [
            fl.Phone("127.0.0.1", port, fl.source_address(i), deflate=args.deflate)
            for i in range(n)
        ]
        for ph in phones:
            ph.on("idea.added", lambda _p: phone_deliveries.__setitem__(0, phone_deliveries[0] + 1))
            ph.on("ideas.batch", lambda p: phone_deliveries.__setitem__(
                0, phone_deliveries[0] + len(p.get("events") or [])))  # fmt: skip
        if kind == "floor":
            await projector.connect()
            # The projector is in every phone's room: an idea reaches it and its sender.
            for i in range(n):
                await projector.call("join", {"room": f"p{i}"})
            joined = await fl.connect_many(
                lambda i: fl.join_floor_phone(phones[i], room=f"p{i}"), n
            )
        else:
            session = await fl.project_with_projector(projector, f"http://127.0.0.1:{port}")
            joined = await fl.connect_many(
                lambda i: fl.join_project_phone(phones[i], session["code"]), n
            )
            column_of = session["columns"]
        failed = sum(isinstance(x, Exception) for x in joined)
        out["fanout_join_failed"] = failed
        await asyncio.sleep(2.0)
        used: set[str] = set()

        def fresh_text() -> str:
            while True:
                text = idea_text(rng)
                if text not in used:
                    used.add(text)
                    return text

        period, seconds = args.fanout_period, args.fanout_seconds
        start = time.monotonic() + 0.5
        offsets = [rng.uniform(0, period) for _ in range(n)]
        posted = [0]

        async def phone_loop(i: int):
            ph = phones[i]
            k = 0
            while offsets[i] + k * period < seconds:
                await asyncio.sleep(max(0.0, start + offsets[i] + k * period - time.monotonic()))
                k += 1
                if ph.closed:
                    return
                text = fresh_text()
                t = time.monotonic()
                sent_at[text] = t
                posted[0] += 1
                if kind == "floor":
                    ack = await ph.call("idea", {"text": text})
                else:
                    column = column_of[i % len(column_of)]
                    payload = {"client_id": uuid.uuid4().hex, "text": text, "column": column}
                    ack = await ph.call("idea.add", payload)
                acks.append(time.monotonic() - t)
                if not ack or not ack.get("ok"):
                    refused.append(str(ack)[:120])

        await asyncio.gather(*(phone_loop(i) for i in range(n)), return_exceptions=True)
        deadline = time.monotonic() + 10
        while sent_at and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        out["fanout_ideas"] = posted[0]
        out["fanout_rate"] = posted[0] / seconds
        out["fanout_projector_p95"] = fl.p95(to_projector)
        out["fanout_projector_p100"] = p100(to_projector)
        out["fanout_ack_p95"] = fl.p95(acks)
        out["fanout_missed"] = len(sent_at) + len(refused)
        out["fanout_phone_deliveries"] = phone_deliveries[0]
        if refused:
            print(f"  {kind}: {len(refused)} ideas refused, e.g. {refused[0]}", flush=True)
        if server is not None:
            log = server.log_path.read_text()
            out["server_errors"] = log.count("Traceback") + log.count(" ERROR ")
    finally:
        for ph in phones:
            ph.close()
        if server is not None:
            server.stop()
        else:
            fl.stop(proc)
    return out


def fmt_ms(x: float) -> str:
    if x != x:
        return "-"
    if x == float("inf"):
        return "not all"
    return f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s"


def ratio(a: float, b: float, higher_better=False) -> str:
    if not a or not b or a != a or b != b or a == float("inf") or b == float("inf"):
        return "-"
    r = b / a if not higher_better else b / a
    return f"{r:.2f}×"


def table(n: int, results: dict) -> str:
    cols = [k for k in ("floor", "project", "before") if k in results]
    rows = [
        ("phase change → every phone has its state, p100", "phase_p100", fmt_ms, False),
        ("phase change, p95", "phase_p95", fmt_ms, False),
        ("phones with the new state", "phase_got", str, None),
        ("one phone's state in the vote phase (JSON bytes)", "state_bytes",
         lambda b: f"{b / 1024:.1f} KB", None),
        ("idea → projector p95 (10 ideas/s)", "idea_projector_p95", fmt_ms, False),
        ("idea deliveries/s at saturation", "deliveries_s", lambda x: f"{x:,.0f}", True),
        ("join storm: join ack p95", "join_p95", fmt_ms, False),
        ("join failures", "join_failed", str, None),
        ("memory per connected phone", "mem_per_phone_kib", lambda k: f"{k:.0f} KB", False),
        ("fan-out, wall on projector: ideas posted (1 per phone per period)", "fanout_ideas",
         str, None),
        ("fan-out: idea → projector p95", "fanout_projector_p95", fmt_ms, False),
        ("fan-out: idea → projector p100", "fanout_projector_p100", fmt_ms, False),
        ("fan-out: idea ack p95", "fanout_ack_p95", fmt_ms, False),
        ("fan-out: ideas the projector missed", "fanout_missed", str, None),
        ("fan-out: idea deliveries to phones", "fanout_phone_deliveries", str, None),
    ]  # fmt: skip
    head = f"| {n} phones | " + " | ".join(cols)
    head += " | project ÷ floor |" + (" before ÷ floor |" if "before" in cols else "")
    lines = [head, "|" + "---|" * (len(cols) + 2 + ("before" in cols))]
    for label, key, f, better in rows:
        vals = [results[c].get(key) for c in cols]
        cells = [f(v) if v is not None else "-" for v in vals]
        extra = []
        if better is not None and "floor" in results:
            fv = results["floor"].get(key)
            for c in ("project", "before"):
                if c in results:
                    extra.append(ratio(fv, results[c].get(key), better))
        elif better is None:
            extra = [""] * (1 + ("before" in cols))
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(extra) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", default="300,1000")
    parser.add_argument("--ideas", type=int, default=200)
    parser.add_argument("--join-seconds", type=float, default=30.0)
    parser.add_argument("--phase-timeout", type=float, default=60.0)
    parser.add_argument("--before", help="an older checkout to run beside (protocol 1 phones)")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false",
                        help="phones do not offer permessage-deflate (browsers do)")  # fmt: skip
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--profile", help="directory for py-spy recordings of the phase change")
    parser.add_argument("--profile-seconds", type=float, default=12)
    parser.add_argument("--profile-join", action="store_true", help="also profile the join storm")
    parser.add_argument("--only", help="run only these targets (e.g. project)")
    parser.add_argument(
        "--fanout-seconds",
        type=float,
        default=60.0,
        help="length of the fan-out scenario (wall on the projector); 0 skips",
    )
    parser.add_argument(
        "--fanout-period",
        type=float,
        default=30.0,
        help="seconds between one phone's ideas in the fan-out scenario",
    )
    parser.add_argument("--fanout-only", action="store_true",
                        help="run only the fan-out scenario (project and floor)")  # fmt: skip
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL for the project, e.g. postgresql+psycopg://postgres@127.0.0.1/fac_"
        "phase (a fresh database per server, dropped after)",
    )
    args = parser.parse_args(argv)
    global DATABASE_URL
    DATABASE_URL = args.database_url
    counts = [int(x) for x in args.phones.split(",")]
    fl.raise_own_file_limit(max(counts) * 3 + 500)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    failed = False
    for n in counts:
        results: dict = {}
        targets = [("project", ROOT)]
        if args.before:
            targets.append(("before", Path(args.before)))
        if args.only:
            targets = [t for t in targets if t[0] in args.only.split(",")]
        for kind, root in [] if args.fanout_only else targets:
            tmp = Path(tempfile.mkdtemp(prefix="bench-phase-"))
            try:
                print(f"{n} phones: {kind} ...", flush=True)
                results[kind] = asyncio.run(run_target(args, kind, n, root, tmp))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        if (
            not args.fanout_only
            and not args.no_floor
            and (not args.only or "floor" in args.only.split(","))
        ):
            blob = (results.get("project") or results.get("before") or {}).get("_blob")
            tmp = Path(tempfile.mkdtemp(prefix="bench-phase-"))
            try:
                print(f"{n} phones: floor ...", flush=True)
                results["floor"] = asyncio.run(run_target(args, "floor", n, ROOT, tmp, blob))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        fanout_targets = ["project"] + ([] if args.no_floor else ["floor"])
        if args.only:
            fanout_targets = [k for k in fanout_targets if k in args.only.split(",")]
        for kind in fanout_targets if args.fanout_seconds > 0 else []:
            tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
            try:
                print(f"{n} phones: {kind}, fan-out with the wall on the projector ...", flush=True)
                results.setdefault(kind, {}).update(asyncio.run(run_fanout(args, kind, n, tmp)))
            except Exception as exc:  # noqa: BLE001  the other figures still print
                print(f"  fan-out failed: {exc!r}", flush=True)
                failed = True
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        print()
        print(table(n, results))
        for kind, r in results.items():
            if r.get("_profile"):
                print(f"\nprofile of the phase change, {kind}, {n} phones (py-spy samples):")
                for name, share in r["_profile"]:
                    print(f"  {share:5.1f} %  {name}")
            if r.get("_join_profile"):
                print(f"\nprofile of the join storm, {kind}, {n} phones (py-spy samples):")
                for name, share in r["_join_profile"]:
                    print(f"  {share:5.1f} %  {name}")
            if r.get("server_errors"):
                print(f"{kind}: {r['server_errors']} errors in the server log")
            if (
                r.get("join_failed")
                or r.get("phase_p100") == float("inf")
                or r.get("fanout_missed")
            ):
                failed = True
        print(flush=True)
    print(f"load at end {os.getloadavg()[0]:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    threading.stack_size(512 * 1024)
    sys.exit(main())
