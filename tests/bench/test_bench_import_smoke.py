"""Smoke test of bench/bench_import.py on a cut-down bundle, so the benchmark keeps running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import BUNDLE
from tests.imports.bundle_files import data_rows, write_subset

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "bench_import.py"
EDITIONS = {("Jingle Bell Run", 2023), ("Lakeside 10K", 2023)}


class TestBenchImportRuns:
    def test_tiny_bundle_reports_every_phase(self, tmp_path: Path, pg_admin_url: str) -> None:
        bundle = write_subset(BUNDLE, tmp_path / "bundle", EDITIONS)
        rows = data_rows(bundle)
        out = tmp_path / "figures.json"

        done = subprocess.run(
            [
                sys.executable,
                str(BENCH),
                "--bundle",
                str(bundle),
                "--database-url",
                pg_admin_url,
                "--json",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=REPO,
        )

        assert done.returncode == 0, done.stdout + done.stderr
        figures = json.loads(out.read_text())
        assert figures["rows"] == rows
        assert figures["total_rows"] == sum(rows.values())
        assert figures["stored"]["entries"] == rows["ct_participants.csv"]
        assert figures["stored"]["results"] == rows["ct_results.csv"]
        assert figures["noop_changed"] == 0
        assert figures["scored"]["races"] == rows["ct_races.csv"]
        assert figures["scored"]["rows_written"] > 0
        phases = {p["name"]: p for p in figures["phases"]}
        assert len(phases) == 5
        assert all(p["seconds"] > 0 for p in phases.values())
        assert figures["phases"][0]["ratio"] == 1.0
        assert "baseline" in done.stdout
