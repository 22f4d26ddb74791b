"""Render time of the phone page `GET /j/<code>`, with and without its cached string blocks.

    python bench/phone_page.py            # 300 pages per language and case
    flock /tmp/helpers/bench.lock python bench/phone_page.py

In one process (Flask test client, SQLite in a temporary directory), for a Finnish,
a Swedish and an English session: the page as served (the JavaScript string blocks
rendered once per language, `views/participant.phone_strings`) beside the page with
that cache emptied before every request, which renders the blocks each time (about
290 `gettext` calls) as every page did before. New phones (no cookie) each time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args(argv)
    from tests.conftest import FacilitatorClient, test_app

    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp, test_app(f"sqlite:///{tmp}/b.db") as app:
        facilitator = FacilitatorClient(app, app.test_client())
        print("| session language | blocks cached | blocks rendered per page | ratio |")
        print("|---|---|---|---|")
        for lang in ("fi", "sv", "en"):
            created = facilitator.api(
                "POST",
                "/sessions",
                {"model_id": "keep-change-give-up", "title": "Kuorma", "language": lang},
            )
            code = created.get_json()["join_code"]
            times = {}
            for case in ("uncached", "cached", "uncached", "cached"):
                samples = []
                for _ in range(args.pages):
                    if case == "uncached":
                        app.extensions.get("phone_strings", {}).clear()
                    started = time.perf_counter()
                    response = app.test_client().get(f"/j/{code}")
                    samples.append(time.perf_counter() - started)
                    assert response.status_code == 200
                times.setdefault(case, []).extend(samples)
            cached = statistics.median(times["cached"]) * 1000
            uncached = statistics.median(times["uncached"]) * 1000
            print(f"| {lang} | {cached:.2f} ms | {uncached:.2f} ms | {uncached / cached:.1f}× |")
    print(f"load at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
