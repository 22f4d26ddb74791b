"""Half-open connections against the real server: does a new client still get in?

    python bench/connections.py                      # 1,100 half-open, this checkout
    python bench/connections.py --half-open 3000
    python bench/connections.py --root /tmp/before   # another checkout (a git worktree)

Opens N connections from 127.0.0.1 that send a partial request head and then nothing,
then times a new client's GET /healthz (from 127.0.0.1 and from 127.0.0.2), and watches
how many of the N the server closes within --watch seconds. Prints figures; exit 0.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.server_process import free_port  # noqa: E402


def healthz_time(port: int, source: str, timeout: float) -> float | None:
    """Seconds until a full /healthz answer from `source`, or None after `timeout`."""
    started = time.monotonic()
    try:
        with socket.socket() as s:
            s.settimeout(timeout)
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        return time.monotonic() - started if data.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--half-open", type=int, default=1100)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--watch", type=float, default=15.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="new client's patience")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.half_open + 500), hard))
    tmp = Path(tempfile.mkdtemp(prefix="bench-conn-"))
    port = free_port()
    env = {**os.environ, "FACILITATOR_INSTANCE": str(tmp / "instance")}
    log = open(tmp / "server.log", "w")  # noqa: SIM115  closed with the server
    server = subprocess.Popen(
        [sys.executable, "-m", "facilitator", "--port", str(port),
         "--database-url", f"sqlite:///{tmp / 'db.sqlite'}"],
        cwd=args.root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    slow: list[socket.socket] = []
    try:
        for _ in range(150):
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            time.sleep(0.2)
        print(f"server: {args.root}")
        idle = healthz_time(port, "127.0.0.1", args.timeout)
        if idle is None:
            print("the server did not answer /healthz:", file=sys.stderr)
            print((tmp / "server.log").read_text()[-3000:], file=sys.stderr)
            return 1
        print(f"idle /healthz: {idle:.3f} s")
        opened = time.monotonic()
        stuck = 0
        for _ in range(args.half_open):
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", port))
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slow")
            except OSError:
                stuck += 1  # the server's accept queue is full
                s.close()
                if stuck >= 3:
                    break
                continue
            slow.append(s)
        print(f"half-open connections: {len(slow)} in {time.monotonic() - opened:.2f} s")
        if stuck:
            print(f"connects that got no answer in 2 s: {stuck} (stopped opening more)")
        for source in ("127.0.0.1", "127.0.0.2"):
            took = healthz_time(port, source, args.timeout)
            shown = f"{took:.3f} s" if took is not None else f"no answer in {args.timeout:g} s"
            print(f"new client /healthz from {source}: {shown}")
        closed_at = {}
        for s in slow:
            s.setblocking(False)
        while time.monotonic() - opened < args.watch and len(closed_at) < len(slow):
            for i, s in enumerate(slow):
                if i in closed_at:
                    continue
                try:
                    if s.recv(1024) == b"":
                        closed_at[i] = time.monotonic() - opened
                except BlockingIOError:
                    pass
                except OSError:
                    closed_at[i] = time.monotonic() - opened
            time.sleep(0.2)
        if closed_at:
            times = sorted(closed_at.values())
            print(
                f"closed by the server within {args.watch:g} s: {len(times)} of {len(slow)} "
                f"(first after {times[0]:.1f} s, last after {times[-1]:.1f} s)"
            )
        else:
            print(f"closed by the server within {args.watch:g} s: 0 of {len(slow)}")
        status = Path(f"/proc/{server.pid}/status").read_text()
        rss = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        print(f"server RSS: {int(rss) // 1024} MB")
    finally:
        for s in slow:
            with contextlib.suppress(OSError):
                s.close()
        server.terminate()
        server.wait(10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
