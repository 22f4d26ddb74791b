"""Follow-up files of a big team: how long the calendar, CSV, XLSX, poster and roll-up take.

A team with SESSIONS sessions of ITEMS agreed items each (every item with a due and a
follow-up date, so the calendar has two events per item), on SQLite in a temp dir, in
process (no HTTP). Prints the best of five runs of each file beside the team board's
JSON (`teams.board`) measured in the same run as the baseline, and the roll-up of the
team's sessions as units. Not a test: no thresholds.

    python bench/team_exports.py [--sessions 10] [--items 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator import operations as ops  # noqa: E402
from facilitator import rollup, team_exports  # noqa: E402
from facilitator import teams as teams_ops  # noqa: E402
from facilitator.catalog import available_models  # noqa: E402
from facilitator.extensions import db  # noqa: E402
from facilitator.models import Action, Facilitator, Team  # noqa: E402
from tests.conftest import test_app  # noqa: E402


def best_of(fn, runs: int = 5) -> tuple[float, object]:
    fn()
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    with test_app(f"sqlite:///{tmp}/bench.db") as app, app.test_request_context("/"):
        user = Facilitator(email="bench@example.fi", name="Bench", password_hash="x")
        db.session.add(user)
        db.session.flush()
        team = Team(owner_id=user.id, name="Osasto 5", description="")
        db.session.add(team)
        db.session.flush()
        model = available_models()["keep-change-give-up"]
        workshops = []
        for s in range(args.sessions):
            w = ops.create_workshop(user, model, f"Kevät {s}", f"Osasto {s}", "fi")
            w.team_id = team.id
            db.session.flush()
            workshops.append(w)
            for n in range(args.items):
                db.session.add(
                    Action(
                        workshop_id=w.id,
                        client_id=uuid.uuid4().hex,
                        what=f"Toimenpide {s}-{n} " * 5,
                        who="Osastonhoitaja",
                        due=date(2027, 1, 1) + timedelta(days=n),
                        follow_up=date(2027, 2, 1) + timedelta(days=n),
                        first_step="Ensimmäinen askel",
                    )
                )
        db.session.commit()
        total = args.sessions * args.items
        print(f"{args.sessions} sessions x {args.items} items = {total} items, SQLite")
        rows = [
            ("board JSON (baseline)", lambda: teams_ops.board(team)),
            ("CSV", lambda: team_exports.csv_bytes(team)),
            ("XLSX", lambda: team_exports.xlsx_bytes(team)),
            ("calendar (.ics)", lambda: team_exports.calendar(team, "facilitator")),
            ("poster data", lambda: team_exports.poster(team)),
            (
                f"roll-up of {len(workshops)} units (JSON data)",
                lambda: rollup.compile_units(workshops, "fi"),
            ),
            (
                "roll-up XLSX",
                lambda: rollup.xlsx_bytes(rollup.compile_units(workshops, "fi"), "fi"),
            ),
        ]
        for name, fn in rows:
            seconds, out = best_of(fn)
            size = f"{len(out):>8} bytes" if isinstance(out, bytes | str) else ""
            print(f"{name:<36} {seconds * 1000:8.0f} ms  {size}")


if __name__ == "__main__":
    main()
