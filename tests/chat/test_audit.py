"""The audit log: logins, failed challenges, every question with its SQL and row count, workflow requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from racehub.audit.service import Actor, list_entries, record_workflow_request
from racehub.cli import app as cli
from racehub.cli.chat import parse_since
from racehub.db import Database, Scope
from tests.chat.world import ChatWorld, chat, operator_rows, outbox_codes, reply

SHAMROCK = "How many runners finished the Shamrock Marathon in 2025?"


class TestWhatIsRecorded:
    def test_a_chat_login_and_a_question(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        chat(client, world.connector_key, "I'm John Carter from Acme Racing", chat_id="c1")
        reply(chat(client, world.connector_key, "000000", chat_id="c1"))
        reply(chat(client, world.connector_key, outbox_codes(chat_db, world.john.email)[0], chat_id="c1"))
        reply(chat(client, world.connector_key, SHAMROCK, chat_id="c1"))
        entries = list(reversed(list_entries(chat_db)))
        assert [(e.kind, e.outcome) for e in entries] == [
            ("login.challenge", "issued"),
            ("login", "failed"),
            ("login", "ok"),
            ("question", "answered"),
        ]
        challenge, failed, ok, question = entries
        assert challenge.actor == "John Carter from Acme Racing"
        assert challenge.via == "chat_login"
        assert failed.user_email is None
        assert failed.client_addr == "203.0.113.7"
        assert ok.user_email == world.john.email
        assert question.user_email == world.john.email
        assert question.subject == SHAMROCK
        assert question.sql
        assert question.sql.startswith("SELECT count(*)")
        assert question.row_count == 1
        assert question.elapsed_ms is not None
        assert question.elapsed_ms >= 0

    def test_every_question_of_a_key_holder(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        reply(chat(client, world.maria.key, "write me a poem about running"))
        (entry,) = list_entries(chat_db, kind="question")
        assert (entry.outcome, entry.via, entry.user_email, entry.row_count) == (
            "unanswerable",
            "api_key",
            world.maria.email,
            0,
        )

    def test_workflow_requests_in_the_requests_transaction_or_alone(
        self, chat_db: Database, world: ChatWorld
    ) -> None:
        user_id, org_id = operator_rows(
            chat_db,
            "SELECT m.user_id, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id "
            "WHERE u.email = :e",
            e=world.dave.email,
        )[0]
        actor = Actor(user_id=user_id, org_id=org_id, name=world.dave.email, via="api_key")
        with chat_db.session(Scope.tenant(org_id, user_id, "owner")) as session:
            record_workflow_request(
                session,
                actor=actor,
                workflow="score Boston Marathon in Copernico",
                outcome="queued",
                arguments={"event": "Boston Marathon", "year": 2025},
            )

        def failing_request() -> None:
            with chat_db.session(Scope.tenant(org_id, user_id, "owner")) as session:
                record_workflow_request(session, actor=actor, workflow="rolled back", outcome="queued")
                raise RuntimeError("the request failed")

        with pytest.raises(RuntimeError):
            failing_request()
        record_workflow_request(
            chat_db,
            actor=actor,
            workflow="sync RunSignUp",
            outcome="failed",
            result={"error": "vendor answered 503"},
        )
        entries = list_entries(chat_db, kind="workflow")
        assert [(e.subject, e.outcome) for e in entries] == [
            ("sync RunSignUp", "failed"),
            ("score Boston Marathon in Copernico", "queued"),
        ]

    def test_the_application_cannot_rewrite_history(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        from sqlalchemy import text
        from sqlalchemy.exc import ProgrammingError

        reply(chat(client, world.john.key, SHAMROCK))
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            chat_db.session(Scope.operator()) as s,
        ):
            s.execute(text("UPDATE audit_log SET subject = 'nothing happened'"))


class TestCommands:
    def test_racehub_audit_lists_with_filters(
        self, client: TestClient, as_cli_database: Database, world: ChatWorld
    ) -> None:
        reply(chat(client, world.john.key, SHAMROCK))
        client.post("/v1/auth/password", json={"email": world.maria.email, "password": "wrong"})
        runner = CliRunner()
        result = runner.invoke(cli, ["audit", "--user", world.john.email, "--since", "1h"])
        assert result.exit_code == 0, result.output
        assert "question" in result.output
        assert "answered" in result.output
        assert "SELECT" in result.output
        assert "maria" not in result.output
        result = runner.invoke(cli, ["audit", "--kind", "login"])
        assert result.exit_code == 0
        assert "failed" in result.output
        assert "maria" in result.output

    def test_an_unknown_kind_is_an_error_naming_the_kinds(self, as_cli_database: Database) -> None:
        result = CliRunner().invoke(cli, ["audit", "--kind", "bogus"])

        assert result.exit_code == 1
        assert (
            "unknown audit kind 'bogus'; expected one of login, login.challenge, question, workflow, erasure"
            in " ".join(result.output.split())
        )

    def test_racehub_outbox_prints_the_codes(
        self, client: TestClient, as_cli_database: Database, world: ChatWorld
    ) -> None:
        client.post("/v1/auth/challenge", json={"email": world.maria.email})
        result = CliRunner().invoke(cli, ["outbox", "--to", world.maria.email])
        assert result.exit_code == 0, result.output
        code = outbox_codes(as_cli_database, world.maria.email)[0]
        assert f"Your RaceHub login code is {code}" in result.output
        assert world.maria.email in result.output

    def test_racehub_keys_connector(self, as_cli_database: Database) -> None:
        result = CliRunner().invoke(cli, ["keys", "connector", "--label", "openwebui"])
        assert result.exit_code == 0, result.output
        key = result.output.strip().splitlines()[-1]
        assert key.startswith("rh_")
        rows = operator_rows(
            as_cli_database, "SELECT kind, user_id, org_id FROM api_keys WHERE label = 'openwebui'"
        )
        assert ("connector", None, None) in [tuple(r) for r in rows]

    def test_since_takes_dates_and_spans(self) -> None:
        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        assert parse_since("7d", now) == now - timedelta(days=7)
        assert parse_since("30m", now) == now - timedelta(minutes=30)
        assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
        assert parse_since(None) is None
