"""The sample data the demo and the simulators serve: the racedata-v1 bundle beside the checkout
(`../shared/data/racedata-v1`), or, where there is none, a small bundle generated once under
RACEHUB_HOME with the benchmark's generator."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from racehub.errors import InvalidInput

CHECKOUT = Path(__file__).resolve().parents[2]
SHARED_BUNDLE = CHECKOUT.parent / "shared" / "data" / "racedata-v1"
GENERATOR = CHECKOUT / "bench" / "generate.py"
GENERATED_RESULTS = 40_000


def sample_bundle(home: Path, explicit: Path | None = None) -> Path:
    """`explicit` when given (it must be a bundle folder), else the shared bundle, else a generated one."""
    if explicit is not None:
        if not (explicit / "ct_events.csv").is_file():
            raise InvalidInput(f"{explicit} is not a racedata-v1 bundle (no ct_events.csv)")
        return explicit
    if SHARED_BUNDLE.is_dir():
        return SHARED_BUNDLE
    generated = Path(home) / "sample-bundle"
    if not (generated / "ct_events.csv").is_file():
        if not GENERATOR.is_file():
            raise InvalidInput(f"no sample bundle at {SHARED_BUNDLE}: give one with --bundle")
        partial = generated.with_name(generated.name + ".partial")  # renamed once whole
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(GENERATOR), "--results", str(GENERATED_RESULTS), "--out", str(partial)],
            check=True,
        )
        shutil.rmtree(generated, ignore_errors=True)
        partial.rename(generated)
    return generated
