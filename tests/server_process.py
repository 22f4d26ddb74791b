"""Run the real server (`python -m facilitator`) in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """The real server on loopback, restartable on the same database."""

    def __init__(
        self, tmp_path: Path, database_url: str | None = None, args: list[str] | None = None
    ):
        self.args = list(args or [])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url or f"sqlite:///{tmp_path / 'server.db'}"
        self.log_path = tmp_path / "server.log"
        self.env = {
            **os.environ,
            "FACILITATOR_INSTANCE": str(tmp_path / "instance"),
            "FACILITATOR_RESULTS_INTERVAL": "0.2",
            "PYTHONUNBUFFERED": "1",
        }
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        log = open(self.log_path, "a")  # noqa: SIM115  closed with the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "facilitator",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--database-url",
                self.database_url,
                *self.args,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        """Stop the server."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        """Return what the server printed."""
        return self.log_path.read_text() if self.log_path.exists() else ""


def csrf_token(html: str) -> str:
    """Return the CSRF token of a rendered page."""
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def signup_form(email: str, csrf: str) -> dict:
    """Return a filled-in facilitator sign-up form."""
    return {
        "name": "Fasi",
        "email": email,
        "password": "salasana123",
        "password2": "salasana123",
        "csrf_token": csrf,
    }


def login_form(email: str, csrf: str, password: str = "salasana123") -> dict:
    """Return a filled-in sign-in form for an account made with signup_form."""
    return {"email": email, "password": password, "csrf_token": csrf}


def signed_in_facilitator(
    base_url: str, email: str = "fasi@example.fi"
) -> tuple[requests.Session, str]:
    """Sign up a facilitator over HTTP and sign in; return the session and a CSRF token."""
    http = requests.Session()
    token = csrf_token(http.get(base_url + "/auth/signup").text)
    response = http.post(
        base_url + "/auth/signup", data=signup_form(email, token), allow_redirects=False
    )
    assert response.status_code == 302, response.text[:500]
    # Sign-up never signs in (it must not tell whether the address was free).
    response = http.post(
        base_url + "/auth/login", data=login_form(email, token), allow_redirects=False
    )
    assert response.status_code == 302, response.text[:500]
    return http, csrf_token(http.get(base_url + "/sessions").text)
