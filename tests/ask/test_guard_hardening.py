"""What the outside test found in generated SQL and its answers (issue 11, item 9)."""

from __future__ import annotations

import csv
import io

import pytest

from racehub.ask.execute import run_readonly
from racehub.ask.guard import UnsafeQuery, guard_sql
from racehub.ask.reports import to_csv
from racehub.db import Database, Scope

VIEWS = frozenset({"q_entries", "q_results"})


class TestFunctionsSqlglotDoesNotCallFunctions:
    @pytest.mark.parametrize(
        "call",
        [
            "corr(age, age)",
            "array_position(ARRAY[1], 1)",
            "json_extract_path(email, 'a')",
            "json_extract_path_text(email, 'a')",
            "jsonb_contains(email, email)",
            "div(age, 2)",
            "json_value(email, '$.a')",
        ],
    )
    def test_is_held_to_the_allowlist(self, call: str) -> None:
        with pytest.raises(UnsafeQuery, match="is not on the allowlist"):
            guard_sql(f"SELECT {call} FROM q_entries", allowed_tables=VIEWS)

    @pytest.mark.parametrize(
        "sql",
        [
            "SELECT count(*), string_agg(full_name, ',' ORDER BY age) FROM q_entries AS z",
            "WITH x(a) AS (SELECT age FROM q_entries) SELECT a FROM x",
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY age) FROM q_entries",
            "SELECT row_number() OVER (ORDER BY age), extract(year FROM registered_at) FROM q_entries",
        ],
    )
    def test_ordinary_calls_still_pass(self, sql: str) -> None:
        assert guard_sql(sql, allowed_tables=VIEWS)


class TestColonsInGeneratedSql:
    def test_a_literal_colon_word_is_text_not_a_parameter(self, bundle_db: Database) -> None:
        sql = guard_sql(
            "SELECT ':b' AS said, 'x:y' AS also, 1::int AS n FROM q_entries", allowed_tables=VIEWS
        )
        columns, rows, _ = run_readonly(
            bundle_db, Scope.operator(), sql, {}, timeout_ms=5000, max_rows=1, max_bytes=10_000
        )
        assert columns == ["said", "also", "n"]
        assert rows == [(":b", "x:y", 1)]


class TestByteCappedSummary:
    def test_a_result_cut_by_the_byte_cap_is_not_called_empty(self) -> None:
        from racehub.ask.fallback import summarize

        said = summarize("SELECT full_name FROM q_entries", ["full_name"], [], truncated=True, max_bytes=100)
        assert "(no rows)" not in said
        assert "100-byte limit" in said


class TestCsvFormulas:
    def test_cells_a_spreadsheet_would_run_are_prefixed(self) -> None:
        rows = [['=HYPERLINK("http://x","y")', "+1", "-2", "@sum", "\tx", "plain", -3]]
        (_, written) = list(csv.reader(io.StringIO(to_csv(list("abcdefg"), rows), newline="")))
        assert written == [
            '\'=HYPERLINK("http://x","y")',
            "'+1",
            "'-2",
            "'@sum",
            "'\tx",
            "plain",
            "-3",
        ]
