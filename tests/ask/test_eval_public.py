"""The public answer check (../shared/eval/check.py) scores full marks through `racehub ask --jsonl`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from racehub.db import Database
from tests.conftest import REPO

EVAL = Path(os.environ.get("RACEHUB_EVAL_DIR", REPO.parent / "shared" / "eval"))


@pytest.mark.slow
def test_public_questions_score_full_marks(bundle_db: Database, tmp_path: Path) -> None:
    if not (EVAL / "check.py").exists():
        pytest.skip(f"no evaluation kit at {EVAL}")
    env = {
        **os.environ,
        "RACEHUB_DATABASE_URL": bundle_db.owner_url.render_as_string(hide_password=False),
        "RACEHUB_HOME": str(tmp_path),
        "RACEHUB_LLM_ENABLED": "false",
    }
    racehub = Path(sys.executable).parent / "racehub"
    result = subprocess.run(
        [
            sys.executable,
            str(EVAL / "check.py"),
            "--questions",
            str(EVAL / "questions-public.jsonl"),
            "--cmd",
            f"{racehub} ask --jsonl",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    total = sum(1 for line in (EVAL / "questions-public.jsonl").read_text().splitlines() if line.strip())
    assert last == f"score: {total}/{total}", result.stdout[-4000:] + result.stderr[-2000:]
