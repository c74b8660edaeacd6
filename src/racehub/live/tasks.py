"""procrastinate tasks of race day: numbering and notifying, sending push messages, reading receipts, and
a sweeper for anything a lost wake-up or a dead worker left behind.

- `racehub.live.process(org_id)`: deferred by the database in each writing transaction (lock `live:<org>`,
  so one tenant's runs never overlap): numbers the tenant's changes, then works out who to notify
  (`racehub.follows.dispatch`) batch by batch, each batch deferring `racehub.push.deliver` in its commit.
- `racehub.push.deliver(org_id)` (lock `push:<org>`, one waiting at most): sends the queued messages; Expo
  tickets defer `racehub.push.receipts(org_id)` a receipt delay later.
- `racehub.live.sweep` (periodic, every minute): tenants with unnumbered or undispatched changes, queued
  messages, messages a dead worker left `sending`, and changes older than the retention.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procrastinate import App, RetryStrategy

from racehub.db import Scope
from racehub.follows.dispatch import dispatch
from racehub.live import queue, repository, service
from racehub.push import repository as push_repository
from racehub.push import service as push
from racehub.push.service import Senders
from racehub.workflows.context import WorkflowEnvironment
from racehub.workflows.queue import MAINTENANCE_QUEUE

RETRY = RetryStrategy(max_attempts=8, wait=2, exponential_wait=2)


def process(env: WorkflowEnvironment, org_id: int) -> str:
    """Number the tenant's changes, then queue its notifications; a summary for the job log (ids, counts)."""
    with env.database.session(Scope.tenant(org_id)) as session:
        numbered = service.sequence(session, org_id)
    changes = messages = 0
    while True:
        with env.database.session(Scope.tenant(org_id)) as session:
            done = dispatch(session, org_id)
            if done.messages:
                queue.defer_delivery(session, org_id)
        changes += done.changes
        messages += done.messages
        if done.changes == 0 or not repository_lagging(env, org_id):
            break
    return f"org {org_id}: {numbered} numbered, {changes} dispatched, {messages} message(s) queued"


def repository_lagging(env: WorkflowEnvironment, org_id: int) -> bool:
    with env.database.session(Scope.tenant(org_id)) as session:
        head = repository.lock_head(session, org_id)
        return head.dispatched_seq < head.last_seq


def deliver(env: WorkflowEnvironment, senders: Senders, org_id: int) -> str:
    report = push.deliver(env.database, senders, org_id)
    if report.tickets:
        with env.database.session(Scope.tenant(org_id)) as session:
            queue.defer_receipts(session, org_id, env.settings.expo_receipt_delay_s)
    return (
        f"org {org_id}: {report.sent} sent, {report.failed} failed, {report.disabled} device(s) disabled, "
        f"{report.requeued} back in the queue"
    )


def receipts(env: WorkflowEnvironment, senders: Senders, org_id: int) -> str:
    report = push.read_receipts(env.database, senders, org_id)
    with env.database.session(Scope.tenant(org_id)) as session:
        oldest = push_repository.oldest_ticket(session)
        if oldest is not None:
            due = oldest + timedelta(seconds=env.settings.expo_receipt_delay_s)
            wait = max((due - datetime.now(UTC)).total_seconds(), 60.0 if report.waiting else 1.0)
            queue.defer_receipts(session, org_id, wait)
    return (
        f"org {org_id}: {report.delivered} delivered, {report.failed} failed, {report.disabled} device(s) "
        f"disabled, {report.waiting} receipt(s) not ready"
    )


def sweep(env: WorkflowEnvironment) -> str:
    with env.database.session(Scope.operator()) as session:
        lagging = set(repository.pending_orgs(session)) | set(repository.undispatched_orgs(session))
        for org_id in sorted(lagging):
            queue.defer_processing(session, org_id)
        stuck = push.abandon_stuck(session)
        waiting = push_repository.orgs_with_queued(session)
        for org_id in waiting:
            queue.defer_delivery(session, org_id)
        pruned = repository.prune(
            session, datetime.now(UTC) - timedelta(days=env.settings.live_retention_days)
        )
    return (
        f"{len(lagging)} tenant(s) to process, {len(waiting)} with messages waiting, {stuck} message(s) "
        f"abandoned, {pruned} old change(s) pruned"
    )


def register(app: App, env: WorkflowEnvironment, *, periodic: bool = True) -> None:
    """Add the live and push tasks (and, unless `periodic` is False, the sweeper's schedule) to `app`."""
    senders = Senders(env.settings, sleep=env.sleep)

    @app.task(name=queue.TASK_PROCESS, queue=queue.LIVE_QUEUE, retry=RETRY)
    def process_changes(org_id: int) -> str:
        return process(env, org_id)

    @app.task(name=queue.TASK_DELIVER, queue=queue.PUSH_QUEUE, retry=RETRY)
    def deliver_messages(org_id: int) -> str:
        return deliver(env, senders, org_id)

    @app.task(name=queue.TASK_RECEIPTS, queue=queue.PUSH_QUEUE, retry=RETRY)
    def read_receipts(org_id: int) -> str:
        return receipts(env, senders, org_id)

    @app.task(name=queue.TASK_SWEEP, queue=MAINTENANCE_QUEUE)
    def sweep_live(timestamp: int) -> str:
        return sweep(env)

    if periodic:
        app.periodic(
            cron="* * * * *", periodic_id="live", lock=queue.TASK_SWEEP, queueing_lock=queue.TASK_SWEEP
        )(sweep_live)
