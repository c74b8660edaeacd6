"""procrastinate tasks: a workflow run, the schedule's tick, and the stalled-job sweeper (the worker also runs
race day's live and push jobs: `racehub.live.tasks`).

- `racehub.workflows.run(run_id)`: one attempt at a run. Deferred with `lock` = `queueing_lock` =
  "<kind>:<edition id>" (see queue.py). Its arguments are the run id only: no credentials, no personal
  data. Retries: `WorkflowRetry` — bounded attempts, exponential backoff with jitter, Retry-After honoured.
- `racehub.workflows.schedule` (periodic, `workflow_schedule_cron`): queues the syncs that are due.
- `racehub.workflows.sweep` (periodic, `workflow_sweep_cron`): jobs of workers that stopped sending
  heartbeats (killed, machine lost) go back to the queue, or fail once out of attempts; runs whose job
  ended without closing them are failed.
Both periodic tasks carry their own lock and queueing lock, so a slow tick never overlaps the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from procrastinate import App, BaseRetryStrategy, JobContext, RetryDecision
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Job, Status
from sqlalchemy.orm import Session

from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.workflows import runner, scheduling
from racehub.workflows.context import RetryLater, WorkflowEnvironment, WorkflowFailed, retry_delay
from racehub.workflows.queue import MAINTENANCE_QUEUE, QUEUE, TASK_RUN, TASK_SCHEDULE, TASK_SWEEP, build_app


class WorkflowRetry(BaseRetryStrategy):
    """The runner decides (it records the decision on the run first); anything that escaped it, such as
    the database going away while recording, is judged here by the same rule."""

    def __init__(self, env: WorkflowEnvironment) -> None:
        self.env = env

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, RetryLater):
            delay: float | None = exception.delay_s
        elif isinstance(exception, WorkflowFailed):
            delay = None
        else:
            delay = retry_delay(exception, job.attempts + 1, self.env.settings, self.env.rng)
        if delay is None:
            return None
        return RetryDecision(retry_at=datetime.now(UTC) + timedelta(seconds=delay))


def _as_operator(env: WorkflowEnvironment, work: Callable[[Session], object]) -> None:
    with env.database.session(Scope.operator()) as session:
        work(session)


async def sweep(app: App, env: WorkflowEnvironment) -> str:
    """Re-queue (or fail, when out of attempts) the jobs of dead workers; close orphaned runs."""
    manager = app.job_manager
    silent_s = env.settings.worker_stalled_after_s
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=silent_s))
    requeued = failed = 0
    for job in stalled:
        assert job.id is not None
        attempt = job.attempts + 1
        run_id = job.task_kwargs.get("run_id") if job.task_name == TASK_RUN else None
        retry = job.task_name == TASK_RUN and attempt < env.settings.workflow_max_attempts
        try:
            if retry:
                await manager.retry_job(job, retry_at=datetime.now(UTC))
            else:
                await manager.finish_job_by_id_async(job_id=job.id, status=Status.FAILED, delete_job=False)
        except ConnectorException:
            continue  # its state changed since we looked (its worker came back, or it was already swept)
        if retry:
            if isinstance(run_id, int):
                note = partial(scheduling.requeue_lost, run_id=run_id, attempt=attempt)
                await asyncio.to_thread(_as_operator, env, note)
            requeued += 1
        else:
            if isinstance(run_id, int):
                note = partial(scheduling.fail_lost, run_id=run_id, attempt=attempt)
                await asyncio.to_thread(_as_operator, env, note)
            failed += 1
    closed: list[int] = []
    await asyncio.to_thread(_as_operator, env, lambda s: closed.extend(scheduling.fail_orphans(s)))
    return f"{requeued} stalled job(s) re-queued, {failed} failed, {len(closed)} orphaned run(s) closed"


def register(app: App, env: WorkflowEnvironment, *, periodic: bool = True) -> None:
    """Add the workflow tasks (and, unless `periodic` is False, their schedules) to `app`."""

    @app.task(name=TASK_RUN, queue=QUEUE, pass_context=True, retry=WorkflowRetry(env))
    def run_workflow(context: JobContext, run_id: int) -> str:
        job = context.job
        return runner.execute(env, run_id, attempt=job.attempts + 1, job_id=job.id)

    @app.task(name=TASK_SCHEDULE, queue=MAINTENANCE_QUEUE)
    def schedule_syncs(timestamp: int) -> str:
        with env.database.session(Scope.operator()) as session:
            queued = scheduling.queue_due_syncs(
                session,
                datetime.now(UTC),
                live_every=timedelta(seconds=env.settings.live_results_poll_s),
                live_window=timedelta(hours=env.settings.live_window_h),
            )
        return f"tick {timestamp}: {len(queued)} sync(s) queued"

    @app.task(name=TASK_SWEEP, queue=MAINTENANCE_QUEUE, pass_context=True)
    async def sweep_stalled(context: JobContext, timestamp: int) -> str:
        return await sweep(context.app, env)

    if periodic:
        settings = env.settings
        app.periodic(
            cron=settings.workflow_schedule_cron,
            periodic_id="syncs",
            lock=TASK_SCHEDULE,
            queueing_lock=TASK_SCHEDULE,
        )(schedule_syncs)
        app.periodic(
            cron=settings.workflow_sweep_cron,
            periodic_id="stalled",
            lock=TASK_SWEEP,
            queueing_lock=TASK_SWEEP,
        )(sweep_stalled)


def worker_app(
    database: Database,
    settings: Settings | None = None,
    *,
    env: WorkflowEnvironment | None = None,
    periodic: bool = True,
    concurrency: int = 4,
) -> tuple[App, WorkflowEnvironment]:
    """The App a worker runs, its tasks registered."""
    env = env or WorkflowEnvironment.create(database, settings)
    app = build_app(database, pool_size=concurrency + 4)
    register(app, env, periodic=periodic)
    from racehub.live import tasks as live_tasks  # the live and push jobs run on the same workers

    live_tasks.register(app, env, periodic=periodic)
    from racehub.auth import tasks as auth_tasks  # login mail, when SMTP is configured

    auth_tasks.register(app, env.database, env.settings)
    return app, env
