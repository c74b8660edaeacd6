"""Checks shared by the ask-engine tests: what a parser answer looks like, and reading figures out of it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import text

from racehub.ask.answer import Answer
from racehub.ask.conversation import Context
from racehub.ask.engine import AskEngine
from racehub.db import Database, Scope
from tests.ask.bundle_reference import time_ms

# The bundle's reference date: editions after it are upcoming.
TODAY = date(2026, 11, 25)
VIEW = re.compile(r"\bq_(editions|races|entries|results|splits|awards)\b")
TIME = re.compile(r"^\d+:\d{2}:\d{2}\.\d$")
# Tables whose row counts must not move when a question tries to change data.
COUNTED_TABLES = (
    "organizations",
    "event_series",
    "editions",
    "races",
    "persons",
    "entries",
    "results",
    "splits",
    "awards",
    "tenant_grants",
)


def ask(
    engine: AskEngine,
    question: str,
    *,
    today: date = TODAY,
    scope: Scope | None = None,
    previous: Context | None = None,
    with_paths: bool = False,
) -> Answer:
    """Ask as the platform operator (every tenant) unless a scope is given."""
    return engine.ask(
        question, scope=scope or Scope.operator(), today=today, previous=previous, with_paths=with_paths
    )


def explain(answer: Answer) -> str:
    """The answer in a failure message."""
    return f"{answer.status} [{answer.engine}] {answer.answer!r} rows={answer.rows[:8]!r} sql={answer.sql!r}"


def assert_parser_answer(answer: Answer, *, max_rows: int = 5) -> None:
    """Answered by the parser, with the SQL over a curated view and a small table."""
    assert answer.status == "answered", explain(answer)
    assert answer.engine == "parser", explain(answer)
    assert answer.sql, explain(answer)
    assert VIEW.search(answer.sql), explain(answer)
    assert len(answer.rows) <= max_rows, explain(answer)


def column(answer: Answer, name: str) -> list[Any]:
    assert name in answer.columns, explain(answer)
    index = answer.columns.index(name)
    return [row[index] for row in answer.rows]


def records(answer: Answer) -> list[dict[str, Any]]:
    return [dict(zip(answer.columns, row, strict=True)) for row in answer.rows]


def total(answer: Answer) -> int:
    """The counted figure: the last column, summed over the rows (one per race or year, or one row)."""
    assert answer.rows, explain(answer)
    return sum(int(row[-1]) for row in answer.rows)


def assert_figure(answer: Answer, expected: int) -> None:
    """The count in the rows and, written out, in the sentence."""
    assert total(answer) == expected, explain(answer)
    assert f"{expected:,}" in answer.answer, explain(answer)


def names(answer: Answer) -> list[str]:
    return [f"{r['first_name']} {r['last_name']}" for r in records(answer)]


def assert_time(shown: Any, expected_ms: float) -> None:
    """A time shown as `H:MM:SS.t`, equal to the expected one to the tenth."""
    assert isinstance(shown, str), shown
    assert TIME.match(shown), shown
    parsed = time_ms(shown)
    assert parsed is not None
    assert abs(parsed - expected_ms) <= 50, f"{shown} vs {expected_ms} ms"


def table_counts(database: Database) -> dict[str, int]:
    """Rows in every data table, read by the owner (no row-level security in the way)."""
    with database.owner_engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in COUNTED_TABLES
        }
