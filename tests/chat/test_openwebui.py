"""Open WebUI's identity (security.md case 19): only its signed JWT counts, plain headers are ignored, and
an Open WebUI account is trusted as a RaceHub user only once a code mailed to that user linked it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, ClassVar

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from racehub.config import Settings
from racehub.db import Database
from tests.chat.world import ChatWorld, bearer, chat, client_for, outbox_codes, raw_reply, reply

SECRET = "owui-forwarding-secret-0123456789abcdef"
SHAMROCK = "How many runners finished the Shamrock Marathon in 2025?"


def token(email: str, *, secret: str = SECRET, expires_in: int = 300, **claims: Any) -> str:
    payload = {
        "sub": "owui-user-1",
        "email": email,
        "name": "Somebody",
        "role": "user",
        "iss": "open-webui",
        "exp": int(time.time()) + expires_in,
        **claims,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def unsigned(email: str) -> str:
    return jwt.encode(
        {"sub": "x", "email": email, "iss": "open-webui", "exp": int(time.time()) + 300},
        None,
        algorithm="none",
    )


@pytest.fixture
def owui(chat_db: Database, test_settings: Settings) -> Iterator[TestClient]:
    settings = test_settings.model_copy(update={"openwebui_jwt_secret": SecretStr(SECRET)})
    with client_for(chat_db, settings) as test_client:
        yield test_client


def with_jwt(value: str) -> dict[str, str]:
    return {"X-OpenWebUI-User-Jwt": value, "X-OpenWebUI-Chat-Id": "owui-chat-1"}


class TestSignedHeader:
    def test_a_new_open_webui_account_is_linked_by_a_code_then_trusted_by_its_sub(
        self, owui: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        headers = with_jwt(token(world.john.email.upper()))
        said = reply(chat(owui, world.connector_key, SHAMROCK, chat_id="owui-chat-1", headers=headers))
        assert said.startswith("Your Open WebUI account says you are john@acmeracing.example")
        assert "finishers" not in said
        me = owui.get("/v1/auth/me", headers=bearer(world.connector_key, **headers)).json()
        assert me["email"] is None
        code = outbox_codes(chat_db, world.john.email)[0]
        said = reply(chat(owui, world.connector_key, code, chat_id="owui-chat-1", headers=headers))
        assert "signed in as John Carter" in said
        assert "820 finishers" in said  # the question asked before the link, answered now
        # From now on that Open WebUI account is John, in any chat, with no code.
        again = {**headers, "X-OpenWebUI-Chat-Id": "owui-chat-2"}
        assert "820 finishers" in reply(
            chat(owui, world.connector_key, SHAMROCK, chat_id="c9", headers=again)
        )
        me = owui.get("/v1/auth/me", headers=bearer(world.connector_key, **headers)).json()
        assert (me["email"], me["via"]) == (world.john.email, "openwebui")

    def test_someone_who_signs_up_with_a_staff_email_gets_no_data(
        self, owui: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        # An Open WebUI admin turned self-signup on; a stranger registered with John's address.
        headers = with_jwt(token(world.john.email, sub="self-signed-up"))
        said = reply(chat(owui, world.connector_key, SHAMROCK, chat_id="s1", headers=headers))
        assert "finishers" not in said
        for guess in ("000000", "123456"):
            said = reply(chat(owui, world.connector_key, guess, chat_id="s1", headers=headers))
            assert "finishers" not in said
            assert "signed in" not in said
        me = owui.get("/v1/auth/me", headers=bearer(world.connector_key, **headers)).json()
        assert me["email"] is None

    def test_a_secret_mismatch_says_so(self, owui: TestClient, world: ChatWorld) -> None:
        wrong = token(world.john.email, secret="not-the-secret-but-just-as-long-0123456")
        response = chat(owui, world.connector_key, SHAMROCK, headers=with_jwt(wrong))
        assert response.status_code == 401
        assert "RACEHUB_OPENWEBUI_JWT_SECRET" in response.json()["error"]["message"]
        assert "FORWARD_USER_INFO_HEADER_JWT_SECRET" in response.json()["error"]["message"]

    def test_a_header_valid_for_years_is_refused(self, owui: TestClient, world: ChatWorld) -> None:
        forever = token(world.john.email, expires_in=10 * 365 * 24 * 3600)
        response = chat(owui, world.connector_key, SHAMROCK, headers=with_jwt(forever))
        assert response.status_code == 401
        assert "valid for longer than" in response.json()["error"]["message"]

    @pytest.mark.parametrize(
        "forged",
        [
            pytest.param(
                lambda email: token(email, secret="not-the-secret-but-just-as-long-0123456"),
                id="wrong secret",
            ),
            pytest.param(unsigned, id="alg none"),
            pytest.param(lambda email: token(email, expires_in=-120), id="expired"),
            pytest.param(lambda email: token(email, iss="someone-else"), id="wrong issuer"),
            pytest.param(
                lambda email: jwt.encode({"email": email, "iss": "open-webui"}, SECRET), id="no exp"
            ),
            pytest.param(lambda email: "not.a.jwt", id="garbage"),
        ],
    )
    def test_anything_not_provably_signed_is_401(
        self, owui: TestClient, world: ChatWorld, forged: Any
    ) -> None:
        response = chat(owui, world.connector_key, SHAMROCK, headers=with_jwt(forged(world.john.email)))
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "authentication_error"
        assert response.json()["error"]["code"] == "Unauthorized"
        assert "820" not in response.text

    def test_without_a_configured_secret_a_jwt_is_401(self, client: TestClient, world: ChatWorld) -> None:
        response = chat(client, world.connector_key, SHAMROCK, headers=with_jwt(token(world.john.email)))
        assert response.status_code == 401

    def test_an_unknown_email_gets_login_help_and_no_data(self, owui: TestClient, world: ChatWorld) -> None:
        said = reply(
            chat(owui, world.connector_key, SHAMROCK, headers=with_jwt(token("stranger@example.com")))
        )
        assert "is not a RaceHub user" in said
        assert "I'm Jane from Acme Racing" in said
        assert "finishers" not in said


class TestPlainHeadersAreIgnored:
    FORGED: ClassVar[dict[str, str]] = {
        "X-OpenWebUI-User-Email": "john@acmeracing.example",
        "X-OpenWebUI-User-Name": "John Carter",
        "X-OpenWebUI-User-Id": "1",
        "X-OpenWebUI-User-Role": "admin",
    }

    def test_a_connector_with_forged_headers_is_nobody(self, owui: TestClient, world: ChatWorld) -> None:
        said = reply(chat(owui, world.connector_key, SHAMROCK, headers=self.FORGED))
        assert "I'm Jane from Acme Racing" in said
        assert "finishers" not in said

    def test_a_personal_key_stays_its_owner(self, owui: TestClient, world: ChatWorld) -> None:
        headers = {**self.FORGED, "X-OpenWebUI-User-Jwt": token(world.john.email)}
        me = owui.get("/v1/auth/me", headers=bearer(world.maria.key, **headers)).json()
        assert (me["email"], me["via"]) == (world.maria.email, "api_key")


class TestConnectorKey:
    def test_opens_no_other_endpoint(self, client: TestClient, world: ChatWorld) -> None:
        assert client.get("/v1/events", headers=bearer(world.connector_key)).status_code == 401
        assert client.get("/v1/events", headers=bearer(world.john.key)).status_code == 200

    def test_conversations_without_a_chat_id_are_told_apart_by_their_secret(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        claim = "I'm John Carter from Acme Racing"
        first = raw_reply(chat(client, world.connector_key, claim))
        code = outbox_codes(chat_db, world.john.email)[0]
        said = raw_reply(chat(client, world.connector_key, claim, first, code))
        assert "signed in as John Carter" in said
        # Someone else opening with the same words is a new, unverified conversation.
        other = raw_reply(chat(client, world.connector_key, claim))
        assert other != first
        stranger = reply(chat(client, world.connector_key, claim, other, code, "a reply", SHAMROCK))
        assert "finishers" not in stranger
        followed = reply(chat(client, world.connector_key, claim, first, code, said, SHAMROCK))
        assert "820 finishers" in followed
