"""Connections against the real server: half-open crowds, and crowds of phones.

    python bench/connections.py                      # 1,100 half-open, this checkout
    python bench/connections.py --half-open 3000
    python bench/connections.py --root /tmp/before   # another checkout (a git worktree)
    python bench/connections.py --phones 2000        # 2,000 phones in one session + floor
    python bench/connections.py --phones 300 --ideas 20 --compression off,on,4096

Half-open: opens N connections from 127.0.0.1 that send a partial request head and then
nothing, then times a new client's GET /healthz (from 127.0.0.1 and from 127.0.0.2), and
watches how many of the N the server closes within --watch seconds.

Phones (`--phones N`): the floor (bench/floor.py) and then the project, once per
`--compression` value (FACILITATOR_WEBSOCKET_COMPRESSION), each with N light phones
from N loopback addresses in one session, offering permessage-deflate as browsers do
(`--no-deflate`: not). Prints per server: phones connected, join ack times, server
memory per phone, /healthz with everyone connected, idea fan-out deliveries/s
(`--posters` phones post `--ideas` ideas each, every phone counts `idea.added`), and a
phase change: time until every phone has its new state (the `phase` event, and the
`sync` ack when the event carries no state, as the phone page does), with a /healthz
timed while that storm is on. Exit 1 when a phone failed to connect or missed the phase.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.server_process import free_port  # noqa: E402


def healthz_time(port: int, source: str, timeout: float) -> float | None:
    """Seconds until a full /healthz answer from `source`, or None after `timeout`."""
    started = time.monotonic()
    try:
        with socket.socket() as s:
            s.settimeout(timeout)
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        return time.monotonic() - started if data.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--half-open", type=int, default=1100)
    parser.add_argument("--phones", type=int, default=0, help="crowd mode: phones")
    parser.add_argument("--compression", default="off", help="values to run, comma separated")
    parser.add_argument("--no-deflate", action="store_true", help="phones offer no deflate")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--posters", type=int, default=10)
    parser.add_argument("--ideas", type=int, default=0, help="ideas per poster (0: none)")
    parser.add_argument("--database-url", default=None, help="project database (SQLite)")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--watch", type=float, default=15.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="new client's patience")
    args = parser.parse_args()
    if args.phones:
        return crowd(args)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.half_open + 500), hard))
    tmp = Path(tempfile.mkdtemp(prefix="bench-conn-"))
    port = free_port()
    env = {**os.environ, "FACILITATOR_INSTANCE": str(tmp / "instance")}
    log = open(tmp / "server.log", "w")  # noqa: SIM115  closed with the server
    server = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "--port", str(port),
         "--database-url", f"sqlite:///{tmp / 'db.sqlite'}"],
        cwd=args.root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    slow: list[socket.socket] = []
    try:
        for _ in range(150):
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            time.sleep(0.2)
        print(f"server: {args.root}")
        idle = healthz_time(port, "127.0.0.1", args.timeout)
        if idle is None:
            print("the server did not answer /healthz:", file=sys.stderr)
            print((tmp / "server.log").read_text()[-3000:], file=sys.stderr)
            return 1
        print(f"idle /healthz: {idle:.3f} s")
        opened = time.monotonic()
        stuck = 0
        for _ in range(args.half_open):
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", port))
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slow")
            except OSError:
                stuck += 1  # the server's accept queue is full
                s.close()
                if stuck >= 3:
                    break
                continue
            slow.append(s)
        print(f"half-open connections: {len(slow)} in {time.monotonic() - opened:.2f} s")
        if stuck:
            print(f"connects that got no answer in 2 s: {stuck} (stopped opening more)")
        for source in ("127.0.0.1", "127.0.0.2"):
            took = healthz_time(port, source, args.timeout)
            shown = f"{took:.3f} s" if took is not None else f"no answer in {args.timeout:g} s"
            print(f"new client /healthz from {source}: {shown}")
        closed_at = {}
        for s in slow:
            s.setblocking(False)
        while time.monotonic() - opened < args.watch and len(closed_at) < len(slow):
            for i, s in enumerate(slow):
                if i in closed_at:
                    continue
                try:
                    if s.recv(1024) == b"":
                        closed_at[i] = time.monotonic() - opened
                except BlockingIOError:
                    pass
                except OSError:
                    closed_at[i] = time.monotonic() - opened
            time.sleep(0.2)
        if closed_at:
            times = sorted(closed_at.values())
            print(
                f"closed by the server within {args.watch:g} s: {len(times)} of {len(slow)} "
                f"(first after {times[0]:.1f} s, last after {times[-1]:.1f} s)"
            )
        else:
            print(f"closed by the server within {args.watch:g} s: 0 of {len(slow)}")
        status = Path(f"/proc/{server.pid}/status").read_text()
        rss = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        print(f"server RSS: {int(rss) // 1024} MB")
    finally:
        for s in slow:
            with contextlib.suppress(OSError):
                s.close()
        server.terminate()
        server.wait(10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


# ----------------------------------------------------------------- crowd mode


def crowd(args) -> int:
    import asyncio

    import floor as fl

    fl.raise_own_file_limit(args.phones * 2 + 500)
    rows: list[tuple[str, dict]] = []
    failed = False
    targets = [] if args.no_floor else [("floor", None)]
    targets += [(f"project, compression {c}", c) for c in args.compression.split(",")]
    for name, compression in targets:
        tmp = Path(tempfile.mkdtemp(prefix="bench-crowd-"))
        try:
            if compression is None:
                port = free_port()
                proc = fl.start_floor(port, tmp / "floor.log")
                server = None
            else:
                from tests.server_process import ServerProcess

                server = ServerProcess(tmp, database_url=args.database_url)
                server.env.update(
                    {
                        "FACILITATOR_WEBSOCKET_COMPRESSION": compression,
                        "FACILITATOR_RESULTS_INTERVAL": "0.5",
                    }
                )
                server.start()
                port, proc = server.port, server.proc
            figures = asyncio.run(crowd_run(args, fl, port, proc.pid, server))
            if server is not None and ("Traceback" in server.log() or " ERROR " in server.log()):
                figures["server log errors"] = str(server.log().count(" ERROR "))
            rows.append((name, figures))
            failed |= figures.pop("_failed", False)
        finally:
            if server is not None:
                server.stop()
            else:
                fl.stop(proc)
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"--- {name}")
        for key, value in figures.items():
            print(f"  {key}: {value}")
    names = [name for name, _ in rows]
    keys = list(dict.fromkeys(k for _, f in rows for k in f))
    print()
    print(f"phones: {args.phones}, deflate offered: {not args.no_deflate}, load {load()}")
    print("| figure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in keys:
        print(f"| {key} | " + " | ".join(f.get(key, "-") for _, f in rows) + " |")
    return 1 if failed else 0


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def crowd_run(args, fl, port: int, pid: int, server) -> dict:
    import asyncio

    figures: dict = {}
    base = f"http://127.0.0.1:{port}"
    session = None
    if server is not None:
        session = await asyncio.to_thread(fl.project_session, base)
    await asyncio.sleep(1.0)
    rss0 = fl.rss_kib(pid)
    phones = [
        fl.Phone("127.0.0.1", port, fl.source_address(i), deflate=not args.no_deflate)
        for i in range(args.phones)
    ]
    started = time.monotonic()

    async def join(i):
        if session:
            return await fl.join_project_phone(phones[i], session["code"])
        return await fl.join_floor_phone(phones[i])

    results = await fl.connect_many(join, args.phones)
    took = time.monotonic() - started
    acks = [r for r in results if isinstance(r, float)]
    errors = [r for r in results if not isinstance(r, float)]
    figures["phones connected"] = f"{len(acks)} of {args.phones} in {took:.1f} s"
    if errors:
        figures["_failed"] = True
        figures["connect errors"] = f"{len(errors)}: {str(errors[0])[:80]}"
    figures["join ack p50/p95/p99/max ms"] = fl.percentiles(acks)
    figures["compressed websockets"] = str(sum(p.compressed for p in phones))
    await asyncio.sleep(2.0)
    rss1 = fl.rss_kib(pid)
    figures["server RSS before → with phones"] = f"{rss0 // 1024} → {rss1 // 1024} MiB"
    figures["memory per phone"] = f"{(rss1 - rss0) / max(1, len(acks)):.0f} KiB"
    hz = await fl.healthz_seconds("127.0.0.1", port, "127.0.0.250")
    figures["/healthz with everyone connected"] = f"{hz * 1000:.0f} ms" if hz else "NO ANSWER"
    live = [p for p in phones if p.connected.is_set() and not p.closed]

    if args.ideas:
        cpu0 = fl.cpu_seconds(pid)
        counts = [0]
        expected = len(live) * args.posters * args.ideas
        done = asyncio.get_running_loop().create_future()
        latencies: list[float] = []

        def on_idea(payload, phone=None):
            counts[0] += 1
            if counts[0] >= expected and not done.done():
                done.set_result(None)

        for phone in live:
            phone.on("idea.added", on_idea)
        posters = live[: args.posters]
        t0 = time.monotonic()

        async def post(phone):
            for k in range(args.ideas):
                sent = time.monotonic()
                if session:
                    import uuid

                    ack = await phone.call(
                        "idea.add",
                        {
                            "client_id": uuid.uuid4().hex,
                            "text": f"Idea {k} from a phone in a big room, some words long",
                            "column": session["columns"][k % len(session["columns"])],
                        },
                    )
                else:
                    ack = await phone.call(
                        "idea", {"text": f"Idea {k} from a phone in a big room, some words long"}
                    )
                if ack and ack.get("ok"):
                    latencies.append(time.monotonic() - sent)

        await asyncio.gather(*(post(p) for p in posters))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done, 30)
        span = time.monotonic() - t0
        figures["idea.added deliveries"] = f"{counts[0]} of {expected}"
        figures["deliveries/s"] = f"{counts[0] / span:,.0f}"
        figures["idea ack p50/p95/p99/max ms"] = fl.percentiles(latencies)
        figures["server CPU for the fan-out"] = f"{fl.cpu_seconds(pid) - cpu0:.1f} s"
        for phone in live:
            phone.on("idea.added", None)

    # The phase change.
    got: dict[int, float] = {}
    all_done = asyncio.get_running_loop().create_future()

    def on_phase(i, phone):
        def handler(payload):
            if payload and "state" in payload or not session:
                got[i] = time.monotonic()
                if len(got) == len(live) and not all_done.done():
                    all_done.set_result(None)
                return

            async def sync():
                with contextlib.suppress(Exception):
                    ack = await phone.call("sync", {}, timeout=60)
                    if ack and ack.get("ok"):
                        got[i] = time.monotonic()
                        if len(got) == len(live) and not all_done.done():
                            all_done.set_result(None)

            asyncio.get_running_loop().create_task(sync())

        return handler

    for i, phone in enumerate(live):
        phone.on("phase", on_phase(i, phone))
    await asyncio.sleep(1.0)
    cpu0 = fl.cpu_seconds(pid)
    t0 = time.monotonic()
    if session:
        task = asyncio.create_task(
            asyncio.to_thread(fl.move_phase, base, session, session["vote_index"])
        )
    else:
        task = asyncio.create_task(live[0].call("phase", {"room": "s", "index": 3}))
    await asyncio.sleep(0.05)
    hz = await fl.healthz_seconds("127.0.0.1", port, "127.0.0.251", timeout=30)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_done, 60)
    await task
    times = [t - t0 for t in got.values()]
    figures["phones with the new state"] = f"{len(got)} of {len(live)}"
    if len(got) < len(live) or len(live) < args.phones:
        figures["_failed"] = True
    figures["phase change → state p50/p95/p99/max ms"] = fl.percentiles(times)
    figures["/healthz during the phase change"] = f"{hz * 1000:.0f} ms" if hz else "NO ANSWER"
    figures["server CPU for the phase change"] = f"{fl.cpu_seconds(pid) - cpu0:.1f} s"
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    figures["server RSS peak"] = f"{int(hwm) // 1024} MiB"
    for phone in phones:
        phone.close()
    await asyncio.sleep(0.5)
    return figures


if __name__ == "__main__":
    sys.exit(main())
