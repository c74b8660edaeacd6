"""`racehub db stop`: the embedded PostgreSQL is down when it says so (also as root)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from typer.testing import CliRunner

from racehub.cli import app as cli
from racehub.config import get_settings
from racehub.db.embedded import embedded_running, start_embedded, stop_embedded


def _alive(pid: int) -> bool:
    """Running (a zombie is not: when the test process started the server, it is its parent)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def home(private_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("RACEHUB_HOME", str(private_dir))
    monkeypatch.delenv("RACEHUB_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield private_dir
    get_settings.cache_clear()
    stop_embedded(private_dir / "pgdata")  # whatever a failed test left running


class TestDbStop:
    def test_the_server_is_down_when_the_command_says_stopped(self, home: Path) -> None:
        uri = start_embedded(home / "pgdata")
        with psycopg.connect(uri) as conn:
            conn.execute("SELECT 1")
        pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])

        result = CliRunner().invoke(cli, ["db", "stop"])

        assert result.exit_code == 0, result.output
        assert "embedded server stopped" in result.output
        assert not _alive(pid)
        assert not embedded_running(home / "pgdata")
        again = CliRunner().invoke(cli, ["db", "stop"])
        assert again.exit_code == 0
        assert "was not running" in again.output

    def test_a_stale_pid_file_is_not_a_running_server(self, home: Path) -> None:
        start_embedded(home / "pgdata")
        pid_file = home / "pgdata" / "postmaster.pid"
        contents = pid_file.read_text()
        assert CliRunner().invoke(cli, ["db", "stop"]).exit_code == 0
        pid_file.write_text(contents)  # as a crash leaves it

        result = CliRunner().invoke(cli, ["db", "stop"])

        assert result.exit_code == 0, result.output
        assert "was not running" in result.output

    def test_a_configured_server_is_not_ours_to_stop(
        self, home: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("RACEHUB_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        get_settings.cache_clear()

        result = CliRunner().invoke(cli, ["db", "stop"])

        assert result.exit_code == 1
        assert "RACEHUB_DATABASE_URL" in result.output
