"""Live tests: both API-test tenants in a database of the test's own, and a real server on a free port
(the stream is read over a socket, as clients do)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from racehub.app import create_app
from racehub.db import Database
from racehub.integrations.simulators.kit import RunningServer, start_server_thread
from tests.api.world import World, another_handle, build_world


@dataclass
class LiveWorld:
    db: Database
    world: World
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def live(db: Database) -> Iterator[LiveWorld]:
    world = build_world(db)
    served = another_handle(db, live_heartbeat_s=0.3, live_check_s=0.5)
    server = start_server_thread(create_app(served, served.settings))
    try:
        yield LiveWorld(db, world, server)
    finally:
        server.stop()
        served.dispose()
