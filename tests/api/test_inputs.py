"""What the network hands RaceHub (issue 11, items 1 and 5): control characters are a 422 naming the
field, bodies past the limit a 413 before they are read, and an unexpected error is one log line that
carries no parameter, local variable or message."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from racehub.app import create_app
from racehub.config import Settings
from racehub.db import Database
from racehub.logging import configure_logging
from tests.api.world import World, auth
from tests.conftest import reset_logging


class TestControlCharacters:
    def test_a_nul_in_an_unauthenticated_body_is_a_422_naming_the_field(self, client: TestClient) -> None:
        reply = client.post("/v1/auth/challenge", json={"email": "x\u0000@example.com"})
        assert reply.status_code == 422
        assert reply.json() == {
            "error": "InvalidInput",
            "detail": "email (body): control character U+0000 is not allowed",
        }

    def test_a_nul_in_a_query_parameter_is_a_422_naming_it(self, client: TestClient, world: World) -> None:
        reply = client.get("/v1/events?name=Bos%00ton", headers=auth(world.a.viewer_key))
        assert reply.status_code == 422
        assert reply.json()["detail"] == "name (query): control character U+0000 is not allowed"

    def test_a_control_character_in_the_path_is_a_422(self, client: TestClient, world: World) -> None:
        reply = client.get("/v1/persons/1%01", headers=auth(world.a.viewer_key))
        assert reply.status_code == 422
        assert reply.json()["detail"] == "path: control character U+0001 is not allowed"

    def test_nested_fields_are_named_and_line_breaks_are_text(self, client: TestClient, world: World) -> None:
        body = {"model": "racehub", "messages": [{"role": "user", "content": "hi\n\tthere\u0007"}]}
        reply = client.post("/v1/chat/completions", json=body, headers=auth(world.a.viewer_key))
        assert reply.status_code == 422
        assert reply.json()["error"]["message"] == (
            "messages.0.content (body): control character U+0007 is not allowed"
        )
        body["messages"][0]["content"] = "How many events\ndo I have?"
        assert (
            client.post("/v1/chat/completions", json=body, headers=auth(world.a.viewer_key)).status_code
            == 200
        )

    def test_a_lone_surrogate_is_refused_too(self, client: TestClient) -> None:
        raw = b'{"email": "x\\ud800@example.com"}'
        reply = client.post("/v1/auth/challenge", content=raw, headers={"Content-Type": "application/json"})
        assert reply.status_code == 422
        assert reply.json()["detail"] == "email (body): control character U+D800 is not allowed"

    def test_a_number_past_bigint_is_a_422_not_a_500(self, client: TestClient, world: World) -> None:
        reply = client.get("/v1/persons/99999999999999999999", headers=auth(world.a.viewer_key))
        assert reply.status_code == 422, reply.text
        assert reply.json()["error"] == "InvalidInput"


def _call(app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int]:
    """Send a POST through `app` chunk by chunk: (status, how many chunks the app asked for)."""
    asked = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        if asked <= len(chunks):
            return {"type": "http.request", "body": chunks[asked - 1], "more_body": asked < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/auth/challenge",
        "raw_path": b"/v1/auth/challenge",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    return status, asked


class TestBodyLimit:
    def test_a_declared_length_over_the_limit_is_413_before_any_byte_is_read(
        self, world_database: Database, test_settings: Settings
    ) -> None:
        settings = test_settings.model_copy(update={"max_body_bytes": 1000})
        app = create_app(world_database, settings)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"200000000")]
        assert _call(app, headers, [b"{"] * 3) == (413, 0)

    def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(
        self, world_database: Database, test_settings: Settings
    ) -> None:
        settings = test_settings.model_copy(update={"max_body_bytes": 1000})
        app = create_app(world_database, settings)
        chunks = [b'{"email": "' + b"a" * 600, b"a" * 600, b"a" * 600, b'"}']
        status, asked = _call(app, [(b"content-type", b"application/json")], chunks)
        assert (status, asked) == (413, 2)

    def test_a_body_within_the_limit_goes_through(self, client: TestClient) -> None:
        reply = client.post("/v1/auth/challenge", json={"email": "nobody@example.com"})
        assert reply.status_code == 200

    def test_the_default_limit_refuses_a_large_body(self, client: TestClient) -> None:
        big = json.dumps({"email": "a" * (5 * 1024 * 1024)})
        reply = client.post("/v1/auth/challenge", content=big, headers={"Content-Type": "application/json"})
        assert reply.status_code == 413
        assert reply.json()["error"] == "PayloadTooLarge"


class TestUnexpectedErrors:
    def test_logged_by_type_and_place_never_message_locals_or_parameters(
        self, world_database: Database, capsys: pytest.CaptureFixture[str]
    ) -> None:
        app: FastAPI = create_app(world_database)
        router = APIRouter()

        @router.get("/boom")
        def boom(name: str) -> None:
            runner = f"Jane {name}"  # a local that must never reach a log
            raise ValueError(f"no runner called {runner}")

        app.include_router(router)
        configure_logging("INFO", json=False)
        try:
            with TestClient(app, raise_server_exceptions=False) as test_client:
                reply = test_client.get("/boom?name=Secretname")
        finally:
            reset_logging()
        logged = capsys.readouterr().err
        assert reply.status_code == 500
        assert reply.json() == {"error": "InternalError", "detail": "internal error"}
        assert "unhandled error" in logged
        assert "ValueError" in logged
        assert "test_inputs.py" in logged  # where it was raised
        assert "Secretname" not in logged
        assert "Traceback" not in logged

    def test_the_guard_sits_in_front_of_every_endpoint(self, world_database: Database) -> None:
        from racehub.inputs import InputGuard

        app = create_app(world_database)
        assert InputGuard in [m.cls for m in app.user_middleware]
