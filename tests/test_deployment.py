"""The documented production set-up, for real: Debian's nginx from docs/deployment.md
(TLS, websocket upgrade, sticky upstream, timeouts) in front of the real server.

The nginx configuration is read from the documentation's code blocks; only ports,
certificate paths and the upstream address are changed. nginx runs in the foreground
from a temporary prefix, on loopback. `.ci/run` installs nginx when missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

from tests.server_process import ROOT, ServerProcess, free_port, signed_in_facilitator

DOC = ROOT / "docs" / "deployment.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _doc_block(marker: str) -> str:
    """Return the fenced nginx block that follows `<!-- marker -->` in the doc."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```nginx\n(.*?)```", text, re.S)
    assert match, f"docs/deployment.md has no nginx block after <!-- {marker} -->"
    return match.group(1)


def _replace(text: str, old: str, new: str) -> str:
    """Replace a line the documentation must contain (so the doc cannot drift)."""
    assert old in text, f"docs/deployment.md no longer contains {old!r}"
    return text.replace(old, new)


class Nginx:
    """nginx in the foreground with the documented configuration."""

    def __init__(self, tmp: Path, upstream_ports, workers: str = "1"):
        if isinstance(upstream_ports, int):
            upstream_ports = [upstream_ports]
        self.prefix = tmp / "nginx"
        (self.prefix / "logs").mkdir(parents=True)
        self.tls_port, self.http_port = free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.tls_port}"
        self.cert, self.key = tmp / "cert.pem", tmp / "key.pem"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", str(self.key), "-out", str(self.cert), "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        site = _doc_block("nginx-site")
        # The documented upstream lists two processes (5000, 5001): one or two here.
        servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstream_ports)
        site = _replace(site, "    server 127.0.0.1:5000;\n    server 127.0.0.1:5001;\n", servers)
        site = _replace(site, "listen 443 ssl;", f"listen 127.0.0.1:{self.tls_port} ssl;")
        site = _replace(site, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {self.cert};", site)
        site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {self.key};", site)
        main = _doc_block("nginx-main")
        main = _replace(main, "worker_processes auto;", f"worker_processes {workers};")
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(
            f"daemon off;\n{user}pid {self.prefix}/nginx.pid;\n"
            f"error_log {self.prefix}/logs/error.log warn;\n{main}\n"
            "http {\n"
            f"    client_body_temp_path {self.prefix}/body;\n"
            f"    proxy_temp_path {self.prefix}/proxy;\n"
            f"    fastcgi_temp_path {self.prefix}/fastcgi;\n"
            f"    uwsgi_temp_path {self.prefix}/uwsgi;\n"
            f"    scgi_temp_path {self.prefix}/scgi;\n"
            f"{site}\n}}\n"
        )
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        check = subprocess.run(
            [NGINX, "-t", "-p", str(self.prefix), "-c", str(self.conf), "-e", "stderr"],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-c", str(self.conf), "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.tls_port), timeout=0.5),
            ):
                return
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            time.sleep(0.1)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def behind_nginx(
    tmp: Path, database_url: str, processes: int, workers: str = "1", **env: str
) -> tuple[Nginx, list[ServerProcess]]:
    """Set up `processes` servers on one database sharing rooms through Redis, behind the
    documented nginx (not started); `env` adds to each server's environment."""
    servers = []
    for n in range(processes):
        folder = tmp / f"p{n}"
        folder.mkdir()
        servers.append(ServerProcess(folder, database_url=database_url))
    nginx = Nginx(tmp, [s.port for s in servers], workers=workers)
    shared = {
        "FACILITATOR_SECRET_KEY": uuid.uuid4().hex,
        "FACILITATOR_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        "FACILITATOR_MESSAGE_CHANNEL": f"facilitator-{uuid.uuid4().hex[:8]}",
        "FACILITATOR_TRUSTED_PROXIES": "127.0.0.1",
        "FACILITATOR_SECURE_COOKIES": "1",
        "FACILITATOR_PUBLIC_URL": nginx.url,
        **env,
    }
    for server in servers:
        server.env.update(shared)
    return nginx, servers


@pytest.fixture
def deployment(tmp_path, monkeypatch):
    """The real server behind the documented nginx; yields (nginx, server)."""
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("no nginx: .ci/run should have installed it")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    server = ServerProcess(tmp_path)
    nginx = Nginx(tmp_path, server.port)
    server.env.update(
        {
            "FACILITATOR_TRUSTED_PROXIES": "127.0.0.1",
            "FACILITATOR_SECURE_COOKIES": "1",
            "FACILITATOR_PUBLIC_URL": nginx.url,
        }
    )
    server.start()
    try:
        nginx.start()
        # requests (and so the helpers) trust the test's own certificate.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(nginx.cert))
        yield nginx, server
    finally:
        nginx.stop()
        server.stop()


def _phone(base_url: str, code: str) -> tuple[socketio.Client, dict]:
    """A phone: the join page over HTTPS, then a websocket through nginx; returns the
    client and its join snapshot."""
    http = requests.Session()
    assert http.get(f"{base_url}/j/{code}", timeout=5).status_code == 200
    cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    client = socketio.Client(reconnection=False, ssl_verify=False)
    client.connect(base_url, headers={"Cookie": cookies}, transports=["websocket"], wait_timeout=10)
    ack = client.call("join", {"role": "participant", "code": code}, timeout=10)
    assert ack["ok"], ack
    return client, ack["state"]


def _live_session(base_url: str) -> str:
    """Create a session in its ideas phase; return its join code."""
    http, csrf = signed_in_facilitator(base_url)
    api, headers = f"{base_url}/api/v1", {"X-CSRFToken": csrf}
    created = http.post(
        f"{api}/sessions",
        json={"model_id": "keep-change-give-up", "title": "Osastokokous"},
        headers=headers,
    ).json()
    sid = created["id"]
    assert http.post(f"{api}/sessions/{sid}/start", headers=headers).ok
    assert http.post(f"{api}/sessions/{sid}/phase", json={"to": 1}, headers=headers).ok
    return created["join_code"]


def test_phone_joins_and_posts_an_idea_through_nginx(deployment):
    """Sign-in, join and an idea over TLS and a websocket through the documented proxy;
    the port-80 server redirects to HTTPS; the pages keep their security headers."""
    nginx, _server = deployment
    redirect = requests.get(
        f"http://127.0.0.1:{nginx.http_port}/j/ABC", allow_redirects=False, timeout=5
    )
    assert redirect.status_code == 301
    assert redirect.headers["Location"].startswith("https://")

    page = requests.get(nginx.url + "/", timeout=5)
    assert page.ok and "connect-src 'self'" in page.headers["Content-Security-Policy"]

    code = _live_session(nginx.url)
    phone, state = _phone(nginx.url, code)
    other, _ = _phone(nginx.url, code)
    try:
        assert phone.transport() == "websocket"
        seen = []
        other.on("idea.added", lambda payload: seen.append(payload))
        column = state["phase"]["settings"]["columns"][0]["id"]
        ack = phone.call(
            "idea.add",
            {"client_id": uuid.uuid4().hex, "text": "Välittäjän läpi", "column": column},
            timeout=10,
        )
        assert ack["ok"], ack
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen and seen[0]["text"] == "Välittäjän läpi"
    finally:
        phone.disconnect()
        other.disconnect()


def test_slow_connections_to_nginx_do_not_keep_a_phone_out(deployment):
    """1,000 half-open TLS-less connections sit on nginx; a phone still joins within
    2 s, and the app behind never sees them."""
    import resource

    nginx, server = deployment
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1300:
        if hard != resource.RLIM_INFINITY and hard < 1300:
            pytest.skip(f"the open-file limit here is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (1300, hard))
    code = _live_session(nginx.url)
    slow = []
    try:
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", nginx.tls_port))
            s.sendall(b"\x16\x03\x01")  # the first bytes of a TLS hello, then nothing
            slow.append(s)
        started = time.monotonic()
        phone, _state = _phone(nginx.url, code)
        elapsed = time.monotonic() - started
        phone.disconnect()
        assert elapsed < 2, f"a phone needed {elapsed:.1f} s to join"
        assert requests.get(server.url + "/healthz", timeout=2).ok
    finally:
        for s in slow:
            with contextlib.suppress(OSError):
                s.close()


# ---------------------------------------------------------------- two processes


def _established_to(port: int) -> int:
    """Established TCP connections to 127.0.0.1:port (nginx's upstream connections)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":
            count += 1
    return count


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database, dropped afterwards."""
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    name = f"facilitator_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_processes(tmp_path, monkeypatch, postgres_url):
    """Two server processes (PostgreSQL, Redis) behind the documented nginx, whose
    upstream block lists both; yields (nginx, [server, server])."""
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("no nginx: .ci/run should have installed it")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    nginx, servers = behind_nginx(tmp_path, postgres_url, 2)
    try:
        for server in servers:
            server.start()  # one after the other: the first migrates the database
        nginx.start()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(nginx.cert))
        yield nginx, servers
    finally:
        nginx.stop()
        for server in servers:
            server.stop()


def test_two_processes_behind_nginx_share_one_session(two_processes):
    """Phones from many addresses land on both processes (sticky by address); an idea
    posted on one process reaches phones on the other, and a phase change made through
    nginx reaches every phone, whichever process holds its websocket."""
    import asyncio
    import ssl
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import floor as fl

    nginx, servers = two_processes
    http, csrf = signed_in_facilitator(nginx.url)
    api, headers = f"{nginx.url}/api/v1", {"X-CSRFToken": csrf}
    created = http.post(
        f"{api}/sessions", json={"model_id": "keep-change-give-up", "title": "Iso sali"},
        headers=headers,
    ).json()  # fmt: skip
    sid, code = created["id"], created["join_code"]
    assert http.post(f"{api}/sessions/{sid}/start", headers=headers).ok
    moved = http.post(f"{api}/sessions/{sid}/phase", json={"to": 1}, headers=headers).json()
    column = moved["phase"]["settings"]["columns"][0]["id"]
    context = ssl.create_default_context(cafile=str(nginx.cert))

    async def scenario():
        phones = []
        # New addresses until both processes hold websockets (nginx hashes the address).
        for n in range(40):
            phone = fl.Phone("127.0.0.1", nginx.tls_port, fl.source_address(n), ssl=context)
            await fl.join_project_phone(phone, code)
            phones.append(phone)
            if n >= 3 and all(_established_to(s.port) for s in servers):
                break
        assert all(_established_to(s.port) for s in servers), "one process got every phone"
        ideas, phases, states, mine = set(), set(), {}, {}
        for n, phone in enumerate(phones):
            phone.on("idea.added", lambda payload, n=n: ideas.add(n))
            # Protocol 2 phones: the new state comes with the event, no `sync` needed.
            phone.on("phase", lambda payload, n=n: (phases.add(n), states.setdefault(n, payload)))
            phone.on("phase.mine", lambda payload, n=n: mine.setdefault(n, payload))
        # The last phone joined on the process the first did not necessarily use.
        ack = await phones[-1].call(
            "idea.add",
            {"client_id": uuid.uuid4().hex, "text": "Kahden prosessin", "column": column},
        )
        assert ack["ok"], ack
        for _ in range(200):
            if len(ideas) == len(phones):
                break
            await asyncio.sleep(0.05)
        assert len(ideas) == len(phones), f"{len(ideas)} of {len(phones)} phones got the idea"
        await asyncio.to_thread(
            lambda: http.post(f"{api}/sessions/{sid}/phase", json={"to": 2}, headers=headers)
        )
        for _ in range(200):
            if len(phases) == len(phones):
                break
            await asyncio.sleep(0.05)
        assert len(phases) == len(phones), f"{len(phases)} of {len(phones)} phones got the phase"
        # Phones on both processes (the one that took the click and the other) got their
        # new state inside `phase`, and their own part in `phase.mine`.
        without = [n for n in phases if not states[n].get("state")]
        assert not without, f"{len(without)} of {len(phones)} phones got `phase` without state"
        assert {payload["index"] for payload in states.values()} == {2}
        for _ in range(100):
            if len(mine) == len(phones):
                break
            await asyncio.sleep(0.05)
        assert len(mine) == len(phones), f"{len(mine)} of {len(phones)} phones got phase.mine"
        for phone in phones:
            phone.close()

    asyncio.run(scenario())
    for server in servers:
        assert "Traceback" not in server.log()


def test_postgresql_connections_get_the_configured_settings(postgres_url):
    """FACILITATOR_DATABASE_SYNCHRONOUS_COMMIT reaches every PostgreSQL connection
    (off by default); FACILITATOR_DATABASE_WAIT picks psycopg's wait function."""
    from psycopg import waiting
    from sqlalchemy import text

    from facilitator import create_app
    from facilitator.extensions import db

    default_wait = waiting.wait
    base = {"SECRET_KEY": "x" * 32, "SOCKETIO_ASYNC_MODE": "threading"}
    app = create_app({**base, "SQLALCHEMY_DATABASE_URI": postgres_url})
    with app.app_context():
        assert db.session.execute(text("SHOW synchronous_commit")).scalar() == "off"
        assert app.extensions["database_wait"] == "blocking"  # threading: psycopg's own
        db.session.remove()
        db.engine.dispose()
    app = create_app(
        {
            **base,
            "SQLALCHEMY_DATABASE_URI": postgres_url,
            "DATABASE_SYNCHRONOUS_COMMIT": "on",
            "DATABASE_WAIT": "cooperative",
        }
    )
    try:
        with app.app_context():
            assert db.session.execute(text("SHOW synchronous_commit")).scalar() == "on"
            assert app.extensions["database_wait"] == "cooperative"
            assert waiting.wait is waiting.wait_select
            db.session.remove()
            db.engine.dispose()
    finally:
        waiting.wait = default_wait
