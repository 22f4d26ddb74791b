"""Login storm: participants' ack latency while wrong-password sign-ins hammer the server."""

# Run: python bench/login_storm.py [--phones 4] [--logins 4] [--seconds 8] [--async-mode threading]

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from live_load import Screen, cookie_header, percentiles  # noqa: E402

from tests.server_process import ServerProcess, csrf_token, signed_in_facilitator  # noqa: E402

TEMPLATE = "keep-change-give-up"
EMAIL = "storm@example.fi"
# With these the server hashes every wrong password: the storm measures the hashing
# itself, not the rate limit (run with --real-limits to keep the production budget).
NO_LIMITS = {
    "FACILITATOR_LOGIN_ACCOUNT_FREE_ATTEMPTS": "1000000",
    "FACILITATOR_LOGIN_ADDRESS_FREE_ATTEMPTS": "1000000",
}


def sync_loop(phone: Screen, stop: threading.Event, out: list[float], failures: list) -> None:
    """Emit `sync` with an ack again and again; record each ack's latency."""
    while not stop.is_set():
        start = time.perf_counter()
        try:
            ack = phone.client.call("sync", {}, timeout=30)
        except Exception as exc:  # a timeout or a lost connection
            failures.append(f"{type(exc).__name__}: {exc}")
            if not phone.client.connected:
                return
            continue
        if not (isinstance(ack, dict) and ack.get("ok")):
            failures.append(str(ack)[:80])
            continue
        out.append(time.perf_counter() - start)
        time.sleep(0.15)  # a lively phone, well under the per-socket event limit


def login_loop(base: str, stop: threading.Event, out: list[tuple[float, int]]) -> None:
    """Post wrong passwords for the facilitator's account until told to stop."""
    http = requests.Session()
    token = csrf_token(http.get(base + "/auth/login").text)
    while not stop.is_set():
        start = time.perf_counter()
        response = http.post(
            base + "/auth/login",
            data={
                "email": EMAIL,
                "password": f"guess-{uuid.uuid4().hex[:10]}",
                "csrf_token": token,
            },
            allow_redirects=False,
            timeout=60,
        )
        out.append((time.perf_counter() - start, response.status_code))


def measure(phones: list[Screen], seconds: float, base: str | None, logins: int) -> dict:
    """Run the phones' sync loops for a while, with `logins` login workers if base is given."""
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in phones]
    failures: list = []
    login_results: list[tuple[float, int]] = []
    threads = [
        threading.Thread(target=sync_loop, args=(p, stop, latencies[i], failures))
        for i, p in enumerate(phones)
    ]
    if base:
        threads += [
            threading.Thread(target=login_loop, args=(base, stop, login_results))
            for _ in range(logins)
        ]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(90)
    return {
        "acks": [x for part in latencies for x in part],
        "failures": failures,
        "logins": login_results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phones", type=int, default=4, help="participant sockets (default 4)")
    parser.add_argument("--logins", type=int, default=4, help="concurrent login workers")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each step")
    parser.add_argument("--async-mode", choices=["eventlet", "threading"], default="eventlet")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--real-limits",
        action="store_true",
        help="keep the production sign-in budget (most of the storm is then refused with 429)",
    )
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="login-storm-"))
    server = ServerProcess(tmp, args.database_url, ["--async-mode", args.async_mode])
    if not args.real_limits:
        server.env.update(NO_LIMITS)
    phones: list[Screen] = []
    try:
        server.start()
        base = server.url
        http, csrf = signed_in_facilitator(base, EMAIL)
        http.headers["X-CSRFToken"] = csrf
        api = base + "/api/v1"
        created = http.post(f"{api}/sessions", json={"model_id": TEMPLATE, "title": "Myrsky"})
        created.raise_for_status()
        sid = created.json()["id"]
        code = created.json()["join_code"]
        http.post(f"{api}/sessions/{sid}/start").raise_for_status()
        http.post(f"{api}/sessions/{sid}/phase", json={"to": 1}).raise_for_status()
        for _ in range(args.phones):
            phone_http = requests.Session()
            phone_http.get(f"{base}/j/{code}").raise_for_status()
            phone = Screen(base, cookie_header(phone_http))
            phone.connect()
            ack = phone.client.call("join", {"role": "participant", "code": code}, timeout=30)
            assert ack.get("ok"), ack
            phones.append(phone)

        calm = measure(phones, args.seconds, None, 0)
        storm = measure(phones, args.seconds, base, args.logins)

        print(f"server: {args.async_mode}, {args.phones} phones emitting sync with ack")
        print(f"load average: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
        print(f"calm  sync ack: {percentiles(calm['acks'])}  ({len(calm['acks'])} acks)")
        print(f"storm sync ack: {percentiles(storm['acks'])}  ({len(storm['acks'])} acks)")
        if calm["acks"] and storm["acks"]:
            ratio = statistics.median(storm["acks"]) / statistics.median(calm["acks"])
            print(f"p50 storm / calm: {ratio:.1f}x")
        login_times = [t for t, _ in storm["logins"]]
        statuses: dict[int, int] = {}
        for _, status in storm["logins"]:
            statuses[status] = statuses.get(status, 0) + 1
        print(
            f"logins: {len(login_times)} in {args.seconds:.0f} s by {args.logins} workers "
            f"({len(login_times) / args.seconds:.1f}/s), answers {statuses}"
        )
        if login_times:
            print(f"login answer: {percentiles(login_times)}")
        failures = calm["failures"] + storm["failures"]
        errors = [line for line in server.log().splitlines() if re.search(r"ERROR|Traceback", line)]
        print(f"failed acks: {len(failures)}; error lines in server log: {len(errors)}")
        for failure in sorted(set(failures))[:5]:
            print(f"  {failure}")
        return 1 if failures or errors else 0
    finally:
        for phone in phones:
            phone.close()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
