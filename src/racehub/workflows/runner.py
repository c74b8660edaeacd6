"""One attempt at a workflow run: claim the run, do its kind's steps, record how it ended.

A failure either re-queues the run (retryable, attempts left: `RetryLater` tells procrastinate when) or
fails it for good (`WorkflowFailed`). The run row is updated before the queue hears of it, so people see
"queued, retrying in 40 s after HTTP 503" while the job waits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy.orm import Session

from racehub.alarms import service as alarms
from racehub.db import Scope
from racehub.integrations import registry
from racehub.workflows import repository
from racehub.workflows.context import (
    RetryLater,
    RunContext,
    WorkflowEnvironment,
    WorkflowFailed,
    describe,
    retry_delay,
)
from racehub.workflows.schemas import TERMINAL_STATES
from racehub.workflows.sync.registrations import sync_registrations
from racehub.workflows.sync.results import sync_results
from racehub.workflows.sync.scoring import score_copernico

SYNCS = ("sync_registrations", "sync_results")
WORKFLOWS: dict[str, Callable[[RunContext], str]] = {
    "sync_registrations": sync_registrations,
    "sync_results": sync_results,
    "score_copernico": score_copernico,
}


def execute(env: WorkflowEnvironment, run_id: int, *, attempt: int, job_id: int | None) -> str:
    """Run attempt number `attempt` of a run; returns a one-line summary (counts only, no personal data)."""
    with env.database.session(Scope.operator()) as session:
        run = repository.run(session, run_id, for_update=True)
        if run is None:
            return f"run {run_id} no longer exists"
        if run.state in TERMINAL_STATES:
            return f"run {run_id} already {run.state}"
        repository.set_running(session, run_id, attempt, job_id)
        edition = repository.edition(session, run.edition_id)
    if edition is None:
        with env.database.session(Scope.operator()) as session:
            repository.set_finished(session, run_id, "failed", "the event edition no longer exists")
        raise WorkflowFailed(f"run {run_id}: edition gone")
    # A fresh logger per attempt: a module-level one would keep whatever stream it first wrote to.
    bound = structlog.get_logger(__name__).bind(
        run_id=run_id, kind=run.kind, edition_id=run.edition_id, attempt=attempt
    )
    try:
        _say(bound, "info", "workflow attempt started")
        summary = WORKFLOWS[run.kind](RunContext(env, run, edition, attempt))
    except Exception as exc:
        raise _record_failure(env, run_id, attempt, exc, bound) from exc
    with env.database.session(Scope.operator()) as session:
        repository.set_finished(session, run_id, "succeeded", None)
        if run.kind in SYNCS:
            alarms.sync_succeeded(session, edition_id=run.edition_id, workflow=run.kind)
    _say(bound, "info", "workflow run succeeded", summary=summary)
    return summary


def _say(logger: Any, level: str, event: str, **fields: object) -> None:
    """Log, never letting a broken log stream change how a run ends."""
    with contextlib.suppress(ValueError, OSError):
        getattr(logger, level)(event, **fields)


def _note_sync_failure(session: Session, run_id: int, message: str, threshold: int) -> None:
    """A sync attempt failed: one more towards the alarm that tells staff a sync keeps failing."""
    run = repository.run(session, run_id)
    if run is None or run.kind not in SYNCS:
        return
    edition = repository.edition(session, run.edition_id)
    provider = None
    if edition is not None:
        provider = edition.results_provider if run.kind == "sync_results" else edition.registration_provider
    alarms.sync_failed(
        session,
        org_id=run.org_id,
        edition_id=run.edition_id,
        workflow=run.kind,
        vendor=registry.label(provider) if provider else "vendor",
        error=message,
        threshold=threshold,
    )


def _record_failure(
    env: WorkflowEnvironment, run_id: int, attempt: int, exc: Exception, bound: Any
) -> RetryLater | WorkflowFailed:
    """Record a failed attempt on the run; the exception that tells the queue what to do next."""
    message = describe(exc)
    delay = retry_delay(exc, attempt, env.settings, env.rng)
    with env.database.session(Scope.operator()) as session:
        _note_sync_failure(session, run_id, message, env.settings.alarm_sync_failures)
        if delay is None:
            repository.set_finished(session, run_id, "failed", f"{message} (attempt {attempt})")
        else:
            note = (
                f"attempt {attempt} of {env.settings.workflow_max_attempts} failed: {message}; "
                f"retrying in {delay:.0f} s"
            )
            repository.set_retrying(session, run_id, note)
    if delay is None:
        _say(bound, "warning", "workflow run failed", error=message)
        return WorkflowFailed(message)
    _say(bound, "warning", "workflow attempt failed, will retry", error=message, retry_in_s=round(delay, 1))
    return RetryLater(message, delay)
