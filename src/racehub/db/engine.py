"""Engines and tenant-scoped transactions.

Three connections exist: the owner's (migrations, database creation), the application's, which logs in
as a role that owns nothing, is no superuser and cannot bypass row-level security, and the platform
operator's (the CLI, jobs, and identity look-ups before a tenant is known), which logs in as
`racehub_platform` itself. The application role is *not* a member of the platform role: a transaction
on its connections (generated SQL among them) can never become the operator, whatever it sets.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import CursorResult, Engine, Result, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from racehub.config import Settings, get_settings
from racehub.db.embedded import start_embedded
from racehub.db.scope import Scope

DEFAULT_DATABASE = "racehub"
PLATFORM_ROLE = "racehub_platform"
READER_ROLE = "racehub_reader"


def _sqlalchemy_url(uri: str) -> URL:
    url = make_url(uri)
    return url.set(drivername="postgresql+psycopg")


def libpq_uri(url: URL) -> str:
    """A URL psycopg understands (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Database:
    """The configured PostgreSQL: owner URL, application URL, and scoped sessions."""

    def __init__(self, settings: Settings | None = None, *, owner_url: str | None = None) -> None:
        self.settings = settings or get_settings()
        self._owner_url_override = owner_url

    @cached_property
    def owner_url(self) -> URL:
        if self._owner_url_override:
            return _sqlalchemy_url(self._owner_url_override)
        if self.settings.database_url:
            return _sqlalchemy_url(self.settings.database_url)
        uri = start_embedded(Path(self.settings.home) / "pgdata")
        return _sqlalchemy_url(uri).set(database=DEFAULT_DATABASE)

    @cached_property
    def app_url(self) -> URL:
        if self.settings.app_database_url:
            return _sqlalchemy_url(self.settings.app_database_url)
        password = self.settings.app_db_password.get_secret_value() if self.settings.app_db_password else None
        return self.owner_url.set(username=self.settings.app_db_role, password=password)

    @cached_property
    def platform_url(self) -> URL:
        if self.settings.platform_database_url:
            return _sqlalchemy_url(self.settings.platform_database_url)
        secret = self.settings.platform_db_password
        return self.owner_url.set(
            username=PLATFORM_ROLE, password=secret.get_secret_value() if secret else None
        )

    @cached_property
    def engine(self) -> Engine:
        """The application's pooled engine."""
        return self._pooled(self.app_url)

    @cached_property
    def platform_engine(self) -> Engine:
        """The platform operator's pooled engine."""
        return self._pooled(self.platform_url)

    def _pooled(self, url: URL) -> Engine:
        return create_engine(
            url,
            pool_size=self.settings.pool_size,
            max_overflow=self.settings.pool_size,
            pool_pre_ping=True,
            # Error messages never carry a statement's parameters (names, emails, questions) into logs.
            hide_parameters=True,
        )

    def engine_for(self, scope: Scope) -> Engine:
        """The platform's engine for the operator scope, the application's for any other."""
        return self.platform_engine if scope.platform else self.engine

    @cached_property
    def owner_engine(self) -> Engine:
        return create_engine(self.owner_url, poolclass=None, hide_parameters=True)

    def ensure_database(self) -> None:
        """Create the database when the server lacks it (owner connection)."""
        name = self.owner_url.database or DEFAULT_DATABASE
        admin = libpq_uri(self.owner_url.set(database="postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision` with Alembic."""
        from racehub.db.migrate import upgrade

        self.ensure_database()
        upgrade(self, revision)

    @contextmanager
    def session(self, scope: Scope) -> Iterator[Session]:
        """One transaction acting for `scope`: commits on success, rolls back on error."""
        with Session(self.engine_for(scope), expire_on_commit=False) as session, session.begin():
            apply_scope(session, scope)
            yield session

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
        if "platform_engine" in self.__dict__:
            self.platform_engine.dispose()
        if "owner_engine" in self.__dict__:
            self.owner_engine.dispose()


def apply_scope(session: Session, scope: Scope) -> None:
    """Set the transaction-local tenant (or the operator role) for row-level security. The operator's
    `SET ROLE` only works on the platform role's own connections (`Database.engine_for`)."""
    if scope.platform:
        session.execute(text(f"SET LOCAL ROLE {PLATFORM_ROLE}"))
    elif scope.org_id is not None:
        session.execute(text("SELECT set_config('app.org_id', :org, true)"), {"org": str(scope.org_id)})
    if scope.user_id is not None:
        session.execute(text("SELECT set_config('app.user_id', :uid, true)"), {"uid": str(scope.user_id)})


_database: Database | None = None


def get_database() -> Database:
    """The process-wide database handle."""
    global _database
    if _database is None:
        _database = Database()
    return _database


def set_database(database: Database | None) -> None:
    """Replace the process-wide handle (tests, the demo)."""
    global _database
    _database = database


def rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE touched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)
