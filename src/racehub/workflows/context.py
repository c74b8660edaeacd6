"""What one workflow attempt works with: the environment, the run, its edition, checkpoints, and the
errors that tell the queue whether to try again."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy.exc
from sqlalchemy.orm import Session

from racehub.backoff import equal_jitter
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.errors import RaceHubError
from racehub.integrations.base import VendorError
from racehub.workflows import repository
from racehub.workflows.providers import ProviderFactory
from racehub.workflows.repository import EditionRow, RunRow

ProgressFn = Callable[[str, int, int], None]  # (what, done, total)
# Entries of a run's progress that are not checkpoints (start with "_"): the step under way, a long fetch.
STEP_KEY = "_step"
LIVE_KEY = "_live"
FAILURES_KEY = "_failures"  # why each earlier attempt failed, oldest first


class TransientWorkflowError(RaceHubError):
    """Worth another attempt later (the vendor is still working, a resource is busy)."""

    status = 503


class RetryLater(Exception):
    """Raised out of a task: the queue retries the job after `delay_s` seconds."""

    def __init__(self, message: str, delay_s: float) -> None:
        super().__init__(message)
        self.delay_s = delay_s


class WorkflowFailed(Exception):
    """Raised out of a task: the run has failed for good; the queue must not retry it."""


@dataclass
class WorkflowEnvironment:
    """Everything a task needs, built once per worker (tests swap the provider factory and sleep)."""

    database: Database
    settings: Settings
    providers: ProviderFactory
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    progress: ProgressFn | None = None

    @classmethod
    def create(cls, database: Database, settings: Settings | None = None) -> WorkflowEnvironment:
        settings = settings or database.settings
        return cls(database=database, settings=settings, providers=ProviderFactory(settings))


@dataclass
class RunContext:
    env: WorkflowEnvironment
    run: RunRow
    edition: EditionRow
    attempt: int
    _live_at: float = 0.0

    @property
    def org_id(self) -> int:
        return self.run.org_id

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A transaction in the run's own tenant scope: row-level security backs every org_id filter."""
        with self.env.database.session(Scope.tenant(self.run.org_id)) as session:
            yield session

    def done(self, key: str) -> bool:
        return key in self.run.progress

    def detail(self, key: str) -> dict[str, Any]:
        found = self.run.progress.get(key)
        return found if isinstance(found, dict) else {}

    def checkpoint(
        self, session: Session, key: str, counts: tuple[int, int, int, int], detail: dict[str, Any]
    ) -> None:
        """Record a finished step in the caller's transaction (the one that wrote the step's rows)."""
        repository.checkpoint(session, self.run.id, key, counts, detail)
        self.run.progress[key] = detail

    def report(self, what: str, done: int, total: int) -> None:
        """A step begins (or all are done): told to an in-process follower, and kept on the run (`_step`)
        for followers elsewhere (`racehub workflows run` beside a worker, "how is it going?")."""
        if self.env.progress is not None:
            self.env.progress(what, done, total)
        with self.env.database.session(Scope.tenant(self.run.org_id)) as session:
            repository.checkpoint(
                session, self.run.id, STEP_KEY, (0, 0, 0, 0), {"step": what, "done": done, "total": total}
            )

    def live(self, what: str, fetched: int) -> None:
        """Show a long fetch moving (throttled): written in its own tiny transaction, outside the step's."""
        now = time.monotonic()
        if now - self._live_at < 1.0:
            return
        self._live_at = now
        with self.env.database.session(Scope.tenant(self.run.org_id)) as session:
            repository.checkpoint(
                session, self.run.id, LIVE_KEY, (0, 0, 0, 0), {"step": what, "fetched": fetched}
            )


def is_retryable(exc: BaseException) -> bool:
    """Whether trying the whole attempt again later may succeed."""
    if isinstance(exc, VendorError):
        return exc.retryable
    if isinstance(exc, TransientWorkflowError):
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig or exc
    return isinstance(
        exc,
        psycopg.OperationalError | psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected,
    )


def retry_delay(
    exc: BaseException, attempt: int, settings: Settings, rng: random.Random | None = None
) -> float | None:
    """Seconds before the next attempt, or None when the run should fail now.

    Bounded: at most `workflow_max_attempts` attempts. Exponential backoff with equal jitter from
    `workflow_retry_base_s`, capped at `workflow_retry_cap_s`; a vendor's Retry-After is honoured (never
    retried sooner) unless it asks for more than the cap, which fails the run instead of waiting blindly.
    """
    if attempt >= settings.workflow_max_attempts or not is_retryable(exc):
        return None
    delay = equal_jitter(attempt, settings.workflow_retry_base_s, settings.workflow_retry_cap_s, rng)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int | float):
        if retry_after > settings.workflow_retry_cap_s:
            return None
        delay = max(delay, float(retry_after))
    return delay


def describe(exc: BaseException) -> str:
    """What went wrong, for people: our errors say it; others by type only (their text may hold data)."""
    if isinstance(exc, RaceHubError):
        return exc.message[:500]
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.orig is not None:
        return f"database error ({type(exc.orig).__name__})"
    return f"internal error ({type(exc).__name__})"


def utcnow() -> datetime:
    return datetime.now(UTC)
