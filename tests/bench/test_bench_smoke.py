"""Smoke test of the benchmarks: the generator and every benchmark at a tiny scale, so they cannot rot.

One `bench/run_all.py` run on a generated bundle of a few thousand results, against the test server:
import against the COPY baseline, the question mix over HTTP, the results API under load (wrk, or the
Python stand-in when wrk is not installed), scoring checked against the rules, and live results to a few
SSE clients beside the same clients polling.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN_ALL = REPO / "bench" / "run_all.py"
RESULTS = 3000


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory, pg_admin_url: str) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [
            sys.executable,
            str(RUN_ALL),
            "--results",
            str(RESULTS),
            "--out",
            str(out),
            "--database-url",
            pg_admin_url,
            "--rounds",
            "1",
            "--duration",
            "1",
            "--finishers",
            "1000",
            "--live-clients",
            "3,12",
            "--live-changes",
            "6",
            "--live-poll-s",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    loaded: dict[str, Any] = json.loads((out / "figures.json").read_text())
    return loaded


@pytest.mark.slow
class TestBenchmarksRunAtTinyScale:
    def test_import_is_timed_against_the_copy_baseline_and_a_reimport_changes_nothing(
        self, figures: dict[str, Any]
    ) -> None:
        imp = figures["import"]
        assert abs(imp["rows"]["ct_results.csv"] - RESULTS) <= RESULTS * 0.05
        assert imp["stored"]["results"] == imp["rows"]["ct_results.csv"]
        assert imp["phases"][0]["name"].startswith("baseline")
        assert all(p["seconds"] > 0 and p["rows_per_s"] > 0 for p in imp["phases"])
        assert imp["noop_changed"] == 0
        assert 0 < imp["import_share_of_copy"] < 10
        assert imp["phases"][3]["name"].startswith("ceiling")
        assert all(seconds > 0 for seconds in imp["rebuild_s"].values()), imp["rebuild_s"]
        assert 0 < imp["ceiling_share_of_copy"] < 1
        assert imp["import_peak_rss_mib"] > 0

    def test_answers_are_timed_over_http_in_process_and_as_direct_sql(self, figures: dict[str, Any]) -> None:
        ask = figures["ask"]
        assert ask["questions"], ask["dropped"]
        for kind in ("http", "engine", "direct_sql", "overhead"):
            assert ask[kind]["samples"] == len(ask["questions"])
        assert ask["http"]["p50_ms"] > 0

    def test_results_api_is_loaded_against_a_bare_endpoint_without_errors(
        self, figures: dict[str, Any]
    ) -> None:
        api = figures["results_api"]
        assert api["api"]["requests"] > 0
        assert api["bare"]["requests"] > 0
        assert api["api"]["errors"] == api["bare"]["errors"] == 0
        assert api["api"]["peak_rss_mib"] > 0
        assert api["ratio"] > 0

    def test_scoring_matches_the_rules_and_a_second_run_writes_nothing(self, figures: dict[str, Any]) -> None:
        score = figures["score"]
        assert score["finishers"] == 1000
        assert score["matches_python_rules"] is True
        assert score["rows_written"] > 1000
        assert score["rows_written_again"] == 0

    def test_live_results_reach_every_sse_client_and_polling_is_measured_beside(
        self, figures: dict[str, Any]
    ) -> None:
        live = figures["live"]
        assert [row["clients"] for row in live["sse"]] == [row["clients"] for row in live["polling"]]
        assert [row["clients"] for row in live["sse"]] == [3, 12]
        for sse in live["sse"]:
            assert sse["received"] == sse["expected"] == 6 * sse["clients"]
            assert 0 < sse["p50_ms"] <= sse["p95_ms"]
        for poll in live["polling"]:
            assert poll["received"] > 0
            assert poll["failed_requests"] == 0
            assert poll["requests_per_s"] > 0

    def test_summary_names_every_figure_with_its_target(self, figures: dict[str, Any]) -> None:
        names = [row["figure"] for row in figures["summary"]]
        assert len(names) == 11
        assert all(row["target"] for row in figures["summary"])
        assert figures["machine"]["cpus"] >= 1
