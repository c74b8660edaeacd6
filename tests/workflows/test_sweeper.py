"""The sweeper: jobs of dead workers go back to the queue (or fail once out of attempts), and runs whose
job ended without them are closed."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from racehub.db import Scope
from racehub.workflows.context import WorkflowEnvironment
from racehub.workflows.tasks import sweep
from tests.workflows.conftest import Harness


def _orphan_the_job(harness: Harness, run_id: int, *, attempts: int) -> int:
    """Make the run's job look like it was taken by a worker that then died `attempts` attempts in."""
    with harness.db.session(Scope.operator()) as session:
        worker = session.execute(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - interval '1 hour') RETURNING id"
            )
        ).scalar_one()
        job = session.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w, attempts = :a "
                "WHERE (args->>'run_id')::bigint = :r RETURNING id"
            ),
            {"w": worker, "a": attempts - 1, "r": run_id},
        ).scalar_one()
        session.execute(
            text("UPDATE workflow_runs SET state = 'running', attempts = :a WHERE id = :r"),
            {"a": attempts, "r": run_id},
        )
    return int(job)


def _sweep(harness: Harness, env: WorkflowEnvironment) -> str:
    app = harness.app(env=env)

    async def go() -> str:
        async with app.open_async():
            return await sweep(app, env)

    return asyncio.run(go())


def _job(harness: Harness, job_id: int) -> tuple[str, int]:
    with harness.db.session(Scope.operator()) as session:
        row = session.execute(
            text("SELECT status::text, attempts FROM procrastinate_jobs WHERE id = :j"), {"j": job_id}
        ).one()
    return row[0], row[1]


class TestSweeper:
    def test_a_dead_workers_job_is_queued_again_then_failed_when_out_of_attempts(
        self, harness: Harness
    ) -> None:
        harness.simulator("ctlive")
        org_id, edition_id = harness.edition("61202")
        harness.store_credentials(org_id, "ctlive")
        env = harness.env()
        run_id = harness.start("sync_results", edition_id)

        job = _orphan_the_job(harness, run_id, attempts=1)
        summary = _sweep(harness, env)
        assert summary.startswith("1 stalled job(s) re-queued, 0 failed")
        assert _job(harness, job) == ("todo", 1)
        run = harness.run(run_id)
        assert run.state == "queued"
        assert "stopped responding" in (run.error or "")

        _orphan_the_job(harness, run_id, attempts=harness.settings.workflow_max_attempts)
        assert _sweep(harness, env).startswith("0 stalled job(s) re-queued, 1 failed")
        assert _job(harness, job)[0] == "failed"
        run = harness.run(run_id)
        assert run.state == "failed"
        assert "no attempts left" in (run.error or "")

    def test_a_run_whose_job_ended_without_it_is_closed(self, harness: Harness) -> None:
        harness.simulator("ctlive")
        org_id, edition_id = harness.edition("61202")
        harness.store_credentials(org_id, "ctlive")
        run_id = harness.start("sync_results", edition_id)
        with harness.db.session(Scope.operator()) as session:
            session.execute(
                text(
                    "UPDATE procrastinate_jobs SET status = 'cancelled' WHERE (args->>'run_id')::bigint = :r"
                ),
                {"r": run_id},
            )
            session.execute(
                text("UPDATE workflow_runs SET updated_at = now() - interval '5 minutes' WHERE id = :r"),
                {"r": run_id},
            )

        assert _sweep(harness, harness.env()).endswith("1 orphaned run(s) closed")
        run = harness.run(run_id)
        assert run.state == "failed"
        assert "queue job ended (cancelled)" in (run.error or "")

    def test_a_live_workers_job_is_left_alone(self, harness: Harness) -> None:
        harness.simulator("ctlive")
        org_id, edition_id = harness.edition("61202")
        harness.store_credentials(org_id, "ctlive")
        run_id = harness.start("sync_results", edition_id)
        job = _orphan_the_job(harness, run_id, attempts=1)
        with harness.db.session(Scope.operator()) as session:
            session.execute(text("UPDATE procrastinate_workers SET last_heartbeat = now()"))
        assert _sweep(harness, harness.env()).startswith("0 stalled job(s) re-queued, 0 failed")
        assert _job(harness, job) == ("doing", 0)
