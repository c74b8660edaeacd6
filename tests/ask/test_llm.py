"""The LLM client against a local OpenAI-compatible server speaking the real HTTP protocol."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import openai
import pytest

from racehub.ask.llm import (
    SQL_SYSTEM_PROMPT,
    ChatReply,
    LLMBadReply,
    LLMClient,
    LLMDeclined,
    LLMProposal,
    LLMUnavailable,
    ToolCall,
    parse_sql_reply,
)
from racehub.errors import RaceHubError
from tests.fakes.openai_server import FakeOpenAI, Reply, ScriptedReply, fake_openai_server

MODEL = "llama3.1:8b"
TODAY = date(2025, 6, 1)
QUESTION = "What was the median finish time in the 10K at the Harbor Run last year?"
SCHEMA = (
    "q_results(race_id int, entry_id int, finish_s numeric -- net finish time in seconds)\n"
    "q_races(race_id int, edition_id int, name text -- e.g. '10K')"
)
GLOSSARY = "net time: chip start to finish. DNF: did not finish."
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "ask_race_data",
            "description": "Answer a question about race results.",
            "parameters": {"type": "object", "properties": {"question": {"type": "string"}}},
        },
    }
]
SQL = "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY finish_s) FROM q_results"


def client_for(
    server: FakeOpenAI, *, api_key: str | None = None, timeout_s: float = 5.0, health_ttl_s: float = 5.0
) -> LLMClient:
    return LLMClient(server.base_url, MODEL, api_key, timeout_s, health_ttl_s=health_ttl_s)


def ask(server: FakeOpenAI) -> LLMProposal:
    return client_for(server).propose_sql(QUESTION, SCHEMA, GLOSSARY, TODAY)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def down_url() -> str:
    return f"http://127.0.0.1:{unused_port()}/v1"


class TestProposeSql:
    def test_sql_in_a_code_block(self) -> None:
        reply = f"Here you go:\n```sql\n{SQL};\n```\nThis takes the median of net finish times."
        with fake_openai_server([reply]) as server:
            proposal = ask(server)
        assert proposal == LLMProposal(
            sql=SQL, explanation="Here you go: This takes the median of net finish times."
        )

    def test_sql_in_json(self) -> None:
        reply = json.dumps({"sql": SQL, "explanation": "Median of finish_s."})
        with fake_openai_server([reply]) as server:
            assert ask(server) == LLMProposal(sql=SQL, explanation="Median of finish_s.")

    def test_sql_in_a_json_code_block(self) -> None:
        reply = "```json\n" + json.dumps({"sql": SQL + ";"}) + "\n```"
        with fake_openai_server([reply]) as server:
            assert ask(server) == LLMProposal(sql=SQL, explanation="")

    def test_reasoning_before_the_answer_is_ignored(self) -> None:
        reply = f"<think>Maybe SELECT * FROM pg_authid?</think>\n```sql\n{SQL}\n```"
        with fake_openai_server([reply]) as server:
            assert ask(server) == LLMProposal(sql=SQL, explanation="")

    def test_junk_reply_is_a_bad_reply(self) -> None:
        with fake_openai_server(["I am not sure what you mean, could you rephrase?"]) as server:
            with pytest.raises(LLMBadReply, match="no SQL"):
                ask(server)

    def test_model_declining_is_a_bad_reply_with_its_reason(self) -> None:
        with fake_openai_server(["CANNOT_ANSWER: the views hold no weather data"]) as server:
            with pytest.raises(LLMDeclined, match="no weather data") as caught:
                ask(server)
        assert isinstance(caught.value, LLMBadReply)

    def test_json_with_null_sql_is_declined(self) -> None:
        reply = json.dumps({"sql": None, "explanation": "There is no weather data."})
        with fake_openai_server([reply]) as server, pytest.raises(LLMDeclined, match="no weather"):
            ask(server)

    def test_empty_reply_is_a_bad_reply(self) -> None:
        with fake_openai_server([ScriptedReply(content=None)]) as server, pytest.raises(LLMBadReply):
            ask(server)


class TestWhatTheModelIsShown:
    """The model gets the schema text, glossary, date and question, and nothing else: no data rows."""

    def test_request_is_exactly_the_prompt_and_the_question(self) -> None:
        with fake_openai_server([f"```sql\n{SQL}\n```"]) as server:
            ask(server)
        (body,) = server.chat_requests
        system = SQL_SYSTEM_PROMPT.format(
            today="2025-06-01", cannot="CANNOT_ANSWER", schema=SCHEMA, glossary=GLOSSARY
        )
        assert body["messages"] == [
            {"role": "system", "content": system},
            {"role": "user", "content": QUESTION},
        ]
        assert body["model"] == MODEL
        assert body["temperature"] == 0
        assert "tools" not in body

    def test_system_prompt_carries_schema_glossary_and_today(self) -> None:
        with fake_openai_server([f"```sql\n{SQL}\n```"]) as server:
            ask(server)
        system = server.chat_requests[0]["messages"][0]["content"]
        assert SCHEMA in system
        assert GLOSSARY in system
        assert "DATE '2025-06-01'" in system

    def test_api_key_is_sent_as_bearer_token(self) -> None:
        with fake_openai_server([f"```sql\n{SQL}\n```"], api_key="sk-test") as server:
            client_for(server, api_key="sk-test").propose_sql(QUESTION, SCHEMA, GLOSSARY, TODAY)
        assert server.requests[0].headers["authorization"] == "Bearer sk-test"


class TestUnavailable:
    def test_server_down(self, down_url: str) -> None:
        client = LLMClient(down_url, MODEL, None, timeout_s=2.0)
        with pytest.raises(LLMUnavailable, match="cannot be reached") as caught:
            client.propose_sql(QUESTION, SCHEMA, GLOSSARY, TODAY)
        assert isinstance(caught.value, RaceHubError)
        assert caught.value.status == 503

    def test_timeout(self) -> None:
        with fake_openai_server([ScriptedReply(content=SQL, delay_s=1.5)]) as server:
            with pytest.raises(LLMUnavailable, match="timed out"):
                client_for(server, timeout_s=0.2).propose_sql(QUESTION, SCHEMA, GLOSSARY, TODAY)

    @pytest.mark.parametrize("status", [500, 503, 429])
    def test_server_error(self, status: int) -> None:
        with fake_openai_server([ScriptedReply(status_code=status)]) as server:
            with pytest.raises(LLMUnavailable, match=f"HTTP {status}"):
                ask(server)

    def test_unknown_model(self) -> None:
        with fake_openai_server(["unused"], models=["qwen2.5:7b"]) as server:
            with pytest.raises(LLMUnavailable, match="HTTP 404"):
                ask(server)

    def test_wrong_api_key(self) -> None:
        with fake_openai_server(["unused"], api_key="right") as server:
            with pytest.raises(LLMUnavailable, match="HTTP 401"):
                client_for(server, api_key="wrong").propose_sql(QUESTION, SCHEMA, GLOSSARY, TODAY)


class TestAvailable:
    def test_true_when_the_server_answers(self) -> None:
        with fake_openai_server() as server:
            assert client_for(server).available() is True
        assert [r.path for r in server.requests] == ["/v1/models"]

    def test_false_when_the_server_is_down(self, down_url: str) -> None:
        assert LLMClient(down_url, MODEL, None, timeout_s=2.0).available() is False

    def test_result_is_cached(self) -> None:
        with fake_openai_server() as server:
            client = client_for(server, health_ttl_s=60)
            assert client.available()
            assert client.available()
        assert len(server.requests) == 1

    def test_cache_expires(self) -> None:
        with fake_openai_server() as server:
            client = client_for(server, health_ttl_s=0)
            assert client.available()
            assert client.available()
        assert len(server.requests) == 2

    def test_failed_request_clears_the_cache(self, down_url: str) -> None:
        with fake_openai_server([ScriptedReply(status_code=503)]) as server:
            client = client_for(server, health_ttl_s=60)
            assert client.available()
            with pytest.raises(LLMUnavailable):
                client.propose_sql(QUESTION, SCHEMA, GLOSSARY, TODAY)
            assert client.available()
        assert [r.path for r in server.requests] == ["/v1/models", "/v1/chat/completions", "/v1/models"]


class TestChat:
    def test_text_reply(self) -> None:
        with fake_openai_server(["Hello, how can I help?"]) as server:
            reply = client_for(server).chat([{"role": "user", "content": "hi"}])
        assert reply == ChatReply(content="Hello, how can I help?", tool_calls=[], finish_reason="stop")

    def test_tool_calls_and_tools_are_passed_through(self) -> None:
        call = {"id": "call_1", "name": "ask_race_data", "arguments": {"question": "who won?"}}
        with fake_openai_server([ScriptedReply(tool_calls=[call])]) as server:
            reply = client_for(server).chat([{"role": "user", "content": "who won?"}], tools=TOOLS)
        assert reply.content is None
        assert reply.finish_reason == "tool_calls"
        assert reply.tool_calls == [
            ToolCall(id="call_1", name="ask_race_data", arguments='{"question": "who won?"}')
        ]
        assert server.chat_requests[0]["tools"] == TOOLS

    def test_conversation_is_sent_as_given(self) -> None:
        messages = [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "who won?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "ask_race_data", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "3 finishers"},
        ]
        with fake_openai_server(["Three people finished."]) as server:
            assert client_for(server).chat(messages).content == "Three people finished."
        assert server.chat_requests[0]["messages"] == messages

    def test_server_down(self, down_url: str) -> None:
        with pytest.raises(LLMUnavailable):
            LLMClient(down_url, MODEL, None, timeout_s=2.0).chat([{"role": "user", "content": "hi"}])


class TestParseSqlReply:
    @pytest.mark.parametrize(
        ("reply", "sql"),
        [
            ("SELECT 1;", "SELECT 1"),
            ("<think>\nThe user wants...\n</think>\nSELECT 5", "SELECT 5"),
            ("select name from q_races\n\nThis lists races.", "select name from q_races"),
            ("```\nWITH a AS (SELECT 1) SELECT * FROM a\n```", "WITH a AS (SELECT 1) SELECT * FROM a"),
            ("```postgresql\nSELECT 2\n```", "SELECT 2"),
            ('```json\n{"sql": "SELECT 3", "explanation": "x"}\n```', "SELECT 3"),
            ("```python\nprint(1)\n```\n```sql\nSELECT 4\n```", "SELECT 4"),
            ("```sql SELECT 6```", "SELECT 6"),
            ("```SELECT 7\nFROM q_races```", "SELECT 7\nFROM q_races"),
            ("```\nSELECT\n  name\nFROM q_races\n```", "SELECT\n  name\nFROM q_races"),
            ("Here:\n```sql\nSELECT 8 FROM q_races WHERE", "SELECT 8 FROM q_races WHERE"),
        ],
    )
    def test_extracts(self, reply: str, sql: str) -> None:
        assert parse_sql_reply(reply).sql == sql

    @pytest.mark.parametrize(
        "reply",
        ["", "   ", "Sorry, I can't.", "```python\nprint(1)\n```", '{"answer": 42}', "<think>x</think>"],
    )
    def test_rejects(self, reply: str) -> None:
        with pytest.raises(LLMBadReply):
            parse_sql_reply(reply)

    def test_sql_is_returned_unchecked_for_the_guard(self) -> None:
        # Extraction is not validation: a hostile query comes back as text for guard_sql to refuse.
        assert parse_sql_reply("```sql\nDELETE FROM q_results\n```").sql == "DELETE FROM q_results"


class TestFakeServerProtocol:
    """The fake speaks the wire format real clients parse, including server-sent events."""

    @pytest.fixture
    def server(self) -> Iterator[FakeOpenAI]:
        replies: list[Reply] = [
            "one two three",
            ScriptedReply(tool_calls=[{"name": "f", "arguments": {"a": "x" * 40}}]),
        ]
        with fake_openai_server(replies) as running:
            yield running

    def test_non_streaming_completion_object(self, server: FakeOpenAI) -> None:
        body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
        data = httpx.post(f"{server.base_url}/chat/completions", json=body).json()
        assert data["object"] == "chat.completion"
        assert data["id"].startswith("chatcmpl-")
        assert isinstance(data["created"], int)
        assert data["model"] == MODEL
        assert data["choices"] == [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "one two three", "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ]
        assert set(data["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}

    def test_streaming_events(self, server: FakeOpenAI) -> None:
        body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True}
        response = httpx.post(f"{server.base_url}/chat/completions", json=body)
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line.removeprefix("data: ") for line in response.text.split("\n\n") if line]
        assert events[-1] == "[DONE]"
        chunks = [json.loads(event) for event in events[:-1]]
        assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
        assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
        text = "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks)
        assert text == "one two three"
        assert [chunk["choices"][0]["finish_reason"] for chunk in chunks][-1] == "stop"
        assert all(chunk["choices"][0]["finish_reason"] is None for chunk in chunks[:-1])

    def test_streaming_through_the_sdk_with_tool_calls(self, server: FakeOpenAI) -> None:
        sdk = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
        messages: Any = [{"role": "user", "content": "hi"}]
        first = sdk.chat.completions.create(model=MODEL, messages=messages, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in first) == "one two three"
        second = sdk.chat.completions.create(model=MODEL, messages=messages, stream=True)
        arguments, finish = "", None
        for chunk in second:
            for call in chunk.choices[0].delta.tool_calls or []:
                arguments += (call.function.arguments if call.function else None) or ""
            finish = chunk.choices[0].finish_reason or finish
        assert json.loads(arguments) == {"a": "x" * 40}
        assert finish == "tool_calls"

    def test_models_listing(self, server: FakeOpenAI) -> None:
        data = httpx.get(f"{server.base_url}/models").json()
        assert data["object"] == "list"
        assert [model["id"] for model in data["data"]] == [MODEL]

    def test_replies_from_a_function_of_the_request(self) -> None:
        def echo(body: dict[str, Any]) -> str:
            return f"you said {body['messages'][-1]['content']}"

        with fake_openai_server(echo) as server:
            reply = client_for(server).chat([{"role": "user", "content": "hello"}])
        assert reply.content == "you said hello"

    def test_running_out_of_replies_is_an_error(self) -> None:
        with fake_openai_server([]) as server, pytest.raises(LLMUnavailable, match="HTTP 500"):
            client_for(server).chat([{"role": "user", "content": "hi"}])
