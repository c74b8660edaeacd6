"""`racehub workflows run|list|show`: plan, confirm, and a progress bar while the run works."""

from __future__ import annotations

import json
import re
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
