"""Fixtures of the API tests: two tenants' data and HTTP clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from racehub.config import Settings
from racehub.db import Database
from tests.api.world import World, build_world, make_client
from tests.conftest import _drop_database, make_database


@pytest.fixture(scope="module")
def world_database(pg_admin_url: str, template_db: str, test_settings: Settings) -> Iterator[Database]:
    """A database with both tenants, shared by a module's read-only tests."""
    name, database = make_database(pg_admin_url, template_db, test_settings, "racehub_api")
    yield database
    database.dispose()
    _drop_database(pg_admin_url, name)


@pytest.fixture(scope="module")
def world(world_database: Database) -> World:
    return build_world(world_database)


@pytest.fixture(scope="module")
def client(world_database: Database, world: World) -> Iterator[TestClient]:
    with make_client(world_database) as test_client:
        yield test_client


@pytest.fixture
def fresh_world(db: Database) -> World:
    """Both tenants in a database of this test's own, for tests that write."""
    return build_world(db)


@pytest.fixture
def fresh_client(db: Database, fresh_world: World) -> Iterator[TestClient]:
    with make_client(db) as test_client:
        yield test_client
