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

    def __init__(self, tmp: Path, upstream_port: int):
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
        site = _replace(site, "server 127.0.0.1:5000;", f"server 127.0.0.1:{upstream_port};")
        site = _replace(site, "listen 443 ssl;", f"listen 127.0.0.1:{self.tls_port} ssl;")
        site = _replace(site, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {self.cert};", site)
        site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {self.key};", site)
        main = _doc_block("nginx-main")
        main = _replace(main, "worker_processes auto;", "worker_processes 1;")
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
