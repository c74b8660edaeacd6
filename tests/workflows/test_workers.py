"""Real `racehub worker` processes: a worker killed with SIGKILL mid-sync (security.md case 20), and
three workers started together scheduling each periodic tick once (case 23)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from racehub.db import Scope
from racehub.workflows.queue import TASK_SCHEDULE, TASK_SWEEP
from tests.workflows.bundle_rows import edition_rows, synced_entries
from tests.workflows.conftest import Harness

pytestmark = pytest.mark.slow


class Workers:
    """`racehub worker` subprocesses against the test database and simulators."""

    def __init__(self, harness: Harness, credential_key: str, logs: Path, **settings: str) -> None:
        self.logs = logs
        self.env = {
            **os.environ,
            "RACEHUB_DATABASE_URL": harness.db.owner_url.render_as_string(hide_password=False),
            "RACEHUB_HOME": str(logs),
            "RACEHUB_CREDENTIAL_KEYS": credential_key,
            "RACEHUB_SIMULATOR_URLS": json.dumps(harness.settings.simulator_urls),
            "RACEHUB_VENDOR_PAGE_SIZE": "40",
            "RACEHUB_WORKER_HEARTBEAT_S": "0.5",
            "RACEHUB_WORKER_STALLED_AFTER_S": "2",
            "RACEHUB_WORKFLOW_SWEEP_CRON": "* * * * * *",
            "RACEHUB_WORKFLOW_RETRY_BASE_S": "0.2",
            **settings,
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from racehub.cli import main; main()",
                "worker",
                "--concurrency",
                "1",
                "--name",
                name,
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def output(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.logs.glob("*.log")))


@pytest.fixture
def workers(harness: Harness, credential_key: str, tmp_path: Path) -> Iterator[Callable[..., Workers]]:
    made: list[Workers] = []

    def make(**settings: str) -> Workers:
        made.append(Workers(harness, credential_key, tmp_path, **settings))
        return made[-1]

    yield make
    for group in made:
        group.stop_all()


def wait_for(condition: Callable[[], bool], timeout: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{workers.output()[-4000:]}")
        time.sleep(0.1)


class TestKilledWorker:
    def test_a_sync_killed_mid_race_is_finished_by_another_worker_without_duplicates_or_gaps(
        self, harness: Harness, workers: Callable[..., Workers]
    ) -> None:
        sim = harness.simulator("runsignup")
        org_id, edition_id = harness.edition("61629")  # Blue Ridge Trail 50K 2023: 50K (287), 25K (377)
        harness.store_credentials(org_id, "runsignup")
        participants = "/Rest/race/104887/participants"
        sim.fault(kind="slow", delay_s=0.25, path_prefix=participants)
        run_id = harness.start("sync_registrations", edition_id)
        group = workers()
        first = group.start("doomed")

        def first_race_done_and_second_started() -> bool:
            done = [k for k in harness.run(run_id).progress if k.startswith("registrations:")]
            return len(done) == 1 and sim.requests_to(participants) >= 8 + 2  # 50K took 8 pages of 40

        wait_for(first_race_done_and_second_started, 60, "the first race and part of the second", group)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        killed = harness.run(run_id)
        assert killed.state == "running"
        assert killed.attempts == 1
        assert len(synced_entries(harness.db, org_id, "runsignup")) == 287  # the 50K, none of the 25K
        sim.clear_faults()
        group.start("rescuer")
        wait_for(lambda: harness.run(run_id).state in ("succeeded", "failed"), 60, "the retried run", group)

        run = harness.run(run_id)
        assert run.state == "succeeded", run.error
        assert run.attempts == 2
        expected = edition_rows("61629").entries
        assert (run.fetched, run.inserted, run.updated, run.removed) == (len(expected), len(expected), 0, 0)
        assert synced_entries(harness.db, org_id, "runsignup") == expected
        with harness.db.session(Scope.operator()) as session:
            entries, distinct = session.execute(
                text("SELECT count(*), count(DISTINCT (race_id, bib)) FROM entries WHERE org_id = :o"),
                {"o": org_id},
            ).one()
        assert entries == distinct == len(expected)
        with harness.db.session(Scope.operator()) as session:
            events = (
                session.execute(
                    text(
                        "SELECT e.type::text FROM procrastinate_events e "
                        "JOIN procrastinate_jobs j ON j.id = e.job_id WHERE j.id = :job ORDER BY e.id"
                    ),
                    {"job": run.job_id},
                )
                .scalars()
                .all()
            )
        # The sweeper put the dead worker's job back in the queue; the second worker finished it.
        assert [e for e in events if e != "scheduled"] == [
            "deferred",
            "started",
            "deferred_for_retry",
            "started",
            "succeeded",
        ]


class TestSimulateCommand:
    def test_racehub_simulate_serves_a_vendor(self, tmp_path: Path) -> None:
        import socket

        import httpx

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from racehub.cli import main; main()",
                "simulate",
                "copernico",
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "RACEHUB_HOME": str(tmp_path)},
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    answer = httpx.get(
                        f"http://127.0.0.1:{port}/api/races/CO-61357",
                        headers={"x-api-key": "sim-copernico-key"},
                    )
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "simulator did not start"
                    time.sleep(0.2)
            assert answer.status_code == 200
            assert answer.json()["name"] == "Lakeside 10K 2023"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)


class TestThreeWorkers:
    def test_each_periodic_tick_is_scheduled_once_and_queues_one_sync(
        self, harness: Harness, workers: Callable[..., Workers]
    ) -> None:
        harness.simulator("raceroster")
        today = datetime.now(UTC).date()
        org_id, edition_id = harness.edition("61248", start_date=today + timedelta(days=10))
        harness.store_credentials(org_id, "raceroster")
        group = workers(RACEHUB_WORKFLOW_SCHEDULE_CRON="* * * * * *")
        for name in ("w1", "w2", "w3"):
            group.start(name)

        def ticks() -> int:
            with harness.db.session(Scope.operator()) as session:
                return int(
                    session.execute(
                        text(
                            "SELECT count(DISTINCT args->>'timestamp') FROM procrastinate_jobs "
                            "WHERE task_name = :t"
                        ),
                        {"t": TASK_SCHEDULE},
                    ).scalar_one()
                )

        def live_workers() -> int:
            with harness.db.session(Scope.operator()) as session:
                return int(session.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one())

        wait_for(lambda: live_workers() == 3, 30, "three workers", group)
        start_ticks = ticks()
        wait_for(lambda: ticks() >= start_ticks + 4, 30, "four more ticks", group)

        with harness.db.session(Scope.operator()) as session:
            doubled = session.execute(
                text(
                    "SELECT task_name, args->>'timestamp', count(*) FROM procrastinate_jobs "
                    "WHERE task_name IN (:a, :b) GROUP BY 1, 2 HAVING count(*) > 1"
                ),
                {"a": TASK_SCHEDULE, "b": TASK_SWEEP},
            ).all()
            per_tick = session.execute(
                text(
                    "SELECT count(*), count(DISTINCT args->>'timestamp') FROM procrastinate_jobs "
                    "WHERE task_name = :a"
                ),
                {"a": TASK_SCHEDULE},
            ).one()
            scheduled = (
                session.execute(
                    text("SELECT id FROM workflow_runs WHERE trigger = 'schedule' AND edition_id = :e"),
                    {"e": edition_id},
                )
                .scalars()
                .all()
            )
        assert doubled == []
        assert per_tick[0] == per_tick[1] >= 4
        assert len(scheduled) == 1  # registrations due daily: the first tick queued it, the others did not
        wait_for(lambda: harness.run(scheduled[0]).state == "succeeded", 30, "the scheduled sync", group)
