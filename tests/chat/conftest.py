"""Fixtures of the chat tests: a per-test copy of the chat world and an HTTP client for it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from racehub.config import Settings
from racehub.db import Database
from tests.chat.world import ChatWorld, client_for, copied_database, world_template

_tags = itertools.count()


@pytest.fixture(scope="session")
def chat_template(
    pg_admin_url: str, bundle_db: Database, test_settings: Settings
) -> Iterator[tuple[str, ChatWorld]]:
    with world_template(pg_admin_url, bundle_db, test_settings) as template:
        yield template


@pytest.fixture
def world(chat_template: tuple[str, ChatWorld]) -> ChatWorld:
    return chat_template[1]


@pytest.fixture
def chat_db(
    pg_admin_url: str, chat_template: tuple[str, ChatWorld], test_settings: Settings
) -> Iterator[Database]:
    with copied_database(pg_admin_url, chat_template[0], test_settings, str(next(_tags))) as database:
        yield database


@pytest.fixture
def client(chat_db: Database, test_settings: Settings) -> Iterator[TestClient]:
    with client_for(chat_db, test_settings) as test_client:
        yield test_client
