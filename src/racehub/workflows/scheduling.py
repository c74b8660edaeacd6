"""The schedule's tick (queue the syncs that are due) and the sweeper's repairs, as operator work.

Both run as procrastinate periodic tasks: procrastinate defers each tick once, however many workers
run (a unique row per task and timestamp), and each tick's own lock keeps two ticks from overlapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from racehub.workflows import queue, repository, schedule
from racehub.workflows.service import plan_text

# Editions considered at all: a little after their results horizon, up to a year ahead.
WINDOW_BEFORE = timedelta(days=15)
WINDOW_AFTER = timedelta(days=366)


@dataclass(frozen=True)
class Scheduled:
    run_id: int
    kind: str
    edition_id: int
    reason: str


def queue_due_syncs(
    session: Session,
    now: datetime,
    *,
    live_every: timedelta = schedule.EVERY_MIN,
    live_window: timedelta = schedule.LIVE_RESULTS,
) -> list[Scheduled]:
    """Create and queue a run for every registration or results sync due now (operator scope); results are
    polled every `live_every` while a race is on."""
    results_due = partial(schedule.results_due, live_every=live_every, live_window=live_window)
    queued: list[Scheduled] = []
    editions = repository.schedulable_editions(
        session, (now - WINDOW_BEFORE).date(), (now + WINDOW_AFTER).date()
    )
    for edition in editions:
        start = schedule.event_start(edition.first_start, edition.start_date, edition.timezone)
        checks = (
            (
                "sync_registrations",
                edition.registration_provider,
                edition.registration_external_id,
                schedule.registration_due,
            ),
            ("sync_results", edition.results_provider, edition.results_external_id, results_due),
        )
        for kind, provider, external_id, due in checks:
            if (
                not provider
                or not external_id
                or not repository.has_credentials(session, edition.org_id, provider)
            ):
                continue
            decision = due(
                start, now, repository.last_requested_at(session, edition.id, kind), status=edition.status
            )
            if not decision.due:
                continue
            queue.hold(session, kind, edition.id)
            if queue.active(session, kind, edition.id) is not None:
                continue  # one is queued or running already: it is this tick's sync
            run_id = repository.insert_run(
                session,
                org_id=edition.org_id,
                kind=kind,
                edition_id=edition.id,
                requested_by=None,
                trigger="schedule",
                plan=f"{plan_text(kind, edition)} Scheduled: {decision.reason}.",
                params={},
            )
            enqueued = queue.enqueue(session, run_id, kind, edition.id)
            repository.set_queued(session, run_id, enqueued.job_id)
            queued.append(Scheduled(run_id, kind, edition.id, decision.reason))
    return queued


def requeue_lost(session: Session, run_id: int, attempt: int) -> None:
    """A worker died during `attempt`; the job is queued again (the run says so)."""
    repository.set_retrying(
        session, run_id, f"attempt {attempt}: the worker stopped responding; retrying", only_attempt=attempt
    )


def fail_lost(session: Session, run_id: int, attempt: int) -> None:
    repository.set_finished(
        session,
        run_id,
        "failed",
        f"the worker running attempt {attempt} stopped responding; no attempts left",
    )


def fail_orphans(session: Session, older_than_s: float = 60.0) -> list[int]:
    """Runs shown as queued or running whose queue job ended or vanished: failed, so nobody waits on them."""
    orphans = repository.orphaned_runs(session, older_than_s)
    for run_id, job_status in orphans:
        repository.set_finished(
            session,
            run_id,
            "failed",
            f"its queue job ended ({job_status or 'deleted'}) without finishing the run",
        )
    return [run_id for run_id, _ in orphans]
