"""Logging in by saying who you are (security.md cases 2, 3, 17, 18) through a connector key."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from racehub.db import Database
from tests.chat.world import PASSWORD, ChatWorld, chat, operator_rows, outbox_codes, reply

SHAMROCK = "How many runners finished the Shamrock Marathon in 2025?"


def log_in(
    client: TestClient, database: Database, world: ChatWorld, chat_id: str, claim: str, email: str
) -> str:
    said = reply(chat(client, world.connector_key, claim, chat_id=chat_id))
    assert "login code is on its way" in said
    code = outbox_codes(database, email)[0]
    return reply(chat(client, world.connector_key, code, chat_id=chat_id))


class TestNoVerifiedIdentity:
    def test_a_question_gets_login_help_and_no_data(self, client: TestClient, world: ChatWorld) -> None:
        said = reply(chat(client, world.connector_key, SHAMROCK, chat_id="c1"))
        assert "I'm Jane from Acme Racing" in said
        assert "finishers" not in said
        assert "SELECT" not in said
        assert not re.search(r"\d{3}", said)

    def test_saying_who_you_are_starts_a_challenge_and_shows_no_data(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        said = reply(
            chat(client, world.connector_key, "I'm John from Acme Racing, show me my events", chat_id="c2")
        )
        assert said.startswith("If John from Acme Racing has a RaceHub account, a 6-digit login code")
        assert "Shamrock" not in said
        assert "|" not in said
        assert len(outbox_codes(chat_db, world.john.email)) == 1

    def test_a_code_without_a_challenge_is_not_a_login(self, client: TestClient, world: ChatWorld) -> None:
        said = reply(chat(client, world.connector_key, "123456", chat_id="c3"))
        assert said.startswith("No login is waiting for a code")


class TestLoggingIn:
    def test_the_emailed_code_binds_the_user_to_the_conversation(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        said = log_in(client, chat_db, world, "c1", "Hi, I'm John Carter from Acme Racing", world.john.email)
        assert "signed in as John Carter (Acme Racing)" in said
        answer = reply(chat(client, world.connector_key, SHAMROCK, chat_id="c1"))
        assert "820 finishers" in answer
        # Another conversation of the same connector is not logged in.
        assert "I'm Jane from Acme Racing" in reply(chat(client, world.connector_key, SHAMROCK, chat_id="c9"))

    def test_what_was_asked_with_the_claim_is_answered_after_login(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        said = log_in(
            client, chat_db, world, "c1", "I'm John from Acme Racing, show me my events", world.john.email
        )
        assert "signed in as John Carter" in said
        assert "Shamrock Marathon Weekend" in said
        assert "| event | year |" in said

    def test_the_password_works_instead_of_the_code(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        chat(client, world.connector_key, "I'm maria@tidewatertiming.example", chat_id="c1")
        said = reply(chat(client, world.connector_key, f"password: {PASSWORD}", chat_id="c1"))
        assert "signed in as Maria Lopez (Tidewater Timing)" in said

    def test_two_johns_each_get_their_own_code(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        chat(client, world.connector_key, "I'm John from Acme Racing", chat_id="c1")
        carter, reed = outbox_codes(chat_db, world.john.email), outbox_codes(chat_db, world.john_reed.email)
        assert len(carter) == 1
        assert len(reed) == 1
        assert carter != reed
        said = reply(chat(client, world.connector_key, reed[0], chat_id="c1"))
        assert "signed in as John Reed (Acme Racing)" in said

    def test_an_unknown_account_gets_the_same_reply(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        known = reply(chat(client, world.connector_key, "I'm John from Acme Racing", chat_id="c1"))
        unknown = reply(chat(client, world.connector_key, "I'm Zed from Acme Racing", chat_id="c2"))
        nowhere = reply(chat(client, world.connector_key, "I'm John from Nowhere Timing", chat_id="c3"))
        assert unknown == known.replace("John from Acme Racing", "Zed from Acme Racing")
        assert nowhere == known.replace("John from Acme Racing", "John from Nowhere Timing")
        assert operator_rows(chat_db, "SELECT count(*) FROM outbox")[0][0] == 2  # the two Johns only


class TestIdentityCannotBeTalkedInto:
    def test_claiming_someone_else_changes_nothing_until_their_code_passes(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        log_in(client, chat_db, world, "c1", "I'm John from Acme Racing", world.john.email)
        said = reply(chat(client, world.connector_key, "actually I'm Maria from Tidewater", chat_id="c1"))
        assert "Until then I keep acting for John Carter (Acme Racing)" in said
        assert "820 finishers" in reply(chat(client, world.connector_key, SHAMROCK, chat_id="c1"))
        maria_code = outbox_codes(chat_db, world.maria.email)[0]
        said = reply(chat(client, world.connector_key, maria_code, chat_id="c1"))
        assert "signed in as Maria Lopez (Tidewater Timing)" in said
        assert "820 finishers" not in reply(chat(client, world.connector_key, SHAMROCK, chat_id="c1"))

    def test_johns_code_typed_in_marias_conversation_is_rejected(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        chat(client, world.connector_key, "I'm John from Acme Racing", chat_id="john")
        chat(client, world.connector_key, "I'm Maria from Tidewater Timing", chat_id="maria")
        johns = outbox_codes(chat_db, world.john.email)[0]
        said = reply(chat(client, world.connector_key, johns, chat_id="maria"))
        assert said.startswith("That code or password is not valid")
        assert "I'm Jane from Acme Racing" in reply(
            chat(client, world.connector_key, SHAMROCK, chat_id="maria")
        )

    def test_a_used_code_does_not_work_again(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        log_in(client, chat_db, world, "c1", "I'm John from Acme Racing", world.john.email)
        used = outbox_codes(chat_db, world.john.email)[0]
        chat(client, world.connector_key, "I'm John Carter from Acme Racing", chat_id="c2")
        said = reply(chat(client, world.connector_key, used, chat_id="c2"))
        assert said.startswith("That code or password is not valid")

    def test_an_expired_code_is_rejected(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        chat(client, world.connector_key, "I'm John Carter from Acme Racing", chat_id="c1")
        operator_rows(
            chat_db, "UPDATE login_challenges SET expires_at = now() - interval '1 second' RETURNING id"
        )
        said = reply(
            chat(client, world.connector_key, outbox_codes(chat_db, world.john.email)[0], chat_id="c1")
        )
        assert said.startswith("That code or password is not valid")

    def test_the_code_dies_after_five_wrong_tries(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        chat(client, world.connector_key, "I'm John Carter from Acme Racing", chat_id="c1")
        code = outbox_codes(chat_db, world.john.email)[0]
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(5):
            assert reply(chat(client, world.connector_key, wrong, chat_id="c1")).startswith("That code")
        said = reply(chat(client, world.connector_key, code, chat_id="c1"))
        assert not said.startswith("Thanks")

    def test_codes_are_stored_only_as_argon2id_hashes(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        chat(client, world.connector_key, "I'm John Carter from Acme Racing", chat_id="c1")
        code = outbox_codes(chat_db, world.john.email)[0]
        (stored,) = [r[0] for r in operator_rows(chat_db, "SELECT code_hash FROM login_challenge_targets")]
        assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert code not in stored

    def test_a_personal_key_holder_cannot_switch_by_chat(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        said = reply(chat(client, world.john.key, "I'm Maria from Tidewater Timing"))
        assert said.startswith("You are signed in as John Carter (Acme Racing) with an API key")
        assert outbox_codes(chat_db, world.maria.email) == []
