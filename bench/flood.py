"""Flood benchmark: one socket sends a flood of tiny events; does anyone else notice?

Starts the real server (eventlet, SQLite in a temp dir), joins an honest phone, measures
its `sync` acknowledgement latency, then opens a raw websocket that sends `--events`
Socket.IO events as fast as it can while the honest phone keeps measuring. Prints the
honest latency with and without the flood, how far the flood got before the server
closed the socket, and the server's memory. Exit status 1 when the honest phone's
median latency during the flood is over twice its value without it (plus 5 ms).

    python bench/flood.py                # 100 000 events, one flooding socket
    python bench/flood.py --events 1000000 --floods 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.server_process import ServerProcess, signed_in_facilitator  # noqa: E402


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """Return a memory figure of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(client: socketio.Client, seconds: float, stop: threading.Event | None = None):
    """Call `sync` back to back for a while; return the latencies in ms."""
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (stop and stop.is_set()):
        start = time.perf_counter()
        client.call("sync", {}, timeout=120)
        times.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    return times


def flood(url: str, events: int, result: dict) -> None:
    """Send `events` tiny Socket.IO events on one raw websocket until the server closes it."""
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=30
    )
    ws.recv()  # Engine.IO open packet
    ws.send("40")  # Socket.IO connect
    sent = 0
    start = time.perf_counter()
    try:
        for i in range(events):
            ws.send(f'42{i}["sync",{{}}]')
            sent += 1
    except (websocket.WebSocketException, OSError):
        pass
    result["sent"] = sent
    result["seconds"] = time.perf_counter() - start
    answers = 0
    try:
        ws.settimeout(2)
        while True:
            message = ws.recv()
            if not message:
                break
            answers += message.startswith("43")
    except (websocket.WebSocketException, OSError):
        pass
    result["answers"] = answers
    ws.close()


def summary(times: list[float]) -> str:
    """Return p50/p95/max of latencies."""
    if not times:
        return "no samples"
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events per flooding socket")
    parser.add_argument("--floods", type=int, default=1, help="flooding sockets, one after another")
    parser.add_argument("--seconds", type=float, default=5, help="baseline measuring time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp))
        server.start()
        try:
            pid = server.proc.pid
            http, csrf = signed_in_facilitator(server.url)
            headers = {"X-CSRFToken": csrf}
            created = http.post(
                f"{server.url}/api/v1/sessions",
                json={"model_id": "keep-change-give-up", "title": "Flood"},
                headers=headers,
            ).json()
            api = f"{server.url}/api/v1/sessions/{created['id']}"
            http.post(f"{api}/start", headers=headers)
            http.post(f"{api}/phase", json={"to": 1}, headers=headers)
            phone_http = requests.Session()
            phone_http.get(f"{server.url}/j/{created['join_code']}")
            honest = socketio.Client(http_session=phone_http)
            honest.connect(server.url, transports=["websocket"])
            assert honest.call("join", {"role": "participant", "code": created["join_code"]})["ok"]

            rss_before = rss_mib(pid)
            baseline = measure(honest, args.seconds)
            during: list[float] = []
            results = []
            for _ in range(args.floods):
                result: dict = {}
                stop = threading.Event()
                watcher = threading.Thread(
                    target=lambda stop=stop: during.extend(measure(honest, 600, stop))
                )
                watcher.start()
                flood(server.url, args.events, result)
                stop.set()
                watcher.join()
                results.append(result)
            after = measure(honest, args.seconds)
            rss_after = rss_mib(pid)
            rss_peak = rss_mib(pid, "VmHWM")
            honest.disconnect()
        finally:
            server.stop()

    print(f"honest phone, no flood:     {summary(baseline)}")
    print(f"honest phone, during flood: {summary(during)}")
    print(f"honest phone, after flood:  {summary(after)}")
    for i, r in enumerate(results, 1):
        print(
            f"flood {i}: {r['sent']} of {args.events} events sent in {r['seconds']:.2f} s "
            f"before the server closed the socket; {r['answers']} acks received"
        )
    print(
        f"server RSS: {rss_before:.0f} MiB before, {rss_after:.0f} MiB after, "
        f"peak {rss_peak:.0f} MiB"
    )
    ok = not during or statistics.median(during) <= 2 * statistics.median(baseline) + 5
    print("OK" if ok else "FAIL: the flood slowed the honest phone down more than 2x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
