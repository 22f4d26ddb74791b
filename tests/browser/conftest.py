"""Fixtures for browser tests: the real server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


@pytest.fixture
def server(tmp_path):
    """Run the real server on a fresh SQLite database and return its base URL."""
    process = ServerProcess(tmp_path)
    process.start()
    yield process.url
    process.stop()


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
