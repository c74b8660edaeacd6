"""Fixtures of the chat tests: a per-test copy of the chat world and an HTTP client for it."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator

import pytest
import structlog
from fastapi.testclient import TestClient

from racehub.config import Settings
from racehub.db import Database
from racehub.db.engine import set_database
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


@pytest.fixture
def as_cli_database(chat_db: Database) -> Iterator[Database]:
    """The CLI's database is this test's; afterwards, undo the logging set-up the commands did.

    `racehub` commands point structlog and the root logger at the sys.stderr of their run, which is
    CliRunner's stream, closed when the command ends: later logging would write to a closed file.
    """
    set_database(chat_db)
    handlers = list(logging.getLogger().handlers)
    yield chat_db
    set_database(None)
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
