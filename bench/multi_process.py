"""Two server processes behind the documented nginx, Redis and PostgreSQL: one big session.

    python bench/multi_process.py                    # 2,000 phones, floor beside
    python bench/multi_process.py --phones 500 --processes 1

Starts `--processes` real servers (`python -m facilitator`, eventlet) on one PostgreSQL
database with `FACILITATOR_MESSAGE_QUEUE=redis://127.0.0.1:6379/0`, and nginx with the
configuration of docs/deployment.md exactly as tests/test_deployment.py builds it (only
ports, certificate paths and the upstream addresses changed; `worker_processes auto`
kept). `--phones` light phones (bench/floor.py) from as many loopback addresses join one
session over TLS through nginx (sticky by address, so they spread over the processes),
then the facilitator moves the phase through nginx: the run times until every phone has
its new state (the `phase` event, plus the `sync` ack when the event carries no state:
counted, 0 since the phase change is announced to every process),
and one idea posted by a phone until it reached every phone. /healthz through nginx is
timed while the phase change is on. Then the floor (bench/floor.py) runs the same
crowd twice: one relay process on its own (no nginx, no TLS), and `--processes` relay
processes sharing their rooms through the same Redis behind the same nginx: the wire of
that set-up. Both floors relay, at the phase change, the very state the project's
first phone got. Exit 1 when a phone failed to join or missed the phase or the idea.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import ssl
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor as fl  # noqa: E402
from live_load import PostgresDatabase  # noqa: E402

from tests.server_process import ServerProcess, free_port  # noqa: E402


def established_to(port: int) -> int:
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            count += 1
    return count


async def crowd(
    args, port: int, pids: list[int], session, context, base: str, upstreams=(), blob=None
) -> dict:
    figures: dict = {}
    await asyncio.sleep(1)
    rss0 = sum(fl.rss_kib(pid) for pid in pids)
    phones = [
        fl.Phone("127.0.0.1", port, fl.source_address(i), ssl=context) for i in range(args.phones)
    ]

    async def join(i):
        if session:
            return await fl.join_project_phone(phones[i], session["code"])
        return await fl.join_floor_phone(phones[i])

    t0 = time.monotonic()
    results = await fl.connect_many(join, args.phones, concurrency=args.concurrency)
    took = time.monotonic() - t0
    acks = [r for r in results if isinstance(r, float)]
    errors = [r for r in results if not isinstance(r, float)]
    figures["phones joined"] = f"{len(acks)} of {args.phones} in {took:.1f} s"
    if errors:
        figures["join errors"] = f"{len(errors)}: {str(errors[0])[:80]}"
        figures["_failed"] = True
    figures["join ack p50/p95/p99/max ms"] = fl.percentiles(acks)
    await asyncio.sleep(2)
    rss1 = sum(fl.rss_kib(pid) for pid in pids)
    per_phone = (rss1 - rss0) / max(1, len(acks))
    figures["server memory per phone (all processes)"] = f"{per_phone:.0f} KiB"
    live = [p for p in phones if p.connected.is_set() and not p.closed]
    if upstreams:
        figures["connections nginx → each process"] = " / ".join(
            str(established_to(u)) for u in upstreams
        )

    # One idea to every phone.
    got_idea: dict[int, float] = {}
    for i, phone in enumerate(live):
        phone.on("idea.added", lambda _p, i=i: got_idea.setdefault(i, time.monotonic()))
    t0 = time.monotonic()
    if session:
        ack = await live[-1].call(
            "idea.add",
            {
                "client_id": uuid.uuid4().hex,
                "text": "Yksi idea kaikille",
                "column": session["columns"][0],
            },
        )
    else:
        ack = await live[-1].call("idea", {"text": "Yksi idea kaikille"})
    assert ack and ack.get("ok"), ack
    for _ in range(300):
        if len(got_idea) >= len(live):
            break
        await asyncio.sleep(0.05)
    times = [t - t0 for t in got_idea.values()]
    figures["one idea → phones p50/p95/max ms"] = (
        f"{len(got_idea)} of {len(live)}; " + fl.percentiles(times)
    )
    if len(got_idea) < len(live):
        figures["_failed"] = True

    # The phase change.
    got: dict[int, float] = {}
    synced: set[int] = set()

    def on_phase(i, phone):
        def handler(payload):
            if not session or (payload and "state" in payload):
                got[i] = time.monotonic()
                if i == 0 and session:
                    figures["_blob"] = payload.get("state")
                return
            synced.add(i)

            async def sync():
                with contextlib.suppress(Exception):
                    ack = await phone.call("sync", {}, timeout=60)
                    if ack and ack.get("ok"):
                        got[i] = time.monotonic()

            asyncio.get_running_loop().create_task(sync())

        return handler

    for i, phone in enumerate(live):
        phone.on("phase", on_phase(i, phone))
    await asyncio.sleep(1)
    cpu0 = sum(fl.cpu_seconds(pid) for pid in pids)
    t0 = time.monotonic()
    if session:
        task = asyncio.create_task(
            asyncio.to_thread(fl.move_phase, base, session, session["vote_index"])
        )
    else:
        # The floor relays the very state the project's phone got.
        task = asyncio.create_task(live[0].call("phase", {"room": "s", "index": 3, "state": blob}))
    await asyncio.sleep(0.05)
    hz0 = time.monotonic()
    health = await asyncio.to_thread(fl_get, base + "/healthz")
    hz = time.monotonic() - hz0 if health else None
    for _ in range(1200):
        if len(got) >= len(live):
            break
        await asyncio.sleep(0.05)
    await task
    times = [t - t0 for t in got.values()]
    figures["phones with the new state"] = f"{len(got)} of {len(live)}"
    if len(got) < len(live):
        figures["_failed"] = True
    if session:
        figures["phones that needed a sync (no state in `phase`)"] = str(len(synced))
    figures["phase change → state p50/p95/p99/max ms"] = fl.percentiles(times)
    figures["/healthz during the phase change"] = f"{hz * 1000:.0f} ms" if hz else "NO ANSWER"
    figures["server CPU for the phase change (all processes)"] = (
        f"{sum(fl.cpu_seconds(pid) for pid in pids) - cpu0:.1f} s"
    )
    for phone in phones:
        phone.close()
    await asyncio.sleep(0.5)
    return figures


def fl_get(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=30).ok
    except requests.RequestException:
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=50, help="phones joining at once")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument(
        "--database-url",
        default="postgresql+psycopg://postgres@127.0.0.1/facilitator_multi_process",
    )
    args = parser.parse_args()
    fl.raise_own_file_limit(args.phones * 2 + 500)
    table: list[tuple[str, dict]] = []
    failed = False
    blob = None

    from tests.test_deployment import Nginx, behind_nginx

    tmp = Path(tempfile.mkdtemp(prefix="bench-mp-"))
    pg = PostgresDatabase(args.database_url)
    pg.create()
    servers: list[ServerProcess] = []
    nginx = None
    try:
        nginx, servers = behind_nginx(
            tmp, args.database_url, args.processes, "auto", FACILITATOR_RESULTS_INTERVAL="0.5"
        )
        for server in servers:
            server.start()
        nginx.start()
        os.environ["REQUESTS_CA_BUNDLE"] = str(nginx.cert)
        context = ssl.create_default_context(cafile=str(nginx.cert))
        session = fl.project_session(nginx.url)
        pids = [s.proc.pid for s in servers]
        ports = [s.port for s in servers]
        figures = asyncio.run(crowd(args, nginx.tls_port, pids, session, context, nginx.url, ports))
        lines = [line for s in servers for line in s.log().splitlines() if " ERROR " in line]
        figures["server log errors"] = str(len(lines))
        for line in lines[:3]:
            print("  server log:", line[:300], flush=True)
        failed |= figures.pop("_failed", False)
        blob = figures.pop("_blob", None)
        name = f"project ({args.processes} processes, nginx, Redis, PostgreSQL)"
        table.append((name, figures))
        print("--- project", figures, flush=True)
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            server.stop()
        pg.drop()
        shutil.rmtree(tmp, ignore_errors=True)
        os.environ.pop("REQUESTS_CA_BUNDLE", None)

    if not args.no_floor:
        # The floor twice: one relay process on its own, and as many relay processes as
        # the project's behind the same nginx and Redis (the wire of that set-up).
        tmp = Path(tempfile.mkdtemp(prefix="bench-mp-floor-"))
        port = free_port()
        proc = fl.start_floor(port, tmp / "floor.log")
        try:
            figures = asyncio.run(
                crowd(args, port, [proc.pid], None, None, f"http://127.0.0.1:{port}", blob=blob)
            )
        finally:
            fl.stop(proc)
            shutil.rmtree(tmp, ignore_errors=True)
        failed |= figures.pop("_failed", False)
        table.insert(0, ("floor (1 process, no nginx)", figures))
        print("--- floor", figures, flush=True)

        tmp = Path(tempfile.mkdtemp(prefix="bench-mp-floor-"))
        procs, nginx = [], None
        try:
            ports = [free_port() for _ in range(args.processes)]
            channel = f"floor-{uuid.uuid4().hex[:8]}"
            procs = [
                fl.start_floor(p, tmp / f"floor{p}.log", "redis://127.0.0.1:6379/0", channel)
                for p in ports
            ]
            nginx = Nginx(tmp, ports, workers="auto")
            nginx.start()
            os.environ["REQUESTS_CA_BUNDLE"] = str(nginx.cert)
            context = ssl.create_default_context(cafile=str(nginx.cert))
            figures = asyncio.run(
                crowd(
                    args, nginx.tls_port, [p.pid for p in procs], None, context, nginx.url,
                    ports, blob=blob,
                )
            )  # fmt: skip
        finally:
            if nginx is not None:
                nginx.stop()
            for proc in procs:
                fl.stop(proc)
            shutil.rmtree(tmp, ignore_errors=True)
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        failed |= figures.pop("_failed", False)
        table.insert(1, (f"floor ({args.processes} processes, nginx, Redis)", figures))
        print("--- floor behind nginx", figures, flush=True)

    names = [n for n, _ in table]
    keys = list(dict.fromkeys(k for _, f in table for k in f))
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nphones: {args.phones}, load {load}")
    print("| figure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in keys:
        print(f"| {key} | " + " | ".join(str(f.get(key, "-")) for _, f in table) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
