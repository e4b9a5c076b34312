"""Browser fixtures: the app served by uvicorn on a free local port, and Debian's Chromium.

``live_server`` serves ``create_app`` with demo settings (cookies are not Secure over plain
http) on the test database; ``page`` is a fresh browser context (no cookies) per test.
Chromium is the system one (``apt-get install chromium``); Playwright never downloads one.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_settings(database_url: str):
    from matchmaker.settings import load_settings

    port = _free_port()
    return load_settings(
        {
            "MATCHMAKER_DATABASE_URL": database_url,
            "MATCHMAKER_SECRET_KEY": TEST_SECRET,
            "MATCHMAKER_MAIL_BACKEND": "outbox",
            "MATCHMAKER_WORKER": "0",
            "MATCHMAKER_HOST": "127.0.0.1",
            "MATCHMAKER_PORT": str(port),
        },
        demo=True,
    )


@pytest.fixture
def live_server(live_settings, engine) -> Iterator[LiveServer]:
    """The app on http://127.0.0.1:<free port>, stopped after the test."""
    import uvicorn

    from matchmaker.app import create_app

    app = create_app(live_settings, engine=engine)
    config = uvicorn.Config(app, host="127.0.0.1", port=live_settings.port, log_level="warning",
                            lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{live_settings.port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = "Debian's Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (each its own cookies), closed after the test."""
    contexts = []

    def open_page():
        context = browser.new_context()
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context."""
    return new_page()
