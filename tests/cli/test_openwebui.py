"""`racehub openwebui check`: the two JWT secrets agree (neither printed), and a running RaceHub takes
the header Open WebUI signs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from racehub.app import create_app
from racehub.auth.service import add_user, create_connector_key
from racehub.cli import app as cli
from racehub.config import get_settings
from racehub.db import Database, Scope
from racehub.integrations.simulators.kit import start_server_thread
from tests.factories import create_org

SECRET = "4f" * 32


def _env_file(tmp_path: Path, secret: str) -> Path:
    path = tmp_path / "openwebui.env"
    path.write_text(
        "# Open WebUI\nENABLE_FORWARD_USER_INFO_HEADERS='true'\n"
        f"FORWARD_USER_INFO_HEADER_JWT_SECRET='{secret}'\n"
    )
    return path


@pytest.fixture
def racehub_secret(cli_db: Database, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RACEHUB_OPENWEBUI_JWT_SECRET", SECRET)
    get_settings.cache_clear()
    return SECRET


class TestSecrets:
    def test_matching_secrets(self, racehub_secret: str, tmp_path: Path) -> None:
        result = CliRunner().invoke(
            cli, ["openwebui", "check", "--env-file", str(_env_file(tmp_path, SECRET))]
        )

        assert result.exit_code == 0, result.output
        assert "the secrets match" in result.output
        assert SECRET not in result.output

    def test_different_secrets_fail_without_showing_either(self, racehub_secret: str, tmp_path: Path) -> None:
        other = "77" * 32
        result = CliRunner().invoke(
            cli, ["openwebui", "check", "--env-file", str(_env_file(tmp_path, other))]
        )

        assert result.exit_code == 1
        assert "the two secrets differ" in " ".join(result.output.split())
        assert SECRET not in result.output
        assert other not in result.output

    def test_no_racehub_secret(self, cli_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("RACEHUB_OPENWEBUI_JWT_SECRET", raising=False)
        get_settings.cache_clear()

        result = CliRunner().invoke(cli, ["openwebui", "check"], input=SECRET + "\n")

        assert result.exit_code == 1
        assert "RACEHUB_OPENWEBUI_JWT_SECRET is not set" in result.output


class TestAgainstARunningServer:
    def test_the_server_takes_the_header_and_names_the_user(
        self, cli_db: Database, racehub_secret: str, tmp_path: Path
    ) -> None:
        with cli_db.session(Scope.operator()) as session:
            create_org(session, slug="acme-racing", name="Acme Racing")
            add_user(session, email="john@acme.example", name="John", org_slug="acme-racing", role="owner")
            connector = create_connector_key(session, label="openwebui")
        server = start_server_thread(create_app(cli_db, get_settings()))
        try:
            args = [
                "openwebui",
                "check",
                "--env-file",
                str(_env_file(tmp_path, SECRET)),
                "--url",
                server.url,
                "--connector-key",
                connector,
            ]
            known = CliRunner().invoke(cli, [*args, "--email", "john@acme.example"])
            unknown = CliRunner().invoke(cli, [*args, "--email", "stranger@example.com"])
        finally:
            server.stop()

        assert known.exit_code == 0, known.output
        said = " ".join(known.output.split())
        assert "john@acme.example is a RaceHub user: the first chat of this Open WebUI account" in said
        assert unknown.exit_code == 0, unknown.output
        assert "is not a RaceHub user" in " ".join(unknown.output.split())
