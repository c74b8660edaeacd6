"""The procrastinate queue: the worker's App, and deferring a run inside the caller's own transaction.

Deferral shares the request's transaction. procrastinate 3.10 accepts an external connection
(`configure(connection=...)`), so the job row is inserted on the psycopg connection under the SQLAlchemy
session: the run row and its job commit together, and a rolled-back request leaves no job behind
(house style: "Jobs are deferred inside the same transaction").

One job per (kind, edition) at a time, queued or running. `enqueue` takes a transaction-scoped advisory
lock on `lock_for(kind, edition)`, and when a job for that key is already queued or running the new
run joins it instead of adding another. The job also carries procrastinate's `lock` (never two running)
and `queueing_lock` (never two waiting) on the same key, as database-enforced backstops. Never having a
waiting job next to a running one also keeps procrastinate's own retries safe: a retried job goes back
to `todo`, which would collide with a waiting sibling's queueing lock (procrastinate issues #1446, #1543).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector, SyncPsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.orm import Session

from racehub.db import Database
from racehub.db.engine import libpq_uri
from racehub.workflows import repository

TASK_RUN = "racehub.workflows.run"
TASK_SCHEDULE = "racehub.workflows.schedule"
TASK_SWEEP = "racehub.workflows.sweep"
QUEUE = "workflows"
MAINTENANCE_QUEUE = "workflows-maintenance"

# Never opened: it only ever defers on a connection the caller lends it (the request's transaction).
_deferrer = App(connector=SyncPsycopgConnector())


def lock_for(kind: str, edition_id: int) -> str:
    return f"{kind}:{edition_id}"


@dataclass(frozen=True)
class Enqueued:
    """Either a new job for the run, or the run already queued or running that this request joined."""

    job_id: int
    joined_run_id: int | None = None


def _driver_connection(session: Session) -> psycopg.Connection[Any]:
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, psycopg.Connection)
    return connection


def active(session: Session, kind: str, edition_id: int) -> tuple[int, int | None] | None:
    """(job id, run id) queued or running for (kind, edition); call after `hold`."""
    return repository.active_job(session, lock_for(kind, edition_id))


def hold(session: Session, kind: str, edition_id: int) -> None:
    """Serialise enqueuers of (kind, edition) until the transaction ends."""
    repository.advisory_lock(session, lock_for(kind, edition_id))


def enqueue(session: Session, run_id: int, kind: str, edition_id: int) -> Enqueued:
    """Defer the run's job in the session's transaction, or join the job already queued or running."""
    hold(session, kind, edition_id)
    found = active(session, kind, edition_id)
    if found is not None:
        return Enqueued(job_id=found[0], joined_run_id=found[1])
    key = lock_for(kind, edition_id)
    try:
        # A savepoint: a unique violation must not abort the caller's whole transaction.
        with session.begin_nested():
            job_id = _deferrer.configure_task(
                TASK_RUN, lock=key, queueing_lock=key, queue=QUEUE, connection=_driver_connection(session)
            ).defer(run_id=run_id)
    except AlreadyEnqueued:
        # Only reachable if someone deferred under this key without `hold` (the lock is the backstop).
        found = active(session, kind, edition_id)
        if found is None:
            raise
        return Enqueued(job_id=found[0], joined_run_id=found[1])
    return Enqueued(job_id=job_id)


def build_app(database: Database, *, pool_size: int = 8) -> App:
    """A procrastinate App speaking to `database` as the application role (tasks: `tasks.register`)."""
    connector = PsycopgConnector(conninfo=libpq_uri(database.app_url), min_size=1, max_size=max(pool_size, 4))
    return App(connector=connector)


def cancel(session: Session, job_id: int) -> bool:
    """Cancel a job that has not started, in the caller's transaction; False once it is running."""
    connection = _driver_connection(session)
    return _deferrer.job_manager.cancel_job_by_id(job_id, connection=connection)
