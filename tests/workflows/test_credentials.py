"""Vendor credentials (security.md case 25): encrypted at rest, rotatable, never in logs, API output or
job arguments."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from typer.testing import CliRunner

from racehub.cli import app as cli
from racehub.config import get_settings
from racehub.credentials import service as credentials
from racehub.credentials.crypto import CredentialKeysMissing, CredentialsUnreadable, Keyring, key_id
from racehub.db import Database, Scope
from racehub.db.engine import set_database
from racehub.logging import configure_logging
from tests.workflows.conftest import Harness


def _ciphertexts(db: Database) -> list[tuple[str, str, str]]:
    with db.session(Scope.operator()) as session:
        rows = session.execute(text("SELECT provider, ciphertext, key_id FROM credentials ORDER BY provider"))
        return [tuple(row) for row in rows.all()]


class TestKeyring:
    def test_values_round_trip_and_never_show_in_a_repr(self) -> None:
        keyring = Keyring([Fernet.generate_key().decode()])
        token = keyring.encrypt({"api_key": "k-123", "api_secret": "s-456"})
        assert "s-456" not in token
        opened = keyring.decrypt(token)
        assert dict(opened) == {"api_key": "k-123", "api_secret": "s-456"}
        assert "s-456" not in repr(opened)
        assert "s-456" not in str(opened)
        assert repr(opened) == "Secrets(api_key=***, api_secret=***)"

    def test_a_bad_or_missing_key_is_named_by_position_never_echoed(self) -> None:
        with pytest.raises(CredentialKeysMissing, match="RACEHUB_CREDENTIAL_KEYS"):
            Keyring([])
        with pytest.raises(CredentialKeysMissing, match="key 2 is not a Fernet key") as caught:
            Keyring([Fernet.generate_key().decode(), "not-a-key-hunter2"])
        assert "hunter2" not in str(caught.value)


class TestRotation:
    def test_old_ciphertexts_are_re_encrypted_with_the_new_key_and_stay_readable(
        self, harness: Harness
    ) -> None:
        old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        org_id = harness.org("1")
        with harness.db.session(Scope.operator()) as session:
            credentials.store(
                session,
                Keyring([old_key]),
                org_id,
                "runsignup",
                {"api_key": "rsu-key", "api_secret": "rsu-secret"},
            )
            credentials.store(
                session,
                Keyring([old_key]),
                org_id,
                "copernico",
                {"api_key": "cop-key", "post_scoring_hook": "https://hooks.example/scored"},
            )
        before = _ciphertexts(harness.db)
        assert {row[2] for row in before} == {key_id(old_key)}

        rotating = Keyring([new_key, old_key])
        with harness.db.session(Scope.operator()) as session:
            report = credentials.rotate_all(session, rotating)

        after = _ciphertexts(harness.db)
        assert report.rotated == 2
        assert report.key_id == key_id(new_key)
        assert {row[2] for row in after} == {key_id(new_key)}
        assert all(b[1] != a[1] for b, a in zip(before, after, strict=True))
        only_new = Keyring([new_key])  # the old key can now be dropped
        with harness.db.session(Scope.operator()) as session:
            assert dict(credentials.load(session, only_new, org_id, "runsignup")) == {
                "api_key": "rsu-key",
                "api_secret": "rsu-secret",
            }
            assert credentials.load(session, only_new, org_id, "copernico")["post_scoring_hook"].endswith(
                "/scored"
            )
            with pytest.raises(CredentialsUnreadable):
                credentials.load(session, Keyring([old_key]), org_id, "runsignup")

    def test_fields_are_checked_per_provider(self, harness: Harness) -> None:
        from racehub.errors import InvalidInput

        org_id = harness.org("1")
        with (
            harness.db.session(Scope.operator()) as session,
            pytest.raises(InvalidInput, match="need api_secret"),
        ):
            credentials.store(session, harness.keyring, org_id, "runsignup", {"api_key": "k"})
        with harness.db.session(Scope.operator()) as session, pytest.raises(InvalidInput, match="no field"):
            credentials.store(
                session,
                harness.keyring,
                org_id,
                "runsignup",
                {"api_key": "k", "api_secret": "s", "password": "p"},
            )

    def test_another_tenant_cannot_read_them(self, harness: Harness) -> None:
        from racehub.credentials.service import CredentialsNotConfigured

        acme, tidewater = harness.org("1"), harness.org("2")
        harness.store_credentials(acme, "runsignup")
        with harness.db.session(Scope.tenant(tidewater)) as session:
            assert credentials.listing(session) == []
            with pytest.raises(CredentialsNotConfigured):
                credentials.load(session, harness.keyring, acme, "runsignup")


class TestSecretsStaySecret:
    def test_never_in_logs_job_arguments_or_run_rows(
        self, harness: Harness, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
    ) -> None:
        secret = f"rsu-secret-{secrets.token_hex(8)}"
        configure_logging("DEBUG")  # what `racehub worker` sets up, at its most talkative
        caplog.set_level(logging.DEBUG)
        sim = harness.simulator("runsignup", credentials={"api_secret": secret})
        org_id, edition_id = harness.edition("61629")
        harness.store_credentials(org_id, "runsignup", api_secret=secret)
        sim.fault(kind="unavailable", count=2, path_prefix="/Rest/race/104887/participants")

        run = harness.run_to_end("sync_registrations", edition_id)

        assert run.state == "succeeded", run.error
        assert run.attempts == 2  # a failure was logged along the way
        out, err = capfd.readouterr()
        assert secret not in out + err + caplog.text
        assert "workflow attempt failed" in out + err + caplog.text
        with harness.db.session(Scope.operator()) as session:
            jobs = session.execute(text("SELECT args::text FROM procrastinate_jobs")).scalars().all()
            rows = session.execute(text("SELECT row_to_json(w)::text FROM workflow_runs w")).scalars().all()
            stored = session.execute(text("SELECT ciphertext FROM credentials")).scalars().all()
        assert jobs
        # The run's job, and the live jobs its writes deferred (race day: `racehub.live.process`): ids only.
        assert all(args in (f'{{"run_id": {run.id}}}', f'{{"org_id": {org_id}}}') for args in jobs)
        assert all(secret not in row for row in rows)
        assert all(secret not in token for token in stored)


@pytest.fixture
def cli_database(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, credential_key: str
) -> Iterator[Database]:
    monkeypatch.setenv("RACEHUB_CREDENTIAL_KEYS", credential_key)
    get_settings.cache_clear()
    set_database(harness.db)
    yield harness.db
    set_database(None)
    get_settings.cache_clear()


class TestCommands:
    def test_set_reads_values_from_stdin_and_list_shows_names_only(self, cli_database: Database) -> None:
        runner = CliRunner()
        harness_org = "acme-racing"
        with cli_database.session(Scope.operator()) as session:
            from tests.factories import create_org

            create_org(session, slug=harness_org, name="Acme Racing")
        refused = runner.invoke(
            cli,
            [
                "credentials",
                "set",
                "--org",
                harness_org,
                "--provider",
                "runsignup",
                "--field",
                "api_key=oops",
            ],
        )
        assert refused.exit_code == 1
        assert "field names only" in refused.output
        assert "oops" not in refused.output

        stored = runner.invoke(
            cli,
            ["credentials", "set", "--org", harness_org, "--provider", "runsignup"],
            input="key-from-stdin\nsecret-from-stdin\n",
        )
        listed = runner.invoke(cli, ["credentials", "list"])
        rotated = runner.invoke(cli, ["credentials", "rotate"])

        assert stored.exit_code == 0, stored.output
        assert listed.exit_code == 0, listed.output
        assert rotated.exit_code == 0
        assert "1 credential set(s) re-encrypted" in rotated.output
        for output in (stored.output, listed.output, rotated.output):
            assert "secret-from-stdin" not in output
            assert "key-from-stdin" not in output
        assert "api_key" in listed.output
        assert "api_secret" in listed.output
        assert "runsignup" in listed.output
        with cli_database.session(Scope.operator()) as session:
            org_id = credentials.org_id_for(session, harness_org)
            keyring = Keyring.from_settings(get_settings())
            assert dict(credentials.load(session, keyring, org_id, "runsignup")) == {
                "api_key": "key-from-stdin",
                "api_secret": "secret-from-stdin",
            }

    def test_new_key_prints_a_usable_key(self) -> None:
        result = CliRunner().invoke(cli, ["credentials", "new-key"])
        assert result.exit_code == 0
        Fernet(result.output.strip().encode())
