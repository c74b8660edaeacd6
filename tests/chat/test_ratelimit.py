"""Brute force of one-time codes (security.md case 17): 429 with Retry-After per account and per address.

Limits key on the account a claim resolves to, however it is worded, and on the real client address
(a forwarded header counts only from a configured proxy); guessing codes never locks the owner out of
their password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from racehub.config import Settings
from racehub.db import Database
from tests.chat.world import PASSWORD, ChatWorld, chat, client_for, outbox_codes, reply


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
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error == "RateLimited" or error["code"] == "RateLimited"  # OpenAI's shape on the chat API


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
        limited = chat(here, world.connector_key, "000001", chat_id="c1")
        assert_limited(limited)
        # OpenAI's shape, so Open WebUI shows the wait instead of a bare "RateLimited".
        assert limited.json()["error"]["type"] == "rate_limit_error"
        assert limited.json()["error"]["message"].startswith("too many login attempts; try again in ")


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


class TestLimitsCannotBeSidestepped:
    def test_rewording_the_claim_names_the_same_account(self, here: TestClient, world: ChatWorld) -> None:
        for said in (
            "I'm Maria from Tidewater Timing LLC",
            "I'm Maria from Tidewater Timing Inc",
            "I'm Maria Lopez from the Tidewater Timing",
        ):
            assert here.post("/v1/auth/challenge", json={"text": said}).status_code == 200
        assert_limited(here.post("/v1/auth/challenge", json={"text": "I'm maria from tidewater timing co"}))

    def test_guesses_count_per_account_across_challenges(
        self, here: TestClient, elsewhere: TestClient, world: ChatWorld
    ) -> None:
        guesses = 0
        for client, said in (
            (here, "I'm John Carter from Acme Racing"),
            (elsewhere, "I'm John Carter from Acme"),
        ):
            token = client.post("/v1/auth/challenge", json={"text": said}).json()["challenge"]
            for _ in range(2):
                response = client.post("/v1/auth/verify", json={"challenge": token, "code": "000000"})
                assert response.status_code == 401
                guesses += 1
        token = here.post("/v1/auth/challenge", json={"email": world.john.email}).json()["challenge"]
        assert guesses == 4
        assert_limited(here.post("/v1/auth/verify", json={"challenge": token, "code": "000000"}))

    def test_code_guessing_does_not_lock_the_owner_out_of_their_password(
        self, here: TestClient, elsewhere: TestClient, world: ChatWorld
    ) -> None:
        token = elsewhere.post("/v1/auth/challenge", json={"email": world.john.email}).json()["challenge"]
        for _ in range(4):
            elsewhere.post("/v1/auth/verify", json={"challenge": token, "code": "000000"})
        assert_limited(elsewhere.post("/v1/auth/verify", json={"challenge": token, "code": "000000"}))
        signed_in = here.post("/v1/auth/password", json={"email": world.john.email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text

    def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(
        self, chat_db: Database, tight: Settings
    ) -> None:
        with client_for(chat_db, tight, address="127.0.0.1") as loopback:
            for n in range(8):
                body = {"email": f"user{n}@example.com", "password": "x"}
                headers = {"X-Forwarded-For": f"192.0.2.{n}"}
                assert loopback.post("/v1/auth/password", json=body, headers=headers).status_code == 401
            headers = {"X-Forwarded-For": "192.0.2.99"}
            body = {"email": "user9@example.com", "password": "x"}
            assert_limited(loopback.post("/v1/auth/password", json=body, headers=headers))

    def test_a_configured_proxy_names_the_client(self, chat_db: Database, tight: Settings) -> None:
        proxied = tight.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
        with client_for(chat_db, proxied, address="10.1.2.3") as proxy:
            for n in range(8):
                body = {"email": f"user{n}@example.com", "password": "x"}
                headers = {"X-Forwarded-For": "203.0.113.50, 192.0.2.1"}  # the client wrote the first one
                assert proxy.post("/v1/auth/password", json=body, headers=headers).status_code == 401
            body = {"email": "user9@example.com", "password": "x"}
            assert_limited(
                proxy.post("/v1/auth/password", json=body, headers={"X-Forwarded-For": "192.0.2.1"})
            )
            # Another client behind the same proxy has its own count.
            other = proxy.post("/v1/auth/password", json=body, headers={"X-Forwarded-For": "192.0.2.2"})
            assert other.status_code == 401

    def test_the_server_does_not_let_uvicorn_trust_forwarded_headers(self) -> None:
        from racehub.cli.serve import uvicorn_config

        config = uvicorn_config(object(), host="127.0.0.1", port=8099)
        assert config.proxy_headers is False
        assert config.access_log is False
