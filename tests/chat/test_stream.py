"""The OpenAI wire format: /v1/models, streamed chunks exactly as OpenAI sends them, and plain replies."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

from racehub.chat.stream import pieces
from racehub.config import Settings
from racehub.db import Database
from racehub.integrations.simulators.kit import start_server_thread
from tests.chat.test_assistant import OPEN_QUESTION, assistant_script
from tests.chat.world import ChatWorld, bearer, chat, make_app, sse_events
from tests.fakes.openai_server import ScriptedReply, fake_openai_server

QUESTION = "How many runners finished the Shamrock Marathon in 2025?"


class TestModels:
    def test_lists_one_racehub_model(self, client: TestClient, world: ChatWorld) -> None:
        response = client.get("/v1/models", headers=bearer(world.connector_key))
        assert response.status_code == 200
        body = response.json()
        assert body["object"] == "list"
        assert [(m["id"], m["object"], m["owned_by"]) for m in body["data"]] == [
            ("racehub", "model", "racehub")
        ]
        assert isinstance(body["data"][0]["created"], int)

    def test_needs_a_credential(self, client: TestClient) -> None:
        response = client.get("/v1/models")
        assert response.status_code == 401
        # OpenAI's error shape, which clients such as Open WebUI show.
        assert response.json()["error"]["code"] == "Unauthorized"
        assert response.json()["error"]["type"] == "authentication_error"
        assert "Authorization: Bearer" in response.json()["error"]["message"]
        assert client.get("/v1/models", headers=bearer("rh_not-a-key")).status_code == 401


class TestStreaming:
    def test_chunks_are_openai_chunks_ending_in_done(self, client: TestClient, world: ChatWorld) -> None:
        response = chat(client, world.john.key, QUESTION, stream=True)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        assert response.text.endswith("data: [DONE]\n\n")
        events = sse_events(response.text)
        assert events[-1] == "[DONE]"
        chunks = events[:-1]
        ids = {c["id"] for c in chunks}
        assert len(ids) == 1
        assert ids.pop().startswith("chatcmpl-")
        for c in chunks:
            assert c["object"] == "chat.completion.chunk"
            assert c["model"] == "racehub"
            assert isinstance(c["created"], int)
            assert len(c["choices"]) == 1
            assert c["choices"][0]["index"] == 0
        first, deltas, last = chunks[0], chunks[1:-1], chunks[-1]
        assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
        assert first["choices"][0]["finish_reason"] is None
        assert len(deltas) >= 3
        assert all(set(d["choices"][0]["delta"]) == {"content"} for d in deltas)
        assert all(d["choices"][0]["finish_reason"] is None for d in deltas)
        assert last["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
        content = "".join(d["choices"][0]["delta"]["content"] for d in deltas)
        assert "finishers" in content
        assert "<details><summary>SQL</summary>" in content

    def test_streamed_and_plain_replies_say_the_same(self, client: TestClient, world: ChatWorld) -> None:
        streamed = sse_events(chat(client, world.john.key, QUESTION, stream=True, chat_id="s1").text)
        content = "".join(c["choices"][0]["delta"].get("content", "") for c in streamed[:-1])
        plain = chat(client, world.john.key, QUESTION, chat_id="s2").json()
        assert content == plain["choices"][0]["message"]["content"]

    def test_usage_chunk_when_asked_for(self, client: TestClient, world: ChatWorld) -> None:
        body = {
            "model": "racehub",
            "stream": True,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": QUESTION}],
        }
        response = client.post("/v1/chat/completions", json=body, headers=bearer(world.john.key))
        events = sse_events(response.text)
        usage = events[-2]
        assert usage["choices"] == []
        assert (
            usage["usage"]["total_tokens"]
            == usage["usage"]["prompt_tokens"] + usage["usage"]["completion_tokens"]
        )
        assert all(c["usage"] is None for c in events[:-2])


class TestPlainReply:
    def test_is_a_chat_completion_with_usage(self, client: TestClient, world: ChatWorld) -> None:
        body = chat(client, world.john.key, QUESTION).json()
        assert body["object"] == "chat.completion"
        assert body["id"].startswith("chatcmpl-")
        assert body["model"] == "racehub"
        (choice,) = body["choices"]
        assert choice["index"] == 0
        assert choice["finish_reason"] == "stop"
        assert choice["message"]["role"] == "assistant"
        assert "finishers" in choice["message"]["content"]
        assert body["usage"]["completion_tokens"] > 0
        assert (
            body["usage"]["total_tokens"]
            == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
        )

    def test_content_parts_are_read_like_strings(self, client: TestClient, world: ChatWorld) -> None:
        body = {
            "model": "racehub",
            "messages": [
                {"role": "system", "content": "You are helpful."},
                {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
            ],
        }
        response = client.post("/v1/chat/completions", json=body, headers=bearer(world.john.key))
        assert "finishers" in response.json()["choices"][0]["message"]["content"]

    def test_no_user_message_is_a_422(self, client: TestClient, world: ChatWorld) -> None:
        body = {"model": "racehub", "messages": [{"role": "system", "content": "hi"}]}
        response = client.post("/v1/chat/completions", json=body, headers=bearer(world.john.key))
        assert response.status_code == 422
        assert response.json() == {
            "error": {
                "message": "messages: the last user message is empty",
                "type": "invalid_request_error",
                "code": "InvalidInput",
            }
        }


class TestPieces:
    def test_deltas_join_back_exactly(self) -> None:
        text = "A  table:\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n" + "word " * 40
        parts = pieces(text)
        assert "".join(parts) == text
        assert len(parts) > 3
        assert all(len(p) <= 60 for p in parts)


class TestSlowRepliesStreamAsTheyAreMade:
    def test_the_tools_table_arrives_while_the_model_is_still_thinking(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        script = assistant_script(
            [
                ScriptedReply(tool_calls=[{"name": "ask", "arguments": {"question": QUESTION}}]),
                ScriptedReply(content="That is the count for 2025.", delay_s=2.0),
            ]
        )
        with fake_openai_server(script) as llm:
            settings = test_settings.model_copy(
                update={"llm_enabled": True, "llm_base_url": llm.base_url, "llm_timeout_s": 10.0}
            )
            server = start_server_thread(make_app(chat_db, settings))
            try:
                arrivals = _streamed(server.url, world.john.key, OPEN_QUESTION)
            finally:
                server.stop()

        started = arrivals[0][0]
        role_at = next(
            t
            for t, e in arrivals
            if e != "[DONE]" and isinstance(e, dict) and e["choices"] and e["choices"][0]["delta"].get("role")
        )
        table_at = next(t for t, e in arrivals if "</details>" in _content(e))
        done_at = next(t for t, e in arrivals if e == "[DONE]")
        text = "".join(_content(e) for _t, e in arrivals)
        assert role_at - started < 1.5  # the reply begins at once
        assert done_at - table_at > 1.5  # the table came while the model was still working
        assert text.startswith("_Read as: Number of finishers")
        assert "\n\n820 finishers — " in text
        assert text.endswith("That is the count for 2025.")

    def test_a_quick_reply_still_fails_with_its_status(self, client: TestClient) -> None:
        body = {"model": "racehub", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
        assert client.post("/v1/chat/completions", json=body).status_code == 401


def _content(event: Any) -> str:
    if not isinstance(event, dict) or not event.get("choices"):
        return ""
    return str(event["choices"][0]["delta"].get("content") or "")


def _streamed(url: str, key: str, question: str) -> list[tuple[float, Any]]:
    """(arrival time, event) for every server-sent event, the request's start first (event None)."""
    body = {"model": "racehub", "stream": True, "messages": [{"role": "user", "content": question}]}
    arrivals: list[tuple[float, Any]] = [(time.monotonic(), None)]
    with httpx.stream(
        "POST", f"{url}/v1/chat/completions", json=body, headers=bearer(key), timeout=30
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: "):
                data = line.removeprefix("data: ")
                arrivals.append((time.monotonic(), data if data == "[DONE]" else json.loads(data)))
    return arrivals
