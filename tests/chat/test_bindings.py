"""A login bound to a chat conversation (issue 11, item 7): it expires, and only the person holding the
conversation's secret (carried in its history, never shown) continues as the person who signed in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from racehub.db import Database, Scope
from tests.chat.world import ChatWorld, chat, outbox_codes, raw_reply, reply

SHAMROCK = "How many runners finished the Shamrock Marathon in 2025?"
CLAIM = "I'm John Carter from Acme Racing"


def sign_in(client: TestClient, database: Database, world: ChatWorld, chat_id: str) -> None:
    chat(client, world.connector_key, CLAIM, chat_id=chat_id)
    said = reply(
        chat(client, world.connector_key, outbox_codes(database, world.john.email)[0], chat_id=chat_id)
    )
    assert "signed in as John Carter" in said


def backdate(database: Database, column: str, interval: str) -> None:
    with database.session(Scope.operator()) as session:
        session.execute(text(f"UPDATE chat_conversations SET {column} = now() - interval '{interval}'"))


class TestExpiry:
    def test_a_login_ends_after_the_absolute_limit(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        sign_in(client, chat_db, world, "x1")
        assert "820 finishers" in reply(chat(client, world.connector_key, SHAMROCK, chat_id="x1"))
        backdate(chat_db, "verified_at", "400 days")
        said = reply(chat(client, world.connector_key, SHAMROCK, chat_id="x1"))
        assert said.startswith("Your sign-in in this conversation has expired.")
        assert "finishers" not in said

    def test_a_login_ends_after_12_hours_unused(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        sign_in(client, chat_db, world, "x2")
        backdate(chat_db, "last_seen_at", "11 hours")
        assert "820 finishers" in reply(chat(client, world.connector_key, SHAMROCK, chat_id="x2"))
        backdate(chat_db, "last_seen_at", "13 hours")
        said = reply(chat(client, world.connector_key, SHAMROCK, chat_id="x2"))
        assert "expired" in said
        assert "finishers" not in said


class TestReplay:
    def test_the_visible_first_exchange_does_not_continue_as_john(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        first = raw_reply(chat(client, world.connector_key, CLAIM))
        code = outbox_codes(chat_db, world.john.email)[0]
        said = raw_reply(chat(client, world.connector_key, CLAIM, first, code))
        assert "signed in as John Carter" in said
        # John's own client sends the history it holds: still John.
        assert "820 finishers" in reply(chat(client, world.connector_key, CLAIM, first, code, said, SHAMROCK))
        # Someone with the connector key who saw John's screen (or a screenshot) types it all in again.
        seen = [reply(chat(client, world.connector_key, CLAIM, first, code, said, SHAMROCK))]
        shown_first, shown_said = (_visible(first), _visible(said))
        replayed = reply(chat(client, world.connector_key, CLAIM, shown_first, code, shown_said, SHAMROCK))
        assert "finishers" not in replayed
        assert seen

    def test_a_chat_id_without_the_secret_is_not_johns(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        sign_in(client, chat_db, world, "shared-id")
        # Same connector key and chat id, but not John's history.
        body = {
            "model": "racehub",
            "chat_id": "shared-id",
            "messages": [{"role": "user", "content": SHAMROCK}],
        }
        response = client.post(
            "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {world.connector_key}"}
        )
        assert "finishers" not in reply(response)

    def test_the_secret_is_not_shown(self, client: TestClient, world: ChatWorld) -> None:
        content = raw_reply(chat(client, world.connector_key, CLAIM))
        *shown, last = content.splitlines()
        assert last.startswith("[//]: # (racehub:")  # a markdown comment: parsed, never rendered
        assert "racehub:" not in "\n".join(shown)


def _visible(content: str) -> str:
    """What a person sees of a reply: everything but the secret line (and any visible reference)."""
    return "\n".join(line for line in content.splitlines() if not line.startswith("[//]: #")).rstrip()
