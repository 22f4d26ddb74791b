"""vote.set in process: the server's own cost of one dot, with its SQL statements counted.

`--phones` phones (Flask-SocketIO test clients: the real handler chain, flood guard,
request context and unit of work, no network) join a keep-change-give-up session whose
vote phase has `--ideas` ideas on the ballot; each phone then casts its dots one
`vote.set` at a time, round after round, `--votes` in all. Prints the CPU time per
`vote.set` (median of `--rounds` rounds) and the SQL statements each sent (a
`before_cursor_execute` listener). `--profile FILE` writes a cProfile of one round.

    python bench/vote_set.py                      # 100 phones, 2,000 vote.set, SQLite
    python bench/vote_set.py --database-url postgresql+psycopg://postgres@127.0.0.1/fac_vs
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator.extensions import db  # noqa: E402
from tests.conftest import FacilitatorClient, Phone, test_app  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--ideas", type=int, default=30)
    parser.add_argument("--votes", type=int, default=2000, help="vote.set per round (2,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default SQLite)")
    parser.add_argument("--profile", default=None, help="cProfile of the last round here")
    parser.add_argument("--no-pre-ping", action="store_true", help="pool_pre_ping off")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        extra = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}} if args.no_pre_ping else {}
        with test_app(url, RESULTS_INTERVAL=0.5, PARTICIPANT_EVENT_BURST=10**6, **extra) as app:
            statements = [0]
            with app.app_context():
                event.listen(
                    db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(
                        0, statements[0] + 1)
                )  # fmt: skip
            facilitator = FacilitatorClient(app, app.test_client())
            session = facilitator.create_session()
            facilitator.go_to(session["id"], "ideas")
            phones = [Phone(app, session["join_code"]) for _ in range(args.phones)]
            for i in range(args.ideas):
                column = ("change", "give-up")[i % 2]
                ack = phones[i % len(phones)].add_idea(f"Asia numero {i}", column)
                assert ack["ok"], ack
            state = facilitator.go_to(session["id"], "vote")
            keys = [item["key"] for item in state["vote"]["items"]]
            budget = state["vote"]["budget"]
            cap = state["vote"]["per_item_cap"]
            print(
                f"{args.phones} phones, {len(keys)} ballot items, budget {budget}, cap {cap}, "
                f"{url.split(':')[0]}"
            )
            times, per_event = [], []
            for round_ in range(args.rounds):
                # Each round every phone sets and clears its dots: `votes` events in all.
                plan = []
                for n in range(args.votes):
                    phone = n % len(phones)
                    step = n // len(phones)
                    key = keys[(phone + step // 2) % len(keys)]
                    plan.append((phones[phone], key, 1 if step % 2 == 0 else 0))
                for phone in phones:
                    phone.received()
                last = round_ == args.rounds - 1
                profiler = cProfile.Profile() if args.profile and last else None
                before = statements[0]
                t0 = time.process_time()
                if profiler:
                    profiler.enable()
                for phone, key, count in plan:
                    ack = phone.emit(
                        "vote.set", {"client_id": uuid.uuid4().hex, "item": key, "count": count}
                    )
                    if not ack.get("ok"):
                        raise SystemExit(f"refused: {ack}")
                if profiler:
                    profiler.disable()
                    profiler.dump_stats(args.profile)
                times.append((time.process_time() - t0) / args.votes)
                per_event.append((statements[0] - before) / args.votes)
            print(
                f"vote.set: {statistics.median(times) * 1000:.2f} ms CPU each (median of "
                f"{args.rounds} rounds of {args.votes}; best {min(times) * 1000:.2f} ms), "
                f"{statistics.median(per_event):.1f} SQL statements each"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
