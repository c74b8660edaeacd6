"""The web page's login API: challenge → code (or password) → a session token used as Bearer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from racehub.db import Database
from tests.chat.world import PASSWORD, ChatWorld, bearer, chat, operator_rows, outbox_codes, reply

SHAMROCK = "How many runners finished the Shamrock Marathon in 2025?"


def challenge(client: TestClient, **body: str) -> dict[str, str]:
    response = client.post("/v1/auth/challenge", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestCodeLogin:
    def test_code_gives_a_session_that_chats_as_the_user(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        started = challenge(client, email=world.john.email)
        assert started["expires_in"] == 600
        assert "login code is on its way" in started["message"]
        assert "`" not in started["message"]  # the page shows it as plain text
        assert "Enter it below" in started["message"]
        code = outbox_codes(chat_db, world.john.email)[0]
        response = client.post("/v1/auth/verify", json={"challenge": started["challenge"], "code": code})
        assert response.status_code == 200, response.text
        session = response.json()
        assert session["token"].startswith("rhs_")
        assert session["token_type"] == "bearer"
        assert session["user"]["email"] == world.john.email
        assert session["user"]["organization"] == "Acme Racing"
        me = client.get("/v1/auth/me", headers=bearer(session["token"])).json()
        assert (me["kind"], me["name"]) == ("session", "John Carter")
        assert "820 finishers" in reply(chat(client, session["token"], SHAMROCK))
        stored = operator_rows(chat_db, "SELECT token_hash FROM login_sessions")
        assert session["token"] not in {row[0] for row in stored}

    def test_a_sentence_names_the_account_too(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        challenge(client, text="I'm Maria from Tidewater Timing")
        assert len(outbox_codes(chat_db, world.maria.email)) == 1

    def test_unknown_account_gets_the_same_answer(self, client: TestClient, world: ChatWorld) -> None:
        known = challenge(client, email=world.john.email)
        unknown = challenge(client, email="nobody@example.com")
        assert set(known) == set(unknown)
        assert len(known["challenge"]) == len(unknown["challenge"])
        assert unknown["message"] == known["message"].replace(world.john.email, "nobody@example.com")
        response = client.post("/v1/auth/verify", json={"challenge": unknown["challenge"], "code": "123456"})
        assert response.status_code == 401

    def test_a_used_code_is_rejected(self, client: TestClient, chat_db: Database, world: ChatWorld) -> None:
        started = challenge(client, email=world.john.email)
        code = outbox_codes(chat_db, world.john.email)[0]
        body = {"challenge": started["challenge"], "code": code}
        assert client.post("/v1/auth/verify", json=body).status_code == 200
        again = client.post("/v1/auth/verify", json=body)
        assert again.status_code == 401
        assert again.json()["error"] == "Unauthorized"

    def test_a_bad_claim_is_422(self, client: TestClient) -> None:
        assert client.post("/v1/auth/challenge", json={"text": "hello there"}).status_code == 422


class TestPasswordLogin:
    def test_right_password_gives_a_session(self, client: TestClient, world: ChatWorld) -> None:
        response = client.post("/v1/auth/password", json={"email": world.dave.email, "password": PASSWORD})
        assert response.status_code == 200
        assert response.json()["user"]["organization"] == "Summit Sports Timing"

    def test_wrong_password_and_unknown_account_read_the_same(
        self, client: TestClient, world: ChatWorld
    ) -> None:
        wrong = client.post("/v1/auth/password", json={"email": world.dave.email, "password": "nope"})
        unknown = client.post("/v1/auth/password", json={"email": "nobody@example.com", "password": "nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()


class TestSessions:
    def test_logout_ends_the_session(self, client: TestClient, world: ChatWorld) -> None:
        token = client.post(
            "/v1/auth/password", json={"email": world.john.email, "password": PASSWORD}
        ).json()["token"]
        assert client.post("/v1/auth/logout", headers=bearer(token)).status_code == 204
        assert client.get("/v1/auth/me", headers=bearer(token)).status_code == 401
        assert chat(client, token, SHAMROCK).status_code == 401

    def test_an_expired_session_is_401(self, client: TestClient, chat_db: Database, world: ChatWorld) -> None:
        token = client.post(
            "/v1/auth/password", json={"email": world.john.email, "password": PASSWORD}
        ).json()["token"]
        operator_rows(chat_db, "UPDATE login_sessions SET expires_at = now() - interval '1 s' RETURNING id")
        assert client.get("/v1/auth/me", headers=bearer(token)).status_code == 401

    def test_a_session_cannot_be_switched_by_chat(self, client: TestClient, world: ChatWorld) -> None:
        token = client.post(
            "/v1/auth/password", json={"email": world.john.email, "password": PASSWORD}
        ).json()["token"]
        said = reply(chat(client, token, "I'm Dave from Summit Sports Timing"))
        assert said.startswith("You are signed in as John Carter (Acme Racing) with this session")


class TestPageFiles:
    def test_the_page_and_its_icon(self, client: TestClient) -> None:
        page = client.get("/")
        icon = client.get("/favicon.ico")

        assert page.status_code == 200
        assert 'rel="icon"' in page.text
        assert icon.status_code == 200
        assert icon.headers["content-type"] == "image/svg+xml"
        assert icon.content.startswith(b"<svg")
