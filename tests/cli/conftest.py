"""CLI tests: the commands run in-process (typer's runner) against a real database of the test's own."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from racehub.config import get_settings
from racehub.db import Database
from racehub.db.engine import set_database
from tests.conftest import reset_logging


@pytest.fixture
def private_dir() -> Iterator[Path]:
    """A folder for an embedded server's data, outside pytest's temp root (which concurrent pytest runs
    on the machine prune) and readable by the `pgserver` user PostgreSQL runs as under root."""
    folder = Path(tempfile.mkdtemp(prefix="racehub-cli-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Every CLI test starts and ends with the default logging (see `reset_logging`)."""
    reset_logging()
    yield
    reset_logging()


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
