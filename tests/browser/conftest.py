"""Fixtures for browser tests: the real server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from tests.conftest import models_dir
from tests.server_process import ServerProcess

CHROMIUM = os.environ.get("FACILITATOR_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out of a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


PASSWORD = "hyva-salasana-123"
TIMEOUT_MS = 15_000
# A phone: what the tests open participant pages in.
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def serve(tmp_path, monkeypatch):
    """Return `serve(templates=None)`: run the real server on a fresh SQLite database,
    with only these templates (id -> template data) when given; returns its base URL."""
    processes: list[ServerProcess] = []

    def start(templates: dict[str, dict] | None = None) -> str:
        if templates:
            monkeypatch.setenv("FACILITATOR_MODELS_DIR", models_dir(tmp_path, templates))
        process = ServerProcess(tmp_path)
        processes.append(process)
        process.start()
        return process.url

    yield start
    for process in processes:
        process.stop()


@pytest.fixture
def server(serve):
    """Run the real server on a fresh SQLite database and return its base URL."""
    return serve()


def sign_up_through_pages(page, server: str) -> str:
    """Sign a new facilitator up and in through the pages; return the e-mail address."""
    email = f"fasi-{uuid.uuid4().hex[:8]}@example.fi"
    page.goto(server + "/auth/signup")
    page.fill("#name", "Fasilitaattori")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.locator("form[action$='/auth/signup'] [type=submit]").click()
    # Sign-up sends the person to sign in, with the address filled in.
    page.wait_for_url(re.compile(r"/auth/login"))
    page.fill("#password", PASSWORD)
    page.locator("form[action*='/auth/login'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/sessions$"))
    return email


@pytest.fixture
def control(browser, server):
    """Return a page of a facilitator signed up and in through the pages (1280x800).

    Its context (`control.context`) opens the projector and further pages as the same
    facilitator.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_up_through_pages(page, server)
    yield page
    context.close()


def new_session_through_page(page, server: str, model_id: str, title: str) -> dict:
    """Create a session on the new-session page; return its `id`, `join_code`, `api`
    (its API path) and whether the template's prepare page came first (`prepared`)."""
    page.goto(server + "/sessions/new")
    page.fill("#title", title)
    page.check(f"input[type=radio][value='{model_id}']")
    page.locator("form[action$='/sessions/new'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/sessions/\d+(/prepare)?$"))
    prepared = page.url.endswith("/prepare")
    if prepared:
        page.locator(".prepare-actions [type=submit]").click()
        page.wait_for_url(re.compile(r"/sessions/\d+$"))
    session_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    api = f"/api/v1/sessions/{session_id}"
    info = page.evaluate(f"fetch('{api}').then(r => r.json())")
    return {
        "id": session_id,
        "join_code": info["session"]["join_code"],
        "api": api,
        "prepared": prepared,
    }


@pytest.fixture
def browser():
    """Return a headless Chromium; skip without one, except in CI where it must exist."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: .ci/run should have installed it")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def phone_page(browser, **options):
    """Return a page in a new phone context (its own cookies: one participant)."""
    context = browser.new_context(**{**PHONE, **options})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def projector_page(context, server: str, session_id: int):
    """Open a session's projector view at 1920x1080 in the facilitator's context."""
    page = context.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server}/sessions/{session_id}/projector")
    return page
