"""Deferring the live and push jobs inside the caller's transaction (they commit, or vanish, with it)."""

from __future__ import annotations

from typing import Any

import psycopg
from procrastinate import App, SyncPsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.orm import Session

TASK_PROCESS = "racehub.live.process"
TASK_SWEEP = "racehub.live.sweep"
TASK_DELIVER = "racehub.push.deliver"
TASK_RECEIPTS = "racehub.push.receipts"
LIVE_QUEUE = "live"
PUSH_QUEUE = "push"

# Never opened: it only defers on a connection the caller lends it.
_deferrer = App(connector=SyncPsycopgConnector())


def _connection(session: Session) -> psycopg.Connection[Any]:
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, psycopg.Connection)
    return connection


def defer(
    session: Session,
    task: str,
    org_id: int,
    *,
    queue: str,
    lock: str,
    queueing_lock: str | None,
    delay_s: float = 0,
) -> bool:
    """Defer `task(org_id=...)` in the session's transaction; False when one is already waiting."""
    options: dict[str, Any] = {"lock": lock, "queueing_lock": queueing_lock, "queue": queue}
    if delay_s > 0:
        options["schedule_in"] = {"seconds": round(delay_s)}
    try:
        with session.begin_nested():
            _deferrer.configure_task(task, connection=_connection(session), **options).defer(org_id=org_id)
    except AlreadyEnqueued:
        return False
    return True


def defer_delivery(session: Session, org_id: int, delay_s: float = 0) -> bool:
    return defer(
        session,
        TASK_DELIVER,
        org_id,
        queue=PUSH_QUEUE,
        lock=f"push:{org_id}",
        queueing_lock=f"push-deliver:{org_id}",
        delay_s=delay_s,
    )


def defer_receipts(session: Session, org_id: int, delay_s: float) -> bool:
    return defer(
        session,
        TASK_RECEIPTS,
        org_id,
        queue=PUSH_QUEUE,
        lock=f"push-receipts:{org_id}",
        queueing_lock=f"push-receipts:{org_id}",
        delay_s=delay_s,
    )


def defer_processing(session: Session, org_id: int) -> bool:
    return defer(
        session,
        TASK_PROCESS,
        org_id,
        queue=LIVE_QUEUE,
        lock=f"live:{org_id}",
        queueing_lock=f"live-sweep:{org_id}",
    )
