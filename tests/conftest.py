"""Test databases: a real PostgreSQL (embedded, or RACEHUB_TEST_DATABASE_URL), built by migrations.

A template database is migrated once per run; each test that writes gets its own copy of it,
and read-only tests share one copy with the racedata-v1 bundle imported.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import structlog
from psycopg import sql as pgsql
from sqlalchemy.engine import make_url

from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.db.embedded import start_embedded
from racehub.db.engine import libpq_uri
from racehub.imports.service import analyze_tables, import_bundle

REPO = Path(__file__).resolve().parents[1]


def reset_logging() -> None:
    """Undo the logging set-up of `racehub` commands run in-process: they point structlog and the root
    logger at the stderr of their run (CliRunner's stream, a pytest capture), which closes when the
    command ends, and later logging anywhere would write to a closed file."""
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:
            root.removeHandler(handler)


BUNDLE = Path(os.environ.get("RACEHUB_TEST_BUNDLE", REPO.parent / "shared" / "data" / "racedata-v1"))
_counter = itertools.count()


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    """A private folder for this run's database server and files.

    Not under pytest's shared temp root: pytest prunes old run folders there, and a concurrent run
    on the same machine would delete a live server's data directory.
    """
    folder = Path(tempfile.mkdtemp(prefix="racehub-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url(session_dir: Path) -> str:
    """Owner URL of the test server's maintenance database."""
    configured = os.environ.get("RACEHUB_TEST_DATABASE_URL")
    if configured:
        return configured
    return start_embedded(session_dir / "pg", stop_at_exit=True)


@pytest.fixture(scope="session")
def test_settings(session_dir: Path) -> Settings:
    return Settings(home=session_dir / "home", secret_key="test-secret-key", llm_enabled=False)


def _url_for(admin_url: str, name: str) -> str:
    return libpq_uri(make_url(admin_url).set(database=name))


def _create_database(admin_url: str, name: str, template: str | None = None) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        query = pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name))
        if template:
            query = pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                pgsql.Identifier(name), pgsql.Identifier(template)
            )
        conn.execute(query)


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str, test_settings: Settings) -> str:
    """Name of a database migrated to head, cloned by `db`."""
    name = f"racehub_tpl_{os.getpid()}"
    _create_database(pg_admin_url, name)
    database = Database(test_settings, owner_url=_url_for(pg_admin_url, name))
    database.upgrade()
    database.dispose()
    yield name
    _drop_database(pg_admin_url, name)


def make_database(
    pg_admin_url: str, template_db: str, settings: Settings, prefix: str
) -> tuple[str, Database]:
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    _create_database(pg_admin_url, name, template=template_db)
    return name, Database(settings, owner_url=_url_for(pg_admin_url, name))


def _fresh_database(
    pg_admin_url: str, template_db: str, settings: Settings, prefix: str
) -> Iterator[Database]:
    name, database = make_database(pg_admin_url, template_db, settings, prefix)
    yield database
    database.dispose()
    _drop_database(pg_admin_url, name)


@pytest.fixture
def db(pg_admin_url: str, template_db: str, test_settings: Settings) -> Iterator[Database]:
    """A fresh, empty, migrated database of this test's own."""
    yield from _fresh_database(pg_admin_url, template_db, test_settings, "racehub_t")


@pytest.fixture
def other_db(pg_admin_url: str, template_db: str, test_settings: Settings) -> Iterator[Database]:
    """A second fresh database, for tests that compare two ways of reaching the same data."""
    yield from _fresh_database(pg_admin_url, template_db, test_settings, "racehub_o")


@pytest.fixture(scope="session")
def bundle_db(pg_admin_url: str, template_db: str, test_settings: Settings) -> Iterator[Database]:
    """A database with the racedata-v1 bundle imported and scored, vacuumed and analyzed as
    `racehub import racedata` leaves it; tests must not write to it."""
    name, database = make_database(pg_admin_url, template_db, test_settings, "racehub_bundle")
    with database.session(Scope.operator()) as session:
        import_bundle(session, BUNDLE)
    analyze_tables(database)
    yield database
    database.dispose()
    _drop_database(pg_admin_url, name)
