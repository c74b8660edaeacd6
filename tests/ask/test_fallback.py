"""The language-model fallback over a real HTTP round trip to a scripted OpenAI-compatible server.

The model proposes SQL; the guard decides what runs; it runs like every other answer (read-only, as the
asking tenant). The model is shown the view schema, never rows.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from racehub.ask.answer import Answer
from racehub.ask.engine import AskEngine
from racehub.ask.fallback import SCHEMA
from racehub.ask.llm import LLMClient
from racehub.config import Settings
from racehub.db import Database, Scope
from tests.ask.answers import ask, explain, table_counts
from tests.ask.bundle_reference import Bundle
from tests.fakes.openai_server import FakeOpenAI, Reply, fake_openai_server

MODEL = "test"
# A question the parser cannot read (no event, no figure it knows): it goes to the model.
AREA_CODES = "Which phone area codes appear most often among entrants?"
GOOD_SQL = (
    "SELECT substring(phone from 2 for 3) AS area_code, count(*) AS entrants FROM q_entries "
    "GROUP BY substring(phone from 2 for 3) ORDER BY entrants DESC, area_code LIMIT 5"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def fenced(sql: str) -> str:
    return f"Here is a query:\n```sql\n{sql}\n```\nIt answers the question."


@contextmanager
def llm_engine(
    bundle_db: Database, settings: Settings, replies: list[Reply]
) -> Iterator[tuple[AskEngine, FakeOpenAI]]:
    with fake_openai_server(replies, models=[MODEL]) as server:
        client = LLMClient(base_url=server.base_url, model=MODEL, api_key=None, timeout_s=5)
        yield AskEngine(bundle_db, settings, client), server


def area_codes(bundle: Bundle, org_id: str | None = None) -> Counter[str]:
    return Counter(e.phone[1:4] for e in bundle.entries if org_id is None or e.race.event.org_id == org_id)


def assert_top_area_codes(answer: Answer, expected: Counter[str]) -> None:
    assert answer.status == "answered", explain(answer)
    assert answer.engine == "llm", explain(answer)
    assert answer.columns == ["area_code", "entrants"]
    assert 0 < len(answer.rows) <= 5
    assert all(expected[code] == count for code, count in answer.rows), explain(answer)
    assert answer.rows[0][1] == max(expected.values())


class TestParserOnly:
    def test_without_a_model_the_question_is_unanswerable(self, engine: AskEngine) -> None:
        answer = ask(engine, AREA_CODES)
        assert answer.status == "unanswerable", explain(answer)
        assert answer.columns == ["example"]


class TestGoodProposal:
    def test_the_proposed_select_answers(
        self, bundle_db: Database, llm_settings: Settings, bundle: Bundle
    ) -> None:
        with llm_engine(bundle_db, llm_settings, [fenced(GOOD_SQL)]) as (engine, _):
            answer = ask(engine, AREA_CODES)
        assert_top_area_codes(answer, area_codes(bundle))
        assert answer.sql is not None
        assert "q_entries" in answer.sql

    def test_the_proposed_select_runs_as_the_tenant(
        self, bundle_db: Database, llm_settings: Settings, bundle: Bundle, org_ids: dict[str, int]
    ) -> None:
        with llm_engine(bundle_db, llm_settings, [fenced(GOOD_SQL)]) as (engine, _):
            answer = ask(engine, AREA_CODES, scope=Scope.tenant(org_ids["acme-racing"]))
        assert_top_area_codes(answer, area_codes(bundle, bundle.org("acme-racing").org_id))

    @pytest.mark.parametrize(
        "question",
        [AREA_CODES, "What share of entrants listed a phone number with area code 555?"],
    )
    def test_questions_the_parser_cannot_read_go_to_the_model(
        self, bundle_db: Database, llm_settings: Settings, question: str
    ) -> None:
        with llm_engine(bundle_db, llm_settings, [fenced(GOOD_SQL)]) as (engine, server):
            answer = ask(engine, question)
        assert answer.engine == "llm", explain(answer)
        assert len(server.chat_requests) == 1

    def test_the_model_sees_the_schema_and_no_rows(
        self, bundle_db: Database, llm_settings: Settings, bundle: Bundle
    ) -> None:
        with llm_engine(bundle_db, llm_settings, [fenced(GOOD_SQL)]) as (engine, server):
            answer = ask(engine, AREA_CODES)
        assert answer.status == "answered", explain(answer)
        (request,) = server.chat_requests
        system = request["messages"][0]["content"]
        assert SCHEMA.strip() in system
        assert AREA_CODES in json.dumps(request)
        emails = {e.email for e in bundle.entries}
        sent = " ".join(json.dumps(r.body) for r in server.requests)
        assert not set(EMAIL.findall(sent)) & emails
        assert not any(e.name in sent for e in bundle.entries[:2000])

    def test_a_select_without_limit_gets_one(
        self, bundle_db: Database, llm_settings: Settings, bundle: Bundle
    ) -> None:
        settings = llm_settings.model_copy(update={"ask_max_rows": 25})
        with llm_engine(bundle_db, settings, [fenced("SELECT event_name, year, bib FROM q_results")]) as (
            engine,
            _,
        ):
            answer = ask(engine, AREA_CODES)
        assert answer.status == "answered", explain(answer)
        assert answer.sql is not None
        assert re.search(r"\bLIMIT 25\b", answer.sql), answer.sql
        assert len(answer.rows) == 25


UNSAFE_REPLIES = [
    fenced("DROP TABLE results"),
    fenced("SELECT set_config('app.org_id', '3', true)"),
    fenced("SELECT * FROM q_results WHERE set_config('app.org_id', '3', true) IS NOT NULL LIMIT 5"),
    fenced("SELECT pg_sleep(60)"),
    fenced("SELECT * FROM entries LIMIT 5"),
    fenced("SELECT * FROM pg_authid"),
    fenced("SELECT 1; DELETE FROM results"),
    fenced("SELECT count(*) FROM q_results; COMMIT; DROP TABLE results"),
    fenced("WITH d AS (DELETE FROM results RETURNING entry_id) SELECT count(*) FROM d"),
    fenced("SELECT * INTO stolen FROM q_entries"),
    fenced("SELECT * FROM q_results FOR UPDATE"),
    fenced("SET TRANSACTION READ WRITE"),
    fenced("SELECT query_to_xml('select * from entries', true, true, '')"),
    fenced("SELECT pg_read_file('/etc/passwd')"),
    "I am not sure how to answer that.",
    "CANNOT_ANSWER: the views hold no phone statistics",
    "",
]


class TestUnsafeOrUnusableProposal:
    @pytest.mark.parametrize("reply", UNSAFE_REPLIES)
    def test_nothing_runs_that_should_not(
        self, bundle_db: Database, llm_settings: Settings, reply: str
    ) -> None:
        before = table_counts(bundle_db)
        started = time.monotonic()
        with llm_engine(bundle_db, llm_settings, [reply]) as (engine, server):
            answer = ask(engine, AREA_CODES)
        assert time.monotonic() - started < 5
        assert answer.status in ("refused", "unanswerable"), explain(answer)
        assert answer.rows == [] or answer.columns == ["example"], explain(answer)
        assert len(server.chat_requests) == 1
        assert table_counts(bundle_db) == before


class TestModelUnreachable:
    def test_a_closed_port_is_unanswerable_quickly(self, bundle_db: Database, llm_settings: Settings) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        client = LLMClient(base_url=f"http://127.0.0.1:{port}/v1", model=MODEL, api_key=None, timeout_s=5)
        engine = AskEngine(bundle_db, llm_settings, client)
        started = time.monotonic()
        answer = ask(engine, AREA_CODES)
        assert time.monotonic() - started < 5
        assert answer.status == "unanswerable", explain(answer)
        assert answer.columns == ["example"]

    def test_a_server_error_is_unanswerable(self, bundle_db: Database, llm_settings: Settings) -> None:
        with llm_engine(bundle_db, llm_settings, []) as (engine, _):  # no scripted reply: HTTP 500
            answer = ask(engine, AREA_CODES)
        assert answer.status == "unanswerable", explain(answer)
