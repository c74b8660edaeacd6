"""`racehub demo` as a newcomer runs it: every example sentence of the README works as printed (through
the page's login and through `/v1/chat/completions`), a taken port fails first, keys are reused, and
Ctrl-C leaves nothing running."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from typer.testing import CliRunner

from racehub.cli import app as cli
from racehub.config import get_settings
from racehub.db.embedded import embedded_running, stop_embedded
from tests.conftest import BUNDLE
from tests.imports.bundle_files import write_subset

RACEHUB = Path(sys.executable).with_name("racehub")
EDITIONS = [("Shamrock Marathon Weekend", 2025), ("Boston Marathon", 2026), ("Richmond Turkey Trot", 2025)]
COUNT = "How many runners finished the Shamrock Marathon last year?"
SCORE = "Score Boston Marathon in Copernico"
REPORT = "Generate CSV of award winners with mailing addresses for the 2025 Richmond Turkey Trot 5K"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACEHUB_")}
    # 80 columns, as many terminals: nothing a user copies (keys, emails, curl) may be cut to fit.
    env.update(RACEHUB_HOME=str(home), RACEHUB_LLM_ENABLED="false", COLUMNS="80")
    return env


def _wait_for(stream: IO[str], text: str, seen: list[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            raise AssertionError("the demo ended early:\n" + "".join(seen))
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"no {text!r} after {timeout} s:\n" + "".join(seen))


@dataclass
class Demo:
    url: str
    home: Path
    keys: dict[str, str]
    process: subprocess.Popen[str]
    output: list[str]

    def chat(self, key: str, *messages: str, chat_id: str | None = None) -> str:
        roles = ["user" if (len(messages) - 1 - i) % 2 == 0 else "assistant" for i in range(len(messages))]
        body: dict[str, Any] = {
            "model": "racehub",
            "messages": [{"role": r, "content": m} for r, m in zip(roles, messages, strict=True)],
        }
        if chat_id:
            body["chat_id"] = chat_id
        response = httpx.post(
            f"{self.url}v1/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["choices"][0]["message"]["content"])

    def racehub(self, *args: str) -> str:
        done = subprocess.run(
            [str(RACEHUB), *args],
            env=_env(self.home),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    # Outside pytest's temp root, which concurrent pytest runs prune; readable by `pgserver` (root runs).
    folder = Path(tempfile.mkdtemp(prefix="racehub-demo-test-"))
    folder.chmod(0o755)
    bundle = write_subset(BUNDLE, folder / "bundle", EDITIONS)
    home = folder / "home"
    port = _free_port()
    process = subprocess.Popen(
        [str(RACEHUB), "demo", "--port", str(port), "--bundle", str(bundle)],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C reaches the demo and its worker
    )
    seen: list[str] = []
    try:
        assert process.stdout is not None
        _wait_for(process.stdout, "worker racehub-worker", seen)
        keys = json.loads((home / "demo-keys.json").read_text())
        yield Demo(f"http://127.0.0.1:{port}/", home, keys, process, seen)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stop_embedded(home / "pgdata")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
class TestTheReadmeSentences:
    def test_the_banner_names_a_login_and_a_key_for_every_company_and_a_copyable_curl(
        self, demo: Demo
    ) -> None:
        banner = "".join(demo.output)
        for email, slug in (
            ("john@acmeracing.example", "acme-racing"),
            ("maria@tidewatertiming.example", "tidewater-timing"),
            ("dave@summittiming.example", "summit-sports-timing"),
        ):
            assert f"{email}  key {demo.keys[slug]}" in banner
        assert demo.keys["_connector"] in banner
        curl = next(line for line in demo.output if line.startswith("curl "))
        assert demo.keys["acme-racing"] in curl
        assert curl.rstrip().endswith("/v1/ask")  # one line, whole: it pastes as one command
        assert "RuntimeDirWarning" not in banner

    def test_count(self, demo: Demo) -> None:
        answer = demo.chat(demo.keys["acme-racing"], COUNT)

        assert re.match(r"^_Read as: Number of finishers — .+_\n\n[\d,]+ finishers", answer), answer
        page = httpx.post(
            f"{demo.url}v1/ask",
            json={"question": COUNT},
            headers={"Authorization": f"Bearer {demo.keys['acme-racing']}"},
        )
        assert page.json()["status"] == "answered"

    def test_scoring_in_copernico_with_yes_and_progress(self, demo: Demo) -> None:
        key = demo.keys["summit-sports-timing"]
        plan = demo.chat(key, SCORE)
        queued = demo.chat(key, SCORE, plan, "yes")
        assert plan.startswith("Push "), plan
        assert "Copernico" in plan
        assert "is queued" in queued or "is running" in queued, queued
        status = ""
        for _ in range(120):
            status = demo.chat(key, SCORE, plan, "yes", queued, "how is it going?")
            if "finished" in status or "failed" in status:
                break
            time.sleep(0.5)
        assert "finished at" in status, status
        assert re.search(r"[\d,]+ fetched", status)

    def test_login_in_the_chat_with_a_code_from_the_outbox(self, demo: Demo) -> None:
        connector = demo.keys["_connector"]
        asked = demo.chat(connector, "I'm John from Acme Racing", chat_id="newcomer")
        outbox = demo.racehub("outbox", "--to", "john@acmeracing.example", "--limit", "1")
        code = re.findall(r"\b(\d{6})\b", outbox)[0]
        welcomed = demo.chat(connector, "I'm John from Acme Racing", asked, code, chat_id="newcomer")
        answer = demo.chat(
            connector, "I'm John from Acme Racing", asked, code, welcomed, COUNT, chat_id="newcomer"
        )

        assert "code" in asked.lower()
        assert "John" in welcomed
        assert re.match(r"^_Read as: Number of finishers — .+_\n\n[\d,]+ finishers", answer), answer

    def test_the_page_login_with_the_demo_password(self, demo: Demo) -> None:
        session = httpx.post(
            f"{demo.url}v1/auth/password",
            json={"email": "maria@tidewatertiming.example", "password": "racehub-demo"},
        )
        assert session.status_code == 200, session.text

        answer = demo.chat(session.json()["token"], REPORT)

        link = re.search(r"\((http://[^)]+\.csv\?[^)]+)\)", answer)
        assert link is not None, answer
        download = httpx.get(link.group(1))
        assert download.status_code == 200
        assert download.text.splitlines()[0].startswith("category,sex,place,bib,first_name,last_name")

    def test_ctrl_c_stops_the_server_the_worker_and_the_database_and_a_rerun_reuses_the_keys(
        self, demo: Demo
    ) -> None:
        os.killpg(demo.process.pid, signal.SIGINT)
        assert demo.process.wait(timeout=60) in (0, 130)  # 130: ended by SIGINT, as after Ctrl-C
        assert demo.process.stdout is not None
        rest = demo.process.stdout.read()

        assert "embedded database stopped" in rest
        assert not embedded_running(demo.home / "pgdata")
        again = demo.racehub("demo", "--no-serve", "--bundle", str(demo.home.parent / "bundle"))
        for slug in ("acme-racing", "tidewater-timing", "summit-sports-timing", "_connector"):
            assert demo.keys[slug] in again
        assert "nothing changed" in again
        assert "embedded database stopped" in again


class TestPort:
    def test_a_taken_port_fails_first_naming_the_port_option(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RACEHUB_HOME", str(tmp_path))
        get_settings.cache_clear()
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]

            result = CliRunner().invoke(cli, ["demo", "--port", str(port)])

        get_settings.cache_clear()
        output = " ".join(result.output.split())
        assert result.exit_code == 1
        assert f"cannot listen on 127.0.0.1:{port}" in output
        assert f"make demo PORT={port + 10}" in output
        assert "demo ready" not in output
        assert "rh_" not in output
        assert not (tmp_path / "pgdata").exists()  # nothing was set up
