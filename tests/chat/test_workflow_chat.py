"""Workflows from chat: a plan first, nothing runs until the asker says yes, then progress on request."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from racehub.credentials.crypto import Keyring, new_key
from racehub.credentials.service import store
from racehub.db import Database, Scope
from racehub.integrations.simulators import SIMULATOR_CREDENTIALS
from tests.chat.world import ChatWorld, chat, reply


def _runs(db: Database) -> list[tuple[str, str, int | None]]:
    with db.session(Scope.operator()) as session:
        rows = session.execute(text("SELECT kind, state, requested_by FROM workflow_runs ORDER BY id")).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _summit_copernico(db: Database) -> None:
    keyring = Keyring([new_key()])
    with db.session(Scope.operator()) as session:
        org_id = session.execute(
            text("SELECT id FROM organizations WHERE slug = 'summit-sports-timing'")
        ).scalar()
        assert org_id is not None
        store(session, keyring, org_id, "copernico", SIMULATOR_CREDENTIALS["copernico"])


class TestScoreInCopernicoFromChat:
    def test_plan_then_yes_then_progress(
        self, client: TestClient, world: ChatWorld, chat_db: Database
    ) -> None:
        _summit_copernico(chat_db)
        key = world.dave.key
        first = reply(chat(client, key, "Score the 2025 Boston Marathon in Copernico", chat_id="wf-1"))
        assert "Copernico" in first
        assert "yes" in first.lower()
        assert _runs(chat_db) == [("score_copernico", "planned", _runs(chat_db)[0][2])]

        confirmed = reply(
            chat(client, key, "Score the 2025 Boston Marathon in Copernico", first, "yes", chat_id="wf-1")
        )
        assert [state for _, state, _ in _runs(chat_db)] == ["queued"]
        assert "queued" in confirmed.lower()

        progress = reply(
            chat(
                client,
                key,
                "Score the 2025 Boston Marathon in Copernico",
                first,
                "yes",
                confirmed,
                "how is it going?",
                chat_id="wf-1",
            )
        )
        assert "queued" in progress.lower() or "running" in progress.lower()
        with chat_db.session(Scope.operator()) as session:
            outcomes = (
                session.execute(text("SELECT outcome FROM audit_log WHERE kind LIKE 'workflow%' ORDER BY id"))
                .scalars()
                .all()
            )
        assert outcomes == ["planned", "confirmed"]

    def test_how_is_it_going_after_joining_a_run_reports_the_run_it_joined(
        self, client: TestClient, world: ChatWorld, chat_db: Database
    ) -> None:
        _summit_copernico(chat_db)
        ask = "Score the 2025 Boston Marathon in Copernico"
        first = reply(chat(client, world.dave.key, ask, chat_id="wf-a"))
        reply(chat(client, world.dave.key, ask, first, "yes", chat_id="wf-a"))
        again = reply(chat(client, world.dave.key, ask, chat_id="wf-b"))
        joined = reply(chat(client, world.dave.key, ask, again, "yes", chat_id="wf-b"))
        assert "joined run #1" in joined

        progress = reply(
            chat(client, world.dave.key, ask, again, "yes", joined, "how is it going?", chat_id="wf-b")
        )

        assert progress.startswith("Run #2 joined run #1.")
        assert "(run #1) is queued since" in progress

    def test_another_company_cannot_plan_it(
        self, client: TestClient, world: ChatWorld, chat_db: Database
    ) -> None:
        answer = reply(
            chat(client, world.john.key, "Score the 2025 Boston Marathon in Copernico", chat_id="wf-2")
        )
        assert _runs(chat_db) == []
        assert "Shall I go ahead" not in answer

    def test_a_plain_yes_is_not_a_confirmation_of_nothing(
        self, client: TestClient, world: ChatWorld, chat_db: Database
    ) -> None:
        reply(chat(client, world.dave.key, "yes", chat_id="wf-3"))
        assert _runs(chat_db) == []
