"""Does PostgreSQL hold the event loop? Ack latencies on SQLite and PostgreSQL, beside the floor.

    python bench/pg_latency.py                       # 300 phones, 10 ideas/s, 30 votes/s
    python bench/pg_latency.py --phones 100 --seconds 10
    python bench/pg_latency.py --only "PostgreSQL, cooperative"

Runs, one after another: the floor (bench/floor.py, `idea` relayed), then the project
(`python -m facilitator`, eventlet) on SQLite, on PostgreSQL with psycopg's blocking C
wait (`FACILITATOR_DATABASE_WAIT=blocking`, what psycopg picks by itself under
eventlet), with cooperative waits (`auto`, the default), and with cooperative waits and
`FACILITATOR_DATABASE_SYNCHRONOUS_COMMIT=on` (a disk flush per commit; the PostgreSQL
runs otherwise use the default `off`). Each run:
one session, a projector, `--phones` light phones from their own loopback addresses.

1. Ideas at workshop pace: `--idea-rate` ideas a second in all, from random phones, for
   `--seconds`: `idea.add` ack and idea → projector latency.
2. Votes: the session moves to its vote phase; `--vote-rate` `vote.set` a second in
   all (each phone sets 1 and 0 on an idea in turn), for `--seconds`: ack latency.
3. Saturation: every phone posts ideas back to back for 5 s: ideas acked per second.

The PostgreSQL database (`--database-url`, default
postgresql+psycopg://postgres@127.0.0.1/facilitator_pg_latency) is created and dropped
by the run. Prints a table with the ratio of each figure to SQLite's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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

TEXT = "Perehdytykseen oma aika ja nimetty tukihenkilö jokaiselle uudelle"


async def run(args, port: int, pid: int, project: bool) -> dict:
    base = f"http://127.0.0.1:{port}"
    figures: dict = {}
    session = await asyncio.to_thread(fl.project_session, base) if project else None
    projector = fl.Phone("127.0.0.1", port)
    seen: dict[str, float] = {}
    projector.on(
        "idea.added", lambda idea: seen.setdefault(str(idea.get("text")), time.monotonic())
    )
    if project:
        await projector.connect(fl.cookie_of(session["http"]))
        ack = await projector.call("join", {"role": "projector", "session_id": session["id"]})
        assert ack["ok"], ack
    else:
        await fl.join_floor_phone(projector)
    phones = [fl.Phone("127.0.0.1", port, fl.source_address(i)) for i in range(args.phones)]

    async def join(i):
        if project:
            return await fl.join_project_phone(phones[i], session["code"])
        return await fl.join_floor_phone(phones[i])

    results = await fl.connect_many(join, args.phones)
    errors = [r for r in results if not isinstance(r, float)]
    figures["phones"] = f"{args.phones - len(errors)} of {args.phones}"
    if errors:
        figures["connect errors"] = str(errors[0])[:80]
    live = [p for p in phones if p.connected.is_set()]
    await asyncio.sleep(1)

    # 1. Ideas at workshop pace.
    acks: list[float] = []
    sent: dict[str, float] = {}
    mine: dict[int, list[int]] = {}
    failures: list[str] = []

    async def post(phone, n):
        text = f"{TEXT} {n}"
        column = None
        started = time.monotonic()
        sent[text] = started
        if project:
            column = session["columns"][n % len(session["columns"])]
            ack = await phone.call(
                "idea.add", {"client_id": uuid.uuid4().hex, "text": text, "column": column}
            )
        else:
            ack = await phone.call("idea", {"text": text})
        if ack and ack.get("ok"):
            acks.append(time.monotonic() - started)
            if column != session["columns"][0] if project else True:
                # The vote phase's ballot leaves out the first column (keep).
                mine.setdefault(id(phone), []).append(ack["idea"]["id"])
        else:
            failures.append(ack["error"]["code"] if ack else "no ack")

    async def paced(rate, make, seconds):
        tasks = []
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < seconds:
            tasks.append(asyncio.create_task(make(n)))
            n += 1
            await asyncio.sleep(max(0.0, t0 + n / rate - time.monotonic()))
        await asyncio.gather(*tasks, return_exceptions=True)
        return n

    count = await paced(args.idea_rate, lambda n: post(random.choice(live), n), args.seconds)
    await asyncio.sleep(1)
    delivery = [seen[t] - s for t, s in sent.items() if t in seen]
    figures[f"idea.add ack p50/p95/p99/max ms ({count} ideas)"] = fl.percentiles(acks)
    figures["idea → projector p50/p95/p99/max ms"] = fl.percentiles(delivery)
    figures["_idea_p95"] = fl.p95(acks)
    figures["_proj_p95"] = fl.p95(delivery)

    # 2. Votes.
    if project:
        phased = asyncio.get_running_loop().create_future()
        projector.on("phase", lambda _p: phased.done() or phased.set_result(None))
        await asyncio.to_thread(fl.move_phase, base, session, session["vote_index"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(phased, 30)
        await asyncio.sleep(3)
        vote_acks: list[float] = []
        voters = [p for p in live if mine.get(id(p))]
        ideas = [i for p in voters for i in mine[id(p)]]
        state: dict[int, int] = {}

        async def vote(n):
            phone = random.choice(live)
            item = random.choice(ideas)
            value = 1 - state.get(id(phone), 0)
            state[id(phone)] = value
            started = time.monotonic()
            ack = await phone.call(
                "vote.set",
                {"client_id": uuid.uuid4().hex, "item": f"idea:{item}", "count": value},
            )
            if ack and ack.get("ok"):
                vote_acks.append(time.monotonic() - started)
            elif not ack or ack["error"]["code"] not in ("budget_exceeded", "cap_exceeded"):
                failures.append(ack["error"]["code"] if ack else "no ack")

        # One vote in flight per phone at most: choose phones without one.
        count = await paced(args.vote_rate, vote, args.seconds)
        figures[f"vote.set ack p50/p95/p99/max ms ({count})"] = fl.percentiles(vote_acks)
        figures["_vote_p95"] = fl.p95(vote_acks)
        await asyncio.to_thread(fl.move_phase, base, session, 1)
        await asyncio.sleep(3)

    # 3. Saturation.
    done = [0]
    stop_at = time.monotonic() + 5

    async def flood(phone):
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            if project:
                ack = await phone.call(
                    "idea.add",
                    {
                        "client_id": uuid.uuid4().hex,
                        "text": f"{TEXT} s{n}",
                        "column": session["columns"][0],
                    },
                )
            else:
                ack = await phone.call("idea", {"text": f"{TEXT} s{n}"})
            if ack and ack.get("ok"):
                done[0] += 1
            elif ack and ack["error"]["code"] in ("too_many_ideas", "rate_limited"):
                await asyncio.sleep(0.2)

    t0 = time.monotonic()
    await asyncio.gather(*(flood(p) for p in live[:100]), return_exceptions=True)
    figures["saturation (100 phones back to back)"] = (
        f"{done[0] / (time.monotonic() - t0):.0f} ideas/s"
    )
    figures["failed acks"] = (
        ", ".join(f"{failures.count(c)} {c}" for c in sorted(set(failures))) or "0"
    )
    for phone in [*phones, projector]:
        phone.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--idea-rate", type=float, default=10)
    parser.add_argument("--vote-rate", type=float, default=30)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1/facilitator_pg_latency"
    )
    parser.add_argument("--only", action="append", help="run only these (repeatable)")
    args = parser.parse_args()
    fl.raise_own_file_limit(args.phones * 2 + 200)
    runs = [
        ("floor", None, {}),
        ("SQLite", "sqlite", {}),
        ("PostgreSQL, blocking", "pg", {"FACILITATOR_DATABASE_WAIT": "blocking"}),
        ("PostgreSQL, cooperative", "pg", {"FACILITATOR_DATABASE_WAIT": "auto"}),
        (
            "PostgreSQL, cooperative, synchronous_commit on",
            "pg",
            {"FACILITATOR_DATABASE_WAIT": "auto", "FACILITATOR_DATABASE_SYNCHRONOUS_COMMIT": "on"},
        ),
    ]
    if args.only:
        runs = [r for r in runs if r[0] in args.only]
    table: list[tuple[str, dict]] = []
    for name, database, env in runs:
        tmp = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        pg = PostgresDatabase(args.database_url) if database == "pg" else None
        server = proc = None
        try:
            if database is None:
                port = free_port()
                proc = fl.start_floor(port, tmp / "floor.log")
                pid = proc.pid
            else:
                if pg:
                    pg.create()
                server = ServerProcess(tmp, database_url=args.database_url if pg else None)
                server.env.update({"FACILITATOR_RESULTS_INTERVAL": "0.5", **env})
                server.start()
                port, pid = server.port, server.proc.pid
            cpu0 = fl.cpu_seconds(pid)
            figures = asyncio.run(run(args, port, pid, database is not None))
            figures["server CPU"] = f"{fl.cpu_seconds(pid) - cpu0:.1f} s"
            if server is not None:
                figures["server log errors"] = str(server.log().count(" ERROR "))
        finally:
            if server is not None:
                server.stop()
            if proc is not None:
                fl.stop(proc)
            if pg:
                pg.drop()
            shutil.rmtree(tmp, ignore_errors=True)
        table.append((name, figures))
        print(f"--- {name}", flush=True)
        for key, value in figures.items():
            if not key.startswith("_"):
                print(f"  {key}: {value}", flush=True)
    base = dict(table).get("SQLite")
    if base:
        for name, figures in table:
            if name.startswith("PostgreSQL"):
                for key in ("_idea_p95", "_proj_p95", "_vote_p95"):
                    if key in figures and base.get(key):
                        figures[f"p95 ratio to SQLite ({key[1:-4]})"] = (
                            f"{figures[key] / base[key]:.2f}×"
                        )
    names = [n for n, _ in table]
    keys = [k for k in dict.fromkeys(k for _, f in table for k in f) if not k.startswith("_")]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nphones: {args.phones}, load {load}")
    print("| figure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for key in keys:
        print(f"| {key} | " + " | ".join(str(f.get(key, "-")) for _, f in table) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
