"""`racehub workflows run|list|show`: plan, confirm, and a progress bar while the run works."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from racehub.cli import app as cli
from racehub.config import get_settings
from racehub.db.engine import set_database
from tests.workflows.conftest import Harness


@pytest.fixture
def cli_harness(harness: Harness, monkeypatch: pytest.MonkeyPatch, credential_key: str) -> Iterator[Harness]:
    harness.simulator("raceroster")
    monkeypatch.setenv("RACEHUB_CREDENTIAL_KEYS", credential_key)
    monkeypatch.setenv("RACEHUB_SIMULATOR_URLS", json.dumps(harness.settings.simulator_urls))
    monkeypatch.setenv("RACEHUB_VENDOR_PAGE_SIZE", "50")
    get_settings.cache_clear()
    set_database(harness.db)
    yield harness
    set_database(None)
    get_settings.cache_clear()


class TestWorkflowCommands:
    def test_run_plans_confirms_and_works_the_run_here_when_no_worker_is_up(
        self, cli_harness: Harness
    ) -> None:
        org_id, edition_id = cli_harness.edition("61248")
        cli_harness.store_credentials(org_id, "raceroster")
        runner = CliRunner()

        declined = runner.invoke(
            cli,
            ["workflows", "run", "sync_registrations", "--event", "Jingle Bell Run", "--year", "2026"],
            input="n\n",
        )
        ran = runner.invoke(
            cli,
            [
                "workflows",
                "run",
                "sync_registrations",
                "--event",
                "Jingle Bell Run",
                "--year",
                "2026",
                "--yes",
            ],
        )

        output = " ".join(ran.output.split())  # rich wraps at the terminal width
        assert declined.exit_code == 1
        assert "Fetch new and changed registrations" in declined.output
        assert ran.exit_code == 0, ran.output
        assert "Plan (run #" in output
        assert "from RaceRoster" in output
        assert "finished at" in output
        assert "255 fetched, 255 new, 0 updated, 0 removed" in output
        run_id = int(re.findall(r"run #(\d+)", output)[0])
        listed = runner.invoke(cli, ["workflows", "list", "--edition", str(edition_id)])
        assert listed.exit_code == 0
        assert "succeeded" in listed.output
        assert "planned" in listed.output
        shown = runner.invoke(cli, ["workflows", "show", str(run_id)])
        assert shown.exit_code == 0
        assert f"(run #{run_id}) finished at" in " ".join(shown.output.split())

    def test_unknown_event_is_one_red_line(self, cli_harness: Harness) -> None:
        result = CliRunner().invoke(
            cli, ["workflows", "run", "sync_results", "--event", "Moon Marathon", "--yes"]
        )
        assert result.exit_code == 1
        assert "no event named like 'Moon Marathon'" in result.output


class TestFollowingARunAWorkerWorks:
    def test_the_bar_counts_the_runs_own_steps_and_a_failed_attempt_says_why(
        self, cli_harness: Harness, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        copernico = cli_harness.simulator("copernico", scoring_polls=1)
        monkeypatch.setenv("RACEHUB_SIMULATOR_URLS", json.dumps(cli_harness.settings.simulator_urls))
        get_settings.cache_clear()
        org_id, edition_id = cli_harness.edition("61357")  # Lakeside 10K 2023: one race, four steps
        cli_harness.store_credentials(org_id, "raceroster")
        cli_harness.store_credentials(org_id, "copernico")
        assert cli_harness.run_to_end("sync_registrations", edition_id).state == "succeeded"
        # The first push fails on both of the worker's tries: attempt 1 fails, attempt 2 succeeds.
        copernico.fault(kind="unavailable", count=2, retry_after=0, path_prefix="/race-registrations/")
        done = threading.Event()
        worker = threading.Thread(target=cli_harness.work, args=(done.is_set,), kwargs={"timeout": 120})
        worker.start()
        try:
            deadline = time.monotonic() + 30
            while not _live_workers(cli_harness):
                assert time.monotonic() < deadline, "the worker did not start"
                time.sleep(0.1)

            ran = CliRunner().invoke(
                cli, ["workflows", "run", "score_copernico", "--edition", str(edition_id), "-y"]
            )
        finally:
            done.set()
            worker.join()

        output = " ".join(ran.output.split())
        assert ran.exit_code == 0, ran.output
        assert "finished at" in output
        counts = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+)", output)]
        assert counts
        assert all(done_steps <= total for done_steps, total in counts), counts
        assert "attempt 1 of 3 failed: copernico POST /race-registrations/CO-61357: HTTP 503" in output


def _live_workers(harness: Harness) -> int:
    from racehub.db import Scope
    from racehub.workflows import repository

    with harness.db.session(Scope.operator()) as session:
        return repository.live_workers(session, 30)
