"""CLI tests: the commands run in-process (typer's runner) against a real database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from racehub.config import get_settings
from racehub.db import Database
from racehub.db.engine import set_database


@pytest.fixture
def cli_db(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """`db` as the database every `racehub` command in this test uses, with settings read afresh."""
    monkeypatch.setenv("RACEHUB_HOME", str(db.settings.home))
    monkeypatch.setenv("COLUMNS", "200")  # rich tables whole, not cut to 80 columns
    get_settings.cache_clear()
    set_database(db)
    yield db
    set_database(None)
    get_settings.cache_clear()
