"""Brute force of one-time codes (security.md case 17): 429 with Retry-After per account and per address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from racehub.config import Settings
from racehub.db import Database
from tests.chat.world import ChatWorld, chat, client_for, outbox_codes, reply


@pytest.fixture
def tight(test_settings: Settings) -> Settings:
    return test_settings.model_copy(
        update={
            "login_challenges_per_account": 3,
            "login_challenges_per_address": 6,
            "login_attempts_per_account": 4,
            "login_attempts_per_address": 8,
        }
    )


@pytest.fixture
def here(chat_db: Database, tight: Settings) -> Iterator[TestClient]:
    with client_for(chat_db, tight, address="198.51.100.1") as c:
        yield c


@pytest.fixture
def elsewhere(chat_db: Database, tight: Settings) -> Iterator[TestClient]:
    with client_for(chat_db, tight, address="198.51.100.2") as c:
        yield c


def assert_limited(response: object) -> None:
    status = getattr(response, "status_code", None)
    assert status == 429, getattr(response, "text", "")
    headers = getattr(response, "headers", {})
    assert 1 <= int(headers["retry-after"]) <= 900
    assert response.json()["error"] == "RateLimited"  # type: ignore[attr-defined]


class TestCodeGuessing:
    def test_per_account_across_addresses(
        self, here: TestClient, elsewhere: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        started = here.post("/v1/auth/challenge", json={"email": world.john.email}).json()["challenge"]
        code = outbox_codes(chat_db, world.john.email)[0]
        wrong = f"{(int(code) + 7) % 1_000_000:06d}"
        for attempt, client in enumerate((here, elsewhere, here, elsewhere)):
            response = client.post("/v1/auth/verify", json={"challenge": started, "code": wrong})
            assert response.status_code == 401, attempt
        response = elsewhere.post("/v1/auth/verify", json={"challenge": started, "code": code})
        assert_limited(response)

    def test_per_address_across_accounts(
        self, here: TestClient, elsewhere: TestClient, world: ChatWorld
    ) -> None:
        for n in range(8):
            response = here.post("/v1/auth/password", json={"email": f"user{n}@example.com", "password": "x"})
            assert response.status_code == 401
        assert_limited(here.post("/v1/auth/password", json={"email": "user9@example.com", "password": "x"}))
        # Another address is not affected.
        assert (
            elsewhere.post(
                "/v1/auth/password", json={"email": "user9@example.com", "password": "x"}
            ).status_code
            == 401
        )

    def test_chat_replies_count_too(self, here: TestClient, world: ChatWorld) -> None:
        chat(here, world.connector_key, "I'm John Carter from Acme Racing", chat_id="c1")
        for _ in range(4):
            assert reply(chat(here, world.connector_key, "000000", chat_id="c1")).startswith("That code")
        assert_limited(chat(here, world.connector_key, "000001", chat_id="c1"))


class TestChallengeFlooding:
    def test_per_account(self, here: TestClient, elsewhere: TestClient, world: ChatWorld) -> None:
        for client in (here, elsewhere, here):
            assert client.post("/v1/auth/challenge", json={"email": world.maria.email}).status_code == 200
        assert_limited(elsewhere.post("/v1/auth/challenge", json={"email": world.maria.email.upper()}))

    def test_per_address_with_or_without_an_account(self, here: TestClient, world: ChatWorld) -> None:
        for n in range(6):
            assert (
                here.post("/v1/auth/challenge", json={"email": f"someone{n}@example.com"}).status_code == 200
            )
        assert_limited(here.post("/v1/auth/challenge", json={"email": world.maria.email}))
