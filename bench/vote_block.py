"""Vote block benchmark: one build of a vote phase's shared state, in process, with queries counted.

A `keep-change-give-up` session (SQLite in a temp dir, or `--database-url`) with
`--ideas` ideas spread over its 3 columns, grouped into `--themes` themes (a few left
ungrouped), moved to its vote phase. Then, `--repeat` times each, it times
`serializers.shared_snapshot` for a phone (protocol 2, compact) and for the projector,
`view.vote_block` alone, and `ops.is_vote_item` (the ballot check of every `vote.set`)
for 5 ballot keys, counting the SQL statements each build issues
(a SQLAlchemy `before_cursor_execute` listener). Prints median and best times and the
statement count per build.

    python bench/vote_block.py                    # 200 ideas, 12 themes, SQLite
    python bench/vote_block.py --ideas 400 --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator import operations as ops  # noqa: E402
from facilitator import serializers  # noqa: E402
from facilitator.catalog import available_models  # noqa: E402
from facilitator.extensions import db  # noqa: E402
from facilitator.models import Idea, Participant, SessionStatus, Theme  # noqa: E402
from facilitator.phases.vote import ops as vote_ops  # noqa: E402
from facilitator.phases.vote import view as vote_view  # noqa: E402
from tests.conftest import test_app  # noqa: E402

COLUMNS = ("keep", "change", "give-up")


class Counter:
    """Counts the SQL statements sent to the database."""

    def __init__(self, engine):
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.n += 1


def seed(n_ideas: int, n_themes: int) -> int:
    """Create the session with its ideas and themes in the vote phase; return its id."""
    user = ops.create_facilitator(f"{uuid.uuid4().hex[:8]}@example.fi", "Bench", "salasana-123")
    model = available_models()["keep-change-give-up"]
    workshop = ops.create_workshop(user, model, "Vote block", "Osasto 5", "fi")
    db.session.flush()
    people = [Participant(workshop_id=workshop.id, token_hash=uuid.uuid4().hex) for _ in range(30)]
    db.session.add_all(people)
    themes = [
        Theme(workshop_id=workshop.id, phase_id="themes", title=f"Teema {t + 1}", position=t)
        for t in range(n_themes)
    ]
    db.session.add_all(themes)
    db.session.flush()
    for i in range(n_ideas):
        theme = themes[i % n_themes].id if n_themes and i % 10 != 0 else None
        db.session.add(
            Idea(
                workshop_id=workshop.id,
                phase_id="ideas",
                participant_id=people[i % len(people)].id,
                client_id=uuid.uuid4().hex,
                column=COLUMNS[i % 3],
                text=f"Idea {i + 1}: tarvitsemme selkeämmän vuoronvaihdon raportoinnin " * 2,
                theme_id=theme,
            )
        )
    workshop.status = SessionStatus.LIVE
    workshop.phase_index = next(i for i, p in enumerate(model.phases) if p.kind == "vote")
    db.session.commit()
    return workshop.id


def timed(counter: Counter, repeat: int, build) -> tuple[list[float], int]:
    """Run `build` `repeat` times on a fresh session each; return times and statements."""
    times, queries = [], set()
    for _ in range(repeat):
        db.session.expire_all()
        before = counter.n
        t0 = time.perf_counter()
        build()
        times.append(time.perf_counter() - t0)
        queries.add(counter.n - before)
        db.session.rollback()
    return times, max(queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=200, help="ideas (default 200)")
    parser.add_argument("--themes", type=int, default=12, help="themes (default 12)")
    parser.add_argument("--repeat", type=int, default=10, help="builds of each (default 10)")
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default SQLite)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        with test_app(url) as app, app.test_request_context():
            counter = Counter(db.engine)
            workshop_id = seed(args.ideas, args.themes)
            from facilitator.models import Workshop

            def workshop():
                return db.session.get(Workshop, workshop_id)

            def phone():
                serializers.shared_snapshot(workshop(), "participant", lang="fi", compact=True)

            def projector():
                serializers.shared_snapshot(workshop(), "projector", lang="fi")

            def block():
                w = workshop()
                model = ops.workshop_model(w)
                phase = model.phases[w.phase_index]
                vote_view.vote_block(w, phase, phase, "projector")

            def check():
                # What each `vote.set` asks first: is this key on the (column-restricted) ballot?
                w = workshop()
                model = ops.workshop_model(w)
                phase = model.phases[w.phase_index]
                for key in keys:
                    vote_ops.is_vote_item(w, phase, key)

            data, _ = serializers.shared_snapshot(workshop(), "participant", compact=True)
            keys = [item["key"] for item in data["vote"]["items"]][:5]
            print(
                f"vote block build: {args.ideas} ideas in 3 columns, {args.themes} themes, "
                f"{len(data['vote']['items'])} ballot items, {db.engine.dialect.name}"
            )
            for name, build in (
                ("vote_block alone", block),
                ("phone shared state", phone),
                ("projector shared state", projector),
                (f"is_vote_item x {len(keys)}", check),
            ):
                times, queries = timed(counter, args.repeat, build)
                print(
                    f"  {name:24} median {statistics.median(times) * 1000:7.1f} ms, "
                    f"best {min(times) * 1000:7.1f} ms, {queries} SQL statements"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
