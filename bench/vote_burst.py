"""Vote burst: N phones cast their dots within a few seconds; is every dot counted, and
how soon does the projector's tally show each one? Beside the floor, in one run.

    python bench/vote_burst.py                                  # 1,000 phones x 5 dots in 10 s
    python bench/vote_burst.py --phones 300 --only project
    python bench/vote_burst.py --database-url postgresql+psycopg://postgres@127.0.0.1/fac_burst
    python bench/vote_burst.py --only project --processes 2 --database-url postgresql+psycopg://...

With `--processes 2` the project is two servers on one PostgreSQL database sharing rooms
through Redis behind nginx with TLS, set up as `multi_process.py` does; the phones and
the projector connect through nginx (sticky by source address).

The project runs a copy of `workshop_models/` whose keep-change-give-up vote has
`budget: --dots`, `per_item_cap: --dots` and `show_results: live` (the shipped one
reveals the counts only after input closes, so the projector would show none during the
burst). Light phones (`floor.Phone`, one loopback source address each, protocol 2 as the
phone page) join the ideas phase, `--ideas` ideas are posted, the facilitator moves to
the vote, and every phone casts `--dots` dots, each at a random moment of the
`--seconds` window (uniform), on a random ballot item, one `vote.set` at a time as the
phone page's outbox sends them (a dot whose moment comes while the previous one is
unanswered goes right after its ack).

Figures: `vote.set` ack p50/p95/p99/max, the time until every dot was acknowledged,
dots refused, and the projector's tally freshness per dot: from the moment the phone
sent the dot to the first `tally` event at the projector whose count for that item
reaches the number of dots acknowledged on it by then (a tally can only show a dot
after its commit; the acks before it are committed). At the end the final tally and
the API's results are compared with the dots acknowledged: any difference is a lost
(or doubled) dot.

The floor (`floor.py`) keeps the counts in memory: each `vote` is acknowledged and the
projector gets the new counts at once (one message per dot, no coalescing).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor as fl  # noqa: E402
from phase_change import Server, fl_free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Cluster:
    """`--processes` servers on one PostgreSQL database with Redis, behind nginx (TLS), set
    up as `multi_process.py` does (docs/deployment.md)."""

    def __init__(self, args, tmp: Path):
        from live_load import PostgresDatabase

        from tests.test_deployment import behind_nginx

        if not args.database_url:
            raise SystemExit("--processes needs --database-url (PostgreSQL)")
        self.pg = PostgresDatabase(args.database_url)
        self.nginx, self.servers = behind_nginx(
            tmp,
            args.database_url,
            args.processes,
            "auto",
            FACILITATOR_RESULTS_INTERVAL="0.5",
            FACILITATOR_MODELS_DIR=str(burst_models(tmp, args.dots)),
        )
        self.port = self.nginx.tls_port
        self.base_url = self.nginx.url

    def start(self) -> None:
        import ssl

        self.pg.create()
        for server in self.servers:
            server.start()
        self.nginx.start()
        os.environ["REQUESTS_CA_BUNDLE"] = str(self.nginx.cert)
        self.ssl_context = ssl.create_default_context(cafile=str(self.nginx.cert))
        self.pids = [server.proc.pid for server in self.servers]

    def stop(self) -> None:
        self.nginx.stop()
        for server in self.servers:
            server.stop()
        self.pg.drop()
        os.environ.pop("REQUESTS_CA_BUNDLE", None)


def burst_models(tmp: Path, dots: int) -> Path:
    """A copy of workshop_models/ whose keep-change-give-up vote shows live counts."""
    models = tmp / "models"
    shutil.copytree(ROOT / "workshop_models", models)
    path = models / f"{fl.TEMPLATE}.yaml"
    text = path.read_text()
    pattern = r"budget: 3\n(\s+)per_item_cap: 2\n\s+show_results: after_close"
    assert len(re.findall(pattern, text)) == 1, "the template's vote phase changed"
    text = re.sub(
        pattern,
        lambda m: f"budget: {dots}\n{m[1]}per_item_cap: {dots}\n{m[1]}show_results: live",
        text,
    )
    path.write_text(text)
    return models


class Tallies:
    """The projector's tally events: arrival time and counts per item key."""

    def __init__(self):
        self.times: list[float] = []
        self.counts: list[dict[str, int]] = []

    def add(self, payload: dict) -> None:
        results = (payload or {}).get("results")
        if results is None:
            return
        self.times.append(time.monotonic())
        self.counts.append({r["key"]: int(r["count"]) for r in results})

    def first_reaching(self, key: str, count: int) -> float | None:
        """Arrival time of the first tally with `count` dots on `key`."""
        for at, counts in zip(self.times, self.counts, strict=True):
            if counts.get(key, 0) >= count:
                return at
        return None


async def run(args, kind: str, tmp: Path) -> dict:
    """One run against 'project' or 'floor'."""
    rng = random.Random(5)
    server = None
    if kind == "floor":
        port = fl_free_port()
        proc = fl.start_floor(port, tmp / "floor.log")
    elif args.processes > 1:
        server = Cluster(args, tmp)
        server.start()
        port, proc = server.port, server
    else:
        env = {"FACILITATOR_MODELS_DIR": str(burst_models(tmp, args.dots))}
        if args.async_mode:
            env["FACILITATOR_ASYNC_MODE"] = args.async_mode
        server = Server(ROOT, tmp, env)
        if args.database_url:
            server.db = args.database_url
        server.start()
        port, proc = server.port, server.proc
    ssl_context = getattr(server, "ssl_context", None)
    base_url = getattr(server, "base_url", f"http://127.0.0.1:{port}")
    out: dict = {}
    phones: list[fl.Phone] = []
    tallies = Tallies()
    projector = None
    try:
        projector = fl.Phone("127.0.0.1", port, ssl=ssl_context)
        projector.on("tally", tallies.add)
        if kind == "floor":
            await projector.connect()
            await projector.call("join", {"room": "projector"})
            items = [f"idea:{i}" for i in range(args.ideas)]
        else:
            session = await fl.project_with_projector(projector, base_url)
        phones = [
            fl.Phone("127.0.0.1", port, fl.source_address(i), ssl=ssl_context)
            for i in range(args.phones)
        ]
        states: dict[int, dict] = {}

        async def join_one(i):
            ph = phones[i]
            if kind == "floor":
                await ph.connect()
                return await ph.call("join", {"room": "s"})
            ph.on("phase", lambda p, i=i: states.__setitem__(i, p))
            return await fl.join_project_phone(ph, session["code"])

        started = time.monotonic()
        joined = await fl.connect_many(join_one, args.phones, concurrency=50)
        failed = [r for r in joined if isinstance(r, Exception)]
        took = time.monotonic() - started
        out["joined"] = f"{args.phones - len(failed)} of {args.phones} in {took:.1f} s"
        if failed:
            out["join_errors"] = sorted({str(e)[:80] for e in failed})
        if kind == "project":
            for j in range(args.ideas):
                column = session["columns"][1 + j % (len(session["columns"]) - 1)]
                ack = await phones[j % len(phones)].call(
                    "idea.add",
                    {"client_id": str(uuid.uuid4()), "text": f"Asia numero {j}", "column": column},
                )
                assert ack.get("ok"), ack
            await asyncio.to_thread(fl.move_phase, base_url, session, session["vote_index"])
            deadline = time.monotonic() + 30
            while len(states) < len(phones) - len(failed) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            vote = next(s for s in states.values() if s.get("state", {}).get("vote"))
            vote = vote["state"]["vote"]
            items = [item["key"] for item in vote["items"]]
            out["ballot"] = f"{len(items)} items"
        await asyncio.sleep(1.0)

        sends: list[tuple[float, float, str, int]] = []  # (sent, acked, key, ordinal)
        refused: dict[str, int] = {}
        acked_on: dict[str, int] = {}
        pids = getattr(proc, "pids", None) or [proc.pid]
        cpu0 = sum(fl.cpu_seconds(pid) for pid in pids)
        spy = None
        if args.profile and kind == "project":
            spy = subprocess.Popen(
                ["py-spy", "record", "-p", str(proc.pid), "-o", args.profile, "-f", "raw",
                 "-r", "200", "-d", str(int(args.seconds + 4))],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            await asyncio.sleep(1.0)
        burst_start = time.monotonic() + 0.2

        async def phone_votes(i: int):
            ph = phones[i]
            if ph.closed:
                return
            moments = sorted(rng.uniform(0, args.seconds) for _ in range(args.dots))
            mine: dict[str, int] = {}
            for moment in moments:
                wait = burst_start + moment - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                key = rng.choice(items)
                count = mine.get(key, 0) + 1
                sent = time.monotonic()
                try:
                    if kind == "floor":
                        ack = await ph.call("vote", {"room": "projector", "item": key})
                    else:
                        ack = await ph.call(
                            "vote.set",
                            {"client_id": str(uuid.uuid4()), "item": key, "count": count},
                        )
                except (TimeoutError, ConnectionError) as exc:
                    refused[type(exc).__name__] = refused.get(type(exc).__name__, 0) + 1
                    continue
                acked = time.monotonic()
                if not ack or not ack.get("ok"):
                    code = ((ack or {}).get("error") or {}).get("code", "?")
                    refused[code] = refused.get(code, 0) + 1
                    continue
                mine[key] = count
                acked_on[key] = acked_on.get(key, 0) + 1
                sends.append((sent, acked, key, acked_on[key]))

        await asyncio.gather(*(phone_votes(i) for i in range(len(phones))))
        all_done = time.monotonic() - burst_start
        await asyncio.sleep(2.0)
        out["cpu_s"] = sum(fl.cpu_seconds(pid) for pid in pids) - cpu0
        if spy is not None:
            await asyncio.to_thread(spy.wait, 60)
        out["dots"] = len(sends)
        out["refused"] = refused
        out["all_acked_s"] = all_done
        out["ack"] = fl.percentiles([a - s for s, a, _k, _n in sends])
        fresh = []
        missing = 0
        for sent, _acked, key, ordinal in sends:
            t = tallies.first_reaching(key, ordinal)
            if t is None:
                missing += 1
            else:
                fresh.append(max(0.0, t - sent))
        out["fresh"] = fl.percentiles(fresh)
        out["fresh_over_1s"] = sum(1 for f in fresh if f > 1.0)
        out["fresh_missing"] = missing
        out["tallies"] = len(tallies.times)
        final = tallies.counts[-1] if tallies.counts else {}
        out["final_tally"] = sum(final.values())
        out["lost"] = sum(acked_on.values()) - sum(final.values())
        if kind == "project":
            state = session["http"].get(f"{base_url}/api/v1/sessions/{session['id']}").json()
            results = ((state.get("vote") or {}).get("results")) or []
            out["api_total"] = sum(r["count"] for r in results)
    finally:
        for ph in phones:
            ph.close()
        if projector is not None:
            projector.close()
        if server is not None:
            server.stop()
        else:
            fl.stop(proc)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--dots", type=int, default=5, help="dots per phone (default 5)")
    parser.add_argument("--seconds", type=float, default=10.0, help="the burst's window (10)")
    parser.add_argument("--ideas", type=int, default=30, help="ideas on the ballot (30)")
    parser.add_argument("--only", choices=("project", "floor"), action="append")
    parser.add_argument("--database-url", default=None, help="the project's database")
    parser.add_argument("--profile", default=None, help="py-spy raw stacks of the burst here")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="project servers behind nginx and Redis (needs --database-url)",
    )
    parser.add_argument("--async-mode", default=None, help="FACILITATOR_ASYNC_MODE")
    args = parser.parse_args(argv)
    fl.raise_own_file_limit(args.phones * 2 + 200)
    kinds = args.only or ["floor", "project"]
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix=f"bench-burst-{kind}-") as tmp:
            print(f"{kind}: {args.phones} phones x {args.dots} dots in {args.seconds:g} s ...",
                  flush=True)  # fmt: skip
            results[kind] = asyncio.run(run(args, kind, Path(tmp)))
    rows = [
        ("phones joined", "joined"),
        ("ballot", "ballot"),
        ("dots acknowledged", "dots"),
        ("dots refused", "refused"),
        ("time until every dot was acknowledged (s)", "all_acked_s"),
        ("vote ack p50 / p95 / p99 / max (ms)", "ack"),
        ("dot -> projector tally p50 / p95 / p99 / max (ms)", "fresh"),
        ("dots shown later than 1 s", "fresh_over_1s"),
        ("dots never shown", "fresh_missing"),
        ("tally events at the projector", "tallies"),
        ("final tally total", "final_tally"),
        ("API total", "api_total"),
        ("lost (acknowledged - final tally)", "lost"),
        ("server CPU during the burst (s)", "cpu_s"),
    ]
    head = f"{args.phones} phones x {args.dots} dots, {args.seconds:g} s"
    print(f"\n| {head} | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for label, key in rows:
        cells = []
        for kind in kinds:
            value = results[kind].get(key, "")
            cells.append(f"{value:.1f}" if isinstance(value, float) else str(value))
        print(f"| {label} | " + " | ".join(cells) + " |")
    for kind in kinds:
        if results[kind].get("join_errors"):
            print(f"{kind} join errors: {results[kind]['join_errors']}")
    project = results.get("project")
    bad = project and (project["lost"] != 0 or project.get("fresh_missing"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
