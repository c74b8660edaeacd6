"""`racehub simulate`: the sample bundle beside the checkout by default, and "listening" only once it is."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from racehub import sample
from tests.conftest import BUNDLE

RACEHUB = Path(sys.executable).with_name("racehub")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestSampleBundle:
    def test_the_shared_bundle_is_the_one_beside_the_checkout(self) -> None:
        assert sample.SHARED_BUNDLE == sample.CHECKOUT.parent / "shared" / "data" / "racedata-v1"
        assert (sample.CHECKOUT / "src" / "racehub" / "sample.py").is_file()

    def test_an_explicit_folder_must_be_a_bundle(self, tmp_path: Path) -> None:
        from racehub.errors import InvalidInput

        with pytest.raises(InvalidInput, match="is not a racedata-v1 bundle"):
            sample.sample_bundle(tmp_path, tmp_path)
        assert sample.sample_bundle(tmp_path, BUNDLE) == BUNDLE


@pytest.mark.slow
class TestSimulateCommand:
    def test_it_says_listening_once_requests_are_answered(self, tmp_path: Path) -> None:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RACEHUB_")}
        env["RACEHUB_HOME"] = str(tmp_path)
        process = subprocess.Popen(
            [str(RACEHUB), "simulate", "ctlive", "--port", str(port), "--bundle", str(BUNDLE)],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stderr is not None
            deadline = time.monotonic() + 60
            lines = []
            while time.monotonic() < deadline:
                line = process.stderr.readline()
                lines.append(line)
                if "listening on" in line:
                    break
            else:
                raise AssertionError("".join(lines))
            # At once, no retry: it must already be listening.
            answered = httpx.get(f"http://127.0.0.1:{port}/api/event", timeout=5)
            assert answered.status_code in (400, 401, 403, 404, 422)
            assert f"http://127.0.0.1:{port}" in line
            assert "Traceback" not in "".join(lines)
        finally:
            process.terminate()
            process.wait(timeout=20)
