"""Fixtures: an app on a fresh database, HTTP and Socket.IO test clients, factories."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from facilitator import create_app
from facilitator.extensions import db, socketio
from facilitator.models import Facilitator
from tests.server_process import csrf_token, login_form, signup_form

# The PostgreSQL server the suite also runs on (the machine's loopback one by default).
PG_ADMIN_URL = os.environ.get(
    "FACILITATOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pytest_generate_tests(metafunc):
    """Run every app-level test on SQLite and on PostgreSQL."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "postgresql"])


@pytest.fixture
def database_url(backend, tmp_path):
    """Return a fresh empty database of the backend, dropped afterwards."""
    with fresh_database(backend, tmp_path) as url:
        yield url


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """Create an empty database of the backend; yield its URL; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    import psycopg

    name = f"facilitator_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise  # CI has PostgreSQL: its absence is a failure, not a skip
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def templates() -> dict[str, dict] | None:
    """Templates (id -> template data) the app loads instead of workshop_models/.

    None: the shipped ones. A test module that runs its own templates overrides this.
    """
    return None


@pytest.fixture
def app(database_url, tmp_path, templates):
    """Return an app on its own empty database (every test runs on SQLite and PostgreSQL)."""
    config = {"MODELS_DIR": models_dir(tmp_path, templates)} if templates else {}
    with test_app(database_url, **config) as app:
        yield app


@contextmanager
def test_app(database_url: str, **config) -> Iterator:
    """Run an app for a test on its database; `config` adds to the test configuration."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SOCKETIO_ASYNC_MODE": "threading",
            # Results go out at once in tests; the coalescing test sets its own interval.
            "RESULTS_INTERVAL": 0.0,
            "SERVER_NAME": "facilitator.test",
            **config,
        }
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


test_app.__test__ = False  # a helper, not a test


def one_phase_template(template_id: str, title, phase: dict) -> dict:
    """Return a template for a kind's own tests: an info phase, `phase` and a summary."""
    return {
        "id": template_id,
        "version": 1,
        "title": title,
        "description": "Testipohja",
        "phases": [
            {"id": "alku", "kind": "info", "title": "Alku", "prompt": "Tervetuloa", "minutes": 2},
            phase,
            {"id": "yhteenveto", "kind": "summary", "title": "Yhteenveto", "minutes": 5},
        ],
    }


def refused_template_report(tmp_path: Path, template: dict) -> str:
    """Write one template as `<id>.yaml`, check it with `check-models`, which must refuse
    it, and return the report."""
    from facilitator.workshop_models import check_models_cli

    path = tmp_path / f"{template['id']}.yaml"
    path.write_text(yaml.safe_dump(template, allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    assert check_models_cli(tmp_path, out) == 1
    return out.getvalue()


def models_dir(tmp_path: Path, templates: dict[str, dict]) -> str:
    """Write templates (id -> template data) as YAML files; return the folder for MODELS_DIR."""
    models = tmp_path / "models"
    models.mkdir()
    for template_id, data in templates.items():
        text = yaml.safe_dump(data, allow_unicode=True)
        (models / f"{template_id}.yaml").write_text(text, encoding="utf-8")
    return str(models)


@pytest.fixture
def client(app):
    """Return a Flask test client."""
    return app.test_client()


def csrf_from(html: str) -> str:
    """Return the CSRF token embedded in a rendered page."""
    assert 'name="csrf-token"' in html, "page has no csrf-token meta tag"
    return csrf_token(html)


class FacilitatorClient:
    """A signed-in facilitator driving the JSON API through a test client."""

    def __init__(self, app, client, email="fasilitaattori@example.fi"):
        self.app = app
        self.client = client
        token = csrf_from(client.get("/auth/signup").get_data(as_text=True))
        response = client.post("/auth/signup", data=signup_form(email, token))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        # Sign-up never signs in (it must not tell whether the address was free).
        response = client.post("/auth/login", data=login_form(email, token))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        self.csrf = csrf_from(client.get("/sessions").get_data(as_text=True))

    def api(self, method: str, path: str, json=None):
        """Call the API with the login cookie and CSRF header."""
        return self.client.open(
            "/api/v1" + path, method=method, json=json, headers={"X-CSRFToken": self.csrf}
        )

    def create_session(self, model_id="keep-change-give-up", title="Osasto 5 kehittämispäivä"):
        """Create a session and return its summary."""
        response = self.api(
            "POST", "/sessions", {"model_id": model_id, "title": title, "team_name": "Osasto 5"}
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def go_to(self, session_id: int, kind: str) -> dict:
        """Move the session to the first phase of a kind and return the state."""
        state = self.api("GET", f"/sessions/{session_id}").get_json()
        if state["session"]["status"] == "upcoming":
            self.api("POST", f"/sessions/{session_id}/start")
        index = next(p["index"] for p in state["phases"] if p["kind"] == kind)
        response = self.api("POST", f"/sessions/{session_id}/phase", {"to": index})
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def facilitator(app, client):
    """Return a signed-in facilitator."""
    return FacilitatorClient(app, client)


def start_in_phase(
    facilitator, phone_factory, template_id: str, phones: int, *, kind: str, title: str
) -> tuple[dict, list, dict]:
    """Create a session, join `phones` phones and move to the first phase of `kind`.

    Returns the session summary, the phones (their received events emptied) and the
    facilitator's state in that phase.
    """
    session = facilitator.create_session(template_id, title)
    joined = [phone_factory(session["join_code"]) for _ in range(phones)]
    state = facilitator.go_to(session["id"], kind)
    for phone in joined:
        phone.received()
    return session, joined, state


class Phone:
    """A participant: its own cookie jar and Socket.IO test client."""

    def __init__(self, app, code: str):
        self.http = app.test_client()
        response = self.http.get(f"/j/{code}")
        assert response.status_code == 200
        self.sio = socketio.test_client(app, flask_test_client=self.http)
        self.code = code
        self.join_ack = self.emit("join", {"role": "participant", "code": code})

    def emit(self, event: str, data=None):
        """Send an event and return its acknowledgement."""
        return self.sio.emit(event, data, callback=True)

    def add_idea(self, text: str, column=None, client_id=None) -> dict:
        """Post an idea and return the ack."""
        return self.emit(
            "idea.add", {"client_id": client_id or uuid.uuid4().hex, "text": text, "column": column}
        )

    def received(self, name: str | None = None) -> list:
        """Return events received since last asked, optionally of one name."""
        events = self.sio.get_received()
        return [e for e in events if name is None or e["name"] == name]


@pytest.fixture
def phone_factory(app):
    """Return a function that joins a new phone to a session by code."""
    phones = []

    def make(code: str) -> Phone:
        phone = Phone(app, code)
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        if phone.sio.is_connected():
            phone.sio.disconnect()


@pytest.fixture
def socket_client(app, client):
    """Return a Socket.IO test client sharing the HTTP client's cookies."""
    sio = socketio.test_client(app, flask_test_client=client)
    yield sio
    if sio.is_connected():
        sio.disconnect()


@pytest.fixture
def facilitator_model(app):
    """Return the facilitator row (for operations-level tests)."""
    with app.app_context():
        return db.session.scalars(db.select(Facilitator)).first()
