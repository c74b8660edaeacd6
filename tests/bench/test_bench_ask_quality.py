"""Smoke test of bench/bench_ask_quality.py: a few generated questions against the shared bundle database.

The benchmark's figures (precision, coverage, latency) come out per category and its misses are written
as JSON lines, so the script cannot rot between the runs that fill bench/README.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from racehub.db import Database

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_few_questions_give_figures_per_category_and_the_misses(
    bundle_db: Database, tmp_path: Path
) -> None:
    figures, misses = tmp_path / "figures.json", tmp_path / "misses.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "bench_ask_quality.py"),
            "--database-url",
            bundle_db.owner_url.render_as_string(hide_password=False),
            "--n",
            "30",
            "--seed",
            "1",
            "--no-paraphrases",
            "--misses",
            str(misses),
            "--json",
            str(figures),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    loaded = json.loads(figures.read_text())
    overall = loaded["generated"]["overall"]
    assert overall["questions"] == 30
    assert sum(c["questions"] for c in loaded["generated"]["by_category"].values()) == 30
    assert 0 <= overall["precision"] <= 1
    assert 0 <= overall["coverage"] <= 1
    assert loaded["engine_latency"]["samples"] == 30
    written = [json.loads(line) for line in misses.read_text().splitlines()]
    assert len(written) == overall["questions"] - overall["right"]
    assert all({"question", "expect", "why", "got"} <= set(m) for m in written)
