"""Fixtures of the browser tests: the chat world served by uvicorn, and Debian's chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from racehub.config import Settings
from racehub.db import Database
from tests.chat.world import ChatWorld, copied_database, make_app, world_template

CHROMIUM = os.environ.get("RACEHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def web_world(
    pg_admin_url: str, bundle_db: Database, test_settings: Settings
) -> Iterator[tuple[Database, ChatWorld]]:
    with (
        world_template(pg_admin_url, bundle_db, test_settings, tag="web") as (template, world),
        copied_database(pg_admin_url, template, test_settings, "web") as database,
    ):
        yield database, world


@pytest.fixture(scope="module")
def server_url(web_world: tuple[Database, ChatWorld], test_settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on a free 127.0.0.1 port, in a background thread."""
    database, _ = web_world
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(make_app(database, test_settings), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (make browser)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
