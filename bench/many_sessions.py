"""Many sessions at once at workshop pace: idea → projector latency, beside the floor.

    python bench/many_sessions.py                          # 50 sessions x 20 phones, 40 s
    python bench/many_sessions.py --sessions 10 --seconds 20
    python bench/many_sessions.py --database-url postgresql+psycopg://postgres@127.0.0.1/fac_many

The floor (bench/floor.py: one room per session) and then the project (`python -m
facilitator`, eventlet; SQLite in a temp dir unless `--database-url`, a PostgreSQL
database being created and dropped) each get `--sessions` sessions in their ideas phase
(wall on phones), one projector each and `--phones` light phones per session from their
own loopback addresses. Every phone posts one idea every `--interval` seconds (30: a
lively workshop), starting at a random moment, for `--seconds`. Printed: ideas posted,
`idea.add` ack and idea → projector latency (p50/p95/p99/max), deliveries to phones,
server CPU and memory. Exit 1 when an idea failed or missed its projector.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
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


async def run(args, port: int, pid: int, project: bool) -> dict:
    base = f"http://127.0.0.1:{port}"
    figures: dict = {}
    sessions = []
    http = None
    for n in range(args.sessions):
        if project:
            s = await asyncio.to_thread(fl.project_session, base, http, f"Osasto {n + 1}")
            http = s["http"]
        else:
            s = {"room": f"r{n}"}
        sessions.append(s)
    seen: dict[str, float] = {}
    projectors = []
    for s in sessions:
        projector = fl.Phone("127.0.0.1", port)
        projector.on(
            "idea.added", lambda idea: seen.setdefault(str(idea.get("text")), time.monotonic())
        )
        if project:
            await projector.connect(fl.cookie_of(http))
            ack = await projector.call("join", {"role": "projector", "session_id": s["id"]})
            assert ack["ok"], ack
        else:
            await fl.join_floor_phone(projector, s["room"])
        projectors.append(projector)
    phones = []
    for n in range(args.sessions * args.phones):
        s = sessions[n % args.sessions]
        phones.append((fl.Phone("127.0.0.1", port, fl.source_address(n)), s))

    async def join(i):
        phone, s = phones[i]
        if project:
            return await fl.join_project_phone(phone, s["code"])
        return await fl.join_floor_phone(phone, s["room"])

    t0 = time.monotonic()
    results = await fl.connect_many(join, len(phones))
    errors = [r for r in results if not isinstance(r, float)]
    figures["phones joined"] = f"{len(phones) - len(errors)} of {len(phones)} in " + (
        f"{time.monotonic() - t0:.1f} s"
    )
    if errors:
        figures["_failed"] = True
        figures["join errors"] = f"{len(errors)}: {str(errors[0])[:80]}"
    deliveries = [0]
    for phone, _s in phones:
        phone.on("idea.added", lambda _i: deliveries.__setitem__(0, deliveries[0] + 1))
    await asyncio.sleep(2)
    rss0 = fl.rss_kib(pid)
    cpu0 = fl.cpu_seconds(pid)
    acks: list[float] = []
    sent: dict[str, float] = {}
    failures: list[str] = []
    stop_at = time.monotonic() + args.seconds

    async def workshop_pace(phone, s, n):
        await asyncio.sleep(random.uniform(0, args.interval))
        k = 0
        while time.monotonic() < stop_at:
            text = f"Idea {n}-{k}: tauot sovitaan vuoron alussa ja niistä pidetään kiinni"
            k += 1
            started = time.monotonic()
            sent[text] = started
            if project:
                ack = await phone.call(
                    "idea.add",
                    {"client_id": uuid.uuid4().hex, "text": text, "column": s["columns"][k % 3]},
                )
            else:
                ack = await phone.call("idea", {"text": text})
            if ack and ack.get("ok"):
                acks.append(time.monotonic() - started)
            else:
                failures.append(ack["error"]["code"] if ack else "no ack")
            await asyncio.sleep(args.interval)

    live = [(p, s) for p, s in phones if p.connected.is_set()]
    await asyncio.gather(
        *(workshop_pace(p, s, n) for n, (p, s) in enumerate(live)), return_exceptions=True
    )
    await asyncio.sleep(2)
    delays = [seen[t] - at for t, at in sent.items() if t in seen]
    missed = len(sent) - len(delays)
    figures["ideas posted"] = f"{len(sent)} ({len(sent) / args.seconds:.0f}/s)"
    figures["idea.add ack p50/p95/p99/max ms"] = fl.percentiles(acks)
    figures["idea → projector p50/p95/p99/max ms"] = fl.percentiles(delays)
    figures["_p95"] = fl.p95(delays)
    figures["ideas missing on their projector"] = str(missed)
    figures["idea.added deliveries to phones"] = str(deliveries[0])
    figures["failed acks"] = ", ".join(sorted(set(failures))) or "0"
    if missed or failures:
        figures["_failed"] = True
    figures["server CPU while posting"] = f"{fl.cpu_seconds(pid) - cpu0:.1f} s"
    figures["server RSS"] = f"{fl.rss_kib(pid) // 1024} MiB (with phones: {rss0 // 1024})"
    for phone, _s in phones:
        phone.close()
    for projector in projectors:
        projector.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between ideas")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-floor", action="store_true")
    args = parser.parse_args()
    fl.raise_own_file_limit(args.sessions * (args.phones + 1) * 2 + 200)
    table = []
    failed = False
    runs = [] if args.no_floor else [("floor", False)]
    runs.append(("project", True))
    for name, project in runs:
        tmp = Path(tempfile.mkdtemp(prefix="bench-many-"))
        pg = None
        server = proc = None
        try:
            if project:
                if args.database_url and args.database_url.startswith("postgresql"):
                    pg = PostgresDatabase(args.database_url)
                    pg.create()
                server = ServerProcess(tmp, database_url=args.database_url)
                server.env["FACILITATOR_RESULTS_INTERVAL"] = "0.5"
                server.start()
                port, pid = server.port, server.proc.pid
            else:
                port = free_port()
                proc = fl.start_floor(port, tmp / "floor.log")
                pid = proc.pid
            figures = asyncio.run(run(args, port, pid, project))
            if server is not None:
                figures["server log errors"] = str(server.log().count(" ERROR "))
        finally:
            if server is not None:
                server.stop()
            if proc is not None:
                fl.stop(proc)
            if pg is not None:
                pg.drop()
            shutil.rmtree(tmp, ignore_errors=True)
        failed |= figures.pop("_failed", False)
        table.append((name, figures))
        print(f"--- {name}", flush=True)
        for key, value in figures.items():
            if not key.startswith("_"):
                print(f"  {key}: {value}", flush=True)
    if len(table) == 2 and table[0][1].get("_p95"):
        ratio = table[1][1]["_p95"] / table[0][1]["_p95"]
        table[1][1]["idea → projector p95, ratio to the floor"] = f"{ratio:.1f}×"
    names = [n for n, _ in table]
    keys = [k for k in dict.fromkeys(k for _, f in table for k in f) if not k.startswith("_")]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\n{args.sessions} sessions x {args.phones} phones, 1 idea / {args.interval:g} s "
          f"each, {args.seconds:g} s; load {load}")  # fmt: skip
    print("| figure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in keys:
        print(f"| {key} | " + " | ".join(str(f.get(key, "-")) for _, f in table) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
