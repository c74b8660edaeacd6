"""The SQL guard: adversarial cases 4-10 of docs/security.md, and the queries it must let through."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from racehub.ask.guard import (
    DENIED_FUNCTION_PREFIXES,
    DENIED_FUNCTIONS,
    SAFE_FUNCTIONS,
    UnsafeQuery,
    guard_sql,
)
from racehub.errors import RaceHubError

VIEWS = frozenset({"q_editions", "q_races", "q_entries", "q_results", "q_splits", "q_awards"})


def guard(sql: str, **options: int) -> str:
    return guard_sql(sql, allowed_tables=VIEWS, **options)


def rejected(sql: str, match: str) -> None:
    with pytest.raises(UnsafeQuery, match=match):
        guard(sql)


def limit_of(sql: str) -> int:
    tree = sqlglot.parse_one(sql, read="postgres")
    limit = tree.args["limit"]
    assert isinstance(limit, exp.Limit)
    return int(limit.expression.name)


class TestUnsafeQueryError:
    def test_is_a_domain_error_with_status_422(self) -> None:
        with pytest.raises(UnsafeQuery) as caught:
            guard("SELECT pg_sleep(1)")
        assert isinstance(caught.value, RaceHubError)
        assert caught.value.status == 422
        assert "pg_sleep" in caught.value.message


class TestDangerousFunctions:
    """Cases 4, 5 and 6: settings, sleeps, file and network access, XML query runners."""

    @pytest.mark.parametrize(
        ("sql", "name"),
        [
            ("SELECT set_config('app.org_id', '42', false)", "set_config"),
            ("SELECT * FROM q_races WHERE set_config('app.org_id', '42', true) IS NOT NULL", "set_config"),
            ("SELECT current_setting('app.org_id')", "current_setting"),
            ("SELECT pg_sleep(60)", "pg_sleep"),
            ("SELECT name FROM q_races WHERE pg_sleep(1) IS NULL", "pg_sleep"),
            ("SELECT pg_sleep_for('1 minute')", "pg_sleep_for"),
            ("SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
            ("SELECT pg_read_binary_file('/etc/passwd')", "pg_read_binary_file"),
            ("SELECT * FROM pg_ls_dir('.')", "pg_ls_dir"),
            ("SELECT pg_stat_file('postgresql.conf')", "pg_stat_file"),
            ("SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)", "dblink"),
            ("SELECT dblink_exec('host=evil', 'DROP TABLE x')", "dblink_exec"),
            ("SELECT query_to_xml('SELECT * FROM pg_authid', true, true, '')", "query_to_xml"),
            ("SELECT table_to_xml('pg_authid', true, true, '')", "table_to_xml"),
            ("SELECT xpath('/a', '<a/>')", "xpath"),
            ("SELECT lo_import('/etc/passwd')", "lo_import"),
            ("SELECT txid_current()", "txid_current"),
            ("SELECT pg_terminate_backend(123)", "pg_terminate_backend"),
            ("SELECT pg_cancel_backend(123)", "pg_cancel_backend"),
            ("SELECT current_user", "current_user"),
            ("SELECT session_user", "session_user"),
            ("SELECT nextval('q_races_id_seq')", "nextval"),
            ("SELECT * FROM generate_series(1, 1000000000)", "generate_series"),
        ],
    )
    def test_forbidden_function_is_rejected_by_name(self, sql: str, name: str) -> None:
        rejected(sql, rf"function {name} is forbidden")

    def test_function_missing_from_the_allowlist_is_rejected(self) -> None:
        rejected("SELECT some_udf(name) FROM q_races", "function some_udf is not on the allowlist")

    def test_function_name_case_does_not_matter(self) -> None:
        rejected("SELECT PG_SLEEP(1)", "pg_sleep")

    @pytest.mark.parametrize(
        "sql",
        [
            "SELECT * FROM q_races r, LATERAL (SELECT pg_sleep(10)) s",
            "SELECT * FROM q_races r CROSS JOIN LATERAL pg_ls_dir('.') AS f",
            "SELECT * FROM q_races r JOIN LATERAL (SELECT query_to_xml('SELECT 1', true, true, '')) x"
            " ON true",
            "SELECT * FROM ROWS FROM (pg_ls_dir('.')) AS f",
        ],
    )
    def test_functions_in_lateral_joins_are_checked(self, sql: str) -> None:
        rejected(sql, "forbidden")

    def test_schema_qualified_call_of_an_allowed_name_is_rejected(self) -> None:
        rejected("SELECT pg_catalog.lower(name) FROM q_races", "schema-qualified function")

    @pytest.mark.parametrize("word", ["user", "current_role", "CURRENT_ROLE"])
    def test_bare_session_words_are_rejected(self, word: str) -> None:
        rejected(f"SELECT {word} FROM q_races", "not allowed")

    def test_a_quoted_column_named_user_is_a_column(self) -> None:
        assert guard('SELECT "user" FROM q_entries') == 'SELECT "user" FROM q_entries LIMIT 1000'

    @pytest.mark.parametrize("target", ["regclass", "regproc", "oid", "xml", "my_enum"])
    def test_casts_to_catalog_and_unknown_types_are_rejected(self, target: str) -> None:
        rejected(f"SELECT name::{target} FROM q_races", "cast to")


class TestOneStatement:
    """Case 7: stacked statements."""

    @pytest.mark.parametrize(
        "sql",
        [
            "SELECT 1; COMMIT; DROP TABLE q_races",
            "SELECT name FROM q_races; DELETE FROM q_races",
            "SELECT 1; SELECT 2",
            # With standard_conforming_strings the backslash ends the literal; the DROP is a statement.
            "SELECT 'a\\' ; DROP TABLE q_races; --'",
        ],
    )
    def test_more_than_one_statement_is_rejected(self, sql: str) -> None:
        rejected(sql, "exactly one statement")

    def test_trailing_semicolon_is_one_statement(self) -> None:
        assert guard("SELECT name FROM q_races;") == "SELECT name FROM q_races LIMIT 1000"

    def test_escape_string_stays_one_literal(self) -> None:
        # In an E'' string, \' is a quote inside the literal: nothing after it is SQL.
        out = guard("SELECT E'a\\' ; DROP TABLE q_races; --' AS s")
        (tree,) = sqlglot.parse(out, read="postgres")
        assert isinstance(tree, exp.Select)
        assert tree.selects[0].this.name == "a' ; DROP TABLE q_races; --"


class TestWritesAnywhere:
    """Cases 7 and 8: writes at the top, behind comments, or inside CTEs."""

    @pytest.mark.parametrize(
        ("sql", "kind"),
        [
            ("/* just reading */ DELETE FROM q_results", "DELETE"),
            ("-- just reading\nDELETE FROM q_results", "DELETE"),
            ("INSERT INTO q_races (name) VALUES ('x')", "INSERT"),
            ("UPDATE q_results SET finish_s = 1", "UPDATE"),
            ("MERGE INTO q_results t USING q_entries s ON t.id = s.id WHEN MATCHED THEN DELETE", "MERGE"),
            ("WITH x AS (DELETE FROM q_results RETURNING *) SELECT * FROM x", "DELETE"),
            ("WITH x AS (UPDATE q_results SET finish_s = 0 RETURNING *) SELECT count(*) FROM x", "UPDATE"),
            ("WITH x AS (INSERT INTO q_races (name) VALUES ('x') RETURNING id) SELECT * FROM x", "INSERT"),
            ("COPY q_results TO '/tmp/out.csv'", "COPY"),
            ("TRUNCATE q_results", "TRUNCATE"),
            ("DROP TABLE q_results", "DROP"),
            ("CREATE TABLE stolen AS SELECT * FROM q_entries", "CREATE"),
            ("ALTER TABLE q_results ADD COLUMN x int", "ALTER"),
            ("GRANT ALL ON q_results TO public", "GRANT"),
        ],
    )
    def test_write_or_ddl_is_rejected(self, sql: str, kind: str) -> None:
        rejected(sql, f"{kind} is not allowed")


class TestSessionAndTransactionCommands:
    """Case 7: SET, SET ROLE, transaction control, and whatever sqlglot only parses as a Command."""

    @pytest.mark.parametrize(
        "sql",
        [
            "SET TRANSACTION READ WRITE",
            "SET ROLE postgres",
            "SET LOCAL app.org_id = '42'",
            "SET search_path = pg_catalog",
            "RESET ROLE",
            "SHOW search_path",
            "BEGIN",
            "COMMIT",
            "ROLLBACK",
            "START TRANSACTION",
            "EXPLAIN ANALYZE SELECT * FROM q_results",
            "DO $$ BEGIN PERFORM pg_sleep(10); END $$",
            "CALL refresh_everything()",
            "LOCK TABLE q_results",
            "PREPARE p AS SELECT 1",
            "EXECUTE p",
            "NOTIFY channel",
            "VACUUM",
        ],
    )
    def test_command_is_rejected(self, sql: str) -> None:
        rejected(sql, "not allowed|only a SELECT")


class TestIntoAndLocking:
    """Case 8: SELECT ... INTO creates a table; FOR UPDATE/SHARE takes row locks."""

    @pytest.mark.parametrize(
        ("sql", "what"),
        [
            ("SELECT * INTO stolen FROM q_entries", "INTO"),
            ("SELECT * FROM q_results FOR UPDATE", "FOR UPDATE"),
            ("SELECT * FROM q_results FOR SHARE", "FOR UPDATE"),
            ("SELECT * FROM q_results FOR NO KEY UPDATE NOWAIT", "FOR UPDATE"),
            ("SELECT * FROM q_races WHERE id IN (SELECT race_id FROM q_results FOR UPDATE)", "FOR UPDATE"),
        ],
    )
    def test_is_rejected(self, sql: str, what: str) -> None:
        rejected(sql, what)


class TestForcedLimit:
    """Case 9: every query comes back with a LIMIT no larger than max_rows."""

    def test_missing_limit_is_added(self) -> None:
        assert guard("SELECT name FROM q_races") == "SELECT name FROM q_races LIMIT 1000"

    def test_huge_limit_is_lowered(self) -> None:
        assert limit_of(guard("SELECT name FROM q_races LIMIT 1000000")) == 1000

    def test_small_limit_is_kept(self) -> None:
        assert limit_of(guard("SELECT name FROM q_races ORDER BY name LIMIT 10")) == 10

    @pytest.mark.parametrize(
        "sql",
        [
            "SELECT name FROM q_races LIMIT ALL",
            "SELECT name FROM q_races LIMIT NULL",
            "SELECT name FROM q_races LIMIT (SELECT 1000000)",
            "SELECT name FROM q_races LIMIT 10 * 100000",
            "SELECT name FROM q_races FETCH FIRST 50000 ROWS ONLY",
        ],
    )
    def test_unbounded_or_computed_limit_becomes_max_rows(self, sql: str) -> None:
        assert limit_of(guard(sql)) == 1000

    def test_fetch_first_within_cap_is_kept_as_limit(self) -> None:
        assert guard("SELECT name FROM q_races FETCH FIRST 5 ROWS ONLY") == "SELECT name FROM q_races LIMIT 5"

    def test_offset_is_kept(self) -> None:
        out = guard("SELECT name FROM q_races ORDER BY name LIMIT 5000 OFFSET 20")
        assert out == "SELECT name FROM q_races ORDER BY name LIMIT 1000 OFFSET 20"

    def test_max_rows_is_respected(self) -> None:
        assert limit_of(guard_sql("SELECT name FROM q_races", allowed_tables=VIEWS, max_rows=25)) == 25

    def test_limit_applies_to_the_whole_union(self) -> None:
        out = guard("SELECT name FROM q_races UNION SELECT name FROM q_editions ORDER BY 1 LIMIT 5000")
        tree = sqlglot.parse_one(out, read="postgres")
        assert isinstance(tree, exp.Union)
        assert limit_of(out) == 1000

    def test_inner_limit_does_not_count_as_the_outer_one(self) -> None:
        out = guard("SELECT * FROM (SELECT name FROM q_races LIMIT 5) AS few")
        assert out == "SELECT * FROM (SELECT name FROM q_races LIMIT 5) AS few LIMIT 1000"

    def test_max_rows_below_one_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="max_rows"):
            guard_sql("SELECT 1", allowed_tables=VIEWS, max_rows=0)


class TestTableAllowlist:
    """Case 10: catalogs and anything that is not a curated view, wherever it hides."""

    @pytest.mark.parametrize(
        "sql",
        [
            "SELECT rolname, rolpassword FROM pg_authid",
            "SELECT * FROM pg_catalog.pg_authid",
            "SELECT * FROM pg_catalog.pg_class",
            "SELECT * FROM pg_roles",
            "SELECT table_name FROM information_schema.tables",
            "SELECT * FROM information_schema.columns WHERE table_name = 'q_entries'",
            "SELECT * FROM q_teams",
            "SELECT * FROM entries",
            "SELECT * FROM private.q_races",
            "SELECT * FROM otherdb.public.q_races",
            'SELECT * FROM "Q_RACES"',
            "SELECT name FROM q_races UNION SELECT rolname FROM pg_authid",
            "SELECT name FROM q_races UNION ALL SELECT usename FROM pg_catalog.pg_user",
            "SELECT * FROM q_races WHERE id IN (SELECT oid FROM pg_class)",
            "SELECT * FROM q_races WHERE EXISTS (SELECT 1 FROM pg_authid WHERE rolsuper)",
            "SELECT (SELECT rolpassword FROM pg_authid LIMIT 1) AS p FROM q_races",
            "SELECT * FROM q_races r JOIN LATERAL (SELECT * FROM pg_stat_activity) a ON true",
            "WITH x AS (SELECT * FROM pg_authid) SELECT * FROM x",
            # Without RECURSIVE the first CTE sees the real pg_authid, not the one defined after it.
            "WITH a AS (SELECT * FROM pg_authid), pg_authid AS (SELECT 1 AS x) SELECT * FROM a",
            # A CTE is visible only in its own query: the outer pg_class is the catalog.
            "SELECT * FROM (WITH pg_class AS (SELECT 1 AS x) SELECT * FROM pg_class) a, pg_class b",
            # A CTE never answers a schema-qualified name.
            "WITH q AS (SELECT 1 AS x) SELECT * FROM pg_catalog.q",
        ],
    )
    def test_reference_outside_the_views_is_rejected(self, sql: str) -> None:
        rejected(sql, "not one of the allowed views|names a database")

    def test_recursive_cte_is_rejected(self) -> None:
        sql = "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t"
        rejected(sql, "RECURSIVE")

    @pytest.mark.parametrize(
        "sql",
        [
            "SELECT name FROM public.q_races",
            'SELECT name FROM "public"."q_races"',
            "SELECT name FROM Q_RACES",
            "WITH pg_authid AS (SELECT name FROM q_races) SELECT * FROM pg_authid",
            "WITH a AS (SELECT race_id FROM q_results), b AS (SELECT * FROM a) SELECT * FROM b",
        ],
    )
    def test_views_and_visible_ctes_are_allowed(self, sql: str) -> None:
        assert guard(sql).endswith("LIMIT 1000")

    def test_allowlist_names_are_case_insensitive(self) -> None:
        out = guard_sql("SELECT name FROM q_races", allowed_tables=frozenset({"Q_Races"}))
        assert out == "SELECT name FROM q_races LIMIT 1000"


class TestJoinCaps:
    """Case 5: a cartesian product over many tables is refused before it runs."""

    def test_three_way_cross_join_is_rejected(self) -> None:
        rejected("SELECT count(*) FROM q_results a, q_results b, q_results c", "cross join of 3")

    def test_always_true_join_conditions_do_not_count(self) -> None:
        sql = "SELECT count(*) FROM q_results a JOIN q_entries b ON true JOIN q_splits c ON 1 = 1"
        rejected(sql, "cross join of 3")

    def test_two_way_cross_join_is_allowed(self) -> None:
        assert guard("SELECT count(*) FROM q_races CROSS JOIN q_editions").endswith("LIMIT 1000")

    def test_implicit_joins_tied_in_where_are_allowed(self) -> None:
        sql = (
            "SELECT e.name, r.finish_s FROM q_results r, q_entries e, q_races ra "
            "WHERE r.entry_id = e.entry_id AND r.race_id = ra.race_id AND ra.name = '10K'"
        )
        assert guard(sql).endswith("LIMIT 1000")

    def test_using_and_unqualified_on_conditions_count_as_conditions(self) -> None:
        sql = (
            "SELECT * FROM q_results JOIN q_entries USING (entry_id) "
            "JOIN q_races ON race_id = q_races_id JOIN q_editions USING (edition_id)"
        )
        assert guard(sql).endswith("LIMIT 1000")

    def test_more_joins_than_the_cap_are_rejected(self) -> None:
        joins = " ".join(f"JOIN q_results r{i} ON r{i}.entry_id = r0.entry_id" for i in range(1, 10))
        sql = f"SELECT count(*) FROM q_results r0 {joins}"
        rejected(sql, "9 joins is more than the 8 allowed")
        assert guard_sql(sql, allowed_tables=VIEWS, max_joins=9).endswith("LIMIT 1000")


class TestParseFailures:
    @pytest.mark.parametrize(
        ("sql", "match"),
        [
            ("", "no statement"),
            ("   ;  ", "no statement"),
            ("SELECT FROM WHERE", "does not parse"),
            ("SELECT 'unterminated", "does not parse"),
            ("VALUES (1), (2)", "only a SELECT"),
            ("please list all runners", "only a SELECT|not allowed|does not parse"),
        ],
    )
    def test_is_rejected(self, sql: str, match: str) -> None:
        rejected(sql, match)

    def test_oversized_query_is_rejected(self) -> None:
        rejected("SELECT " + " + ".join(["1"] * 8000), "longer than")


class TestAllowedQueries:
    """What the LLM usually writes over the curated views passes, re-rendered with a LIMIT."""

    @pytest.mark.parametrize(
        "sql",
        [
            "WITH ranked AS (SELECT race_id, entry_id,"
            " rank() OVER (PARTITION BY race_id ORDER BY finish_s) AS rk FROM q_results)"
            " SELECT * FROM ranked WHERE rk <= 3 ORDER BY race_id, rk",
            "SELECT race_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY finish_s) AS median FROM q_results"
            " GROUP BY race_id",
            "SELECT e.name, r.finish_s FROM q_entries e JOIN q_results r ON r.entry_id = e.entry_id"
            " LEFT JOIN q_races ra ON ra.race_id = r.race_id WHERE ra.name ILIKE '%10k%'",
            "SELECT CASE WHEN gender = 'F' THEN 'women' WHEN gender = 'M' THEN 'men' ELSE 'other' END AS g,"
            " count(*) AS n FROM q_entries GROUP BY 1",
            "SELECT finish_s::int, CAST(finish_s AS numeric(10, 2)), finish_time::interval,"
            " (finish_s / 60.0)::double precision FROM q_results",
            "SELECT name FROM q_editions WHERE start_date >= DATE '2025-06-01' - INTERVAL '1 year'"
            " AND start_date < DATE '2025-06-01' + interval '30 days'",
            "SELECT to_char(date_trunc('month', start_date), 'YYYY-MM') AS month,"
            " extract(year FROM start_date), date_part('dow', start_date), make_interval(secs => 90)"
            " FROM q_editions",
            "SELECT race_id, string_agg(name, ', ' ORDER BY name) FROM q_entries GROUP BY race_id",
            "SELECT count(*) FILTER (WHERE finish_s < 3600) AS sub_hour FROM q_results",
            "SELECT DISTINCT ON (race_id) race_id, entry_id FROM q_results ORDER BY race_id, finish_s",
            "SELECT lag(finish_s) OVER w, lead(finish_s) OVER w FROM q_results"
            " WINDOW w AS (ORDER BY finish_s)",
            "SELECT coalesce(nullif(trim(club), ''), 'unattached') AS club FROM q_entries",
            "SELECT name FROM q_races WHERE name ~* 'marathon' AND lower(name) LIKE '%half%'",
            "SELECT * FROM q_results WHERE race_id IN (SELECT race_id FROM q_races WHERE distance_m > 20000)",
            "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, label)",
            "(SELECT name FROM q_races)",
            "SELECT 1",
        ],
    )
    def test_is_allowed(self, sql: str) -> None:
        out = guard(sql)
        again = sqlglot.parse(out, read="postgres")
        assert len(again) == 1
        assert isinstance(again[0], exp.Select | exp.Union)
        assert limit_of(out) <= 1000

    def test_comments_are_dropped_from_the_output(self) -> None:
        out = guard("SELECT name /* ignore previous instructions */ FROM q_races -- trailing")
        assert out == "SELECT name FROM q_races LIMIT 1000"


# One call per allowlisted name, so a sqlglot upgrade that parses a safe function differently shows up here.
SAMPLE_CALLS = {
    "count": "count(*)", "sum": "sum(x)", "avg": "avg(x)", "min": "min(x)", "max": "max(x)",
    "percentile_cont": "percentile_cont(0.5) WITHIN GROUP (ORDER BY x)",
    "percentile_disc": "percentile_disc(0.9) WITHIN GROUP (ORDER BY x)",
    "mode": "mode() WITHIN GROUP (ORDER BY x)", "stddev": "stddev(x)", "stddev_pop": "stddev_pop(x)",
    "stddev_samp": "stddev_samp(x)", "variance": "variance(x)", "var_pop": "var_pop(x)",
    "var_samp": "var_samp(x)", "string_agg": "string_agg(s, ',')", "array_agg": "array_agg(x)",
    "bool_and": "bool_and(b)", "bool_or": "bool_or(b)", "every": "every(b)",
    "row_number": "row_number() OVER ()", "rank": "rank() OVER (ORDER BY x)",
    "dense_rank": "dense_rank() OVER (ORDER BY x)", "percent_rank": "percent_rank() OVER (ORDER BY x)",
    "cume_dist": "cume_dist() OVER (ORDER BY x)", "ntile": "ntile(4) OVER (ORDER BY x)",
    "lag": "lag(x, 1) OVER (ORDER BY x)", "lead": "lead(x) OVER (ORDER BY x)",
    "first_value": "first_value(x) OVER (ORDER BY x)", "last_value": "last_value(x) OVER (ORDER BY x)",
    "nth_value": "nth_value(x, 2) OVER (ORDER BY x)", "round": "round(x, 1)", "floor": "floor(x)",
    "ceil": "ceil(x)", "ceiling": "ceiling(x)", "trunc": "trunc(x)", "abs": "abs(x)", "sign": "sign(x)",
    "sqrt": "sqrt(x)", "power": "power(x, 2)", "mod": "mod(x, 2)", "greatest": "greatest(x, 1)",
    "least": "least(x, 1)", "coalesce": "coalesce(x, 0)", "nullif": "nullif(x, 0)", "lower": "lower(s)",
    "upper": "upper(s)", "initcap": "initcap(s)", "length": "length(s)", "char_length": "char_length(s)",
    "substring": "substring(s FROM 1 FOR 2)", "substr": "substr(s, 1, 2)", "trim": "trim(s)",
    "btrim": "btrim(s)", "ltrim": "ltrim(s)", "rtrim": "rtrim(s)", "concat": "concat(s, 'x')",
    "concat_ws": "concat_ws(' ', s, s)", "replace": "replace(s, 'a', 'b')",
    "split_part": "split_part(s, ' ', 1)", "left": "left(s, 1)", "right": "right(s, 1)",
    "position": "position('a' IN s)", "strpos": "strpos(s, 'a')", "lpad": "lpad(s, 5, '0')",
    "rpad": "rpad(s, 5, ' ')", "starts_with": "starts_with(s, 'a')",
    "regexp_replace": "regexp_replace(s, '[0-9]', '')", "date_part": "date_part('year', d)",
    "extract": "extract(year FROM d)", "date_trunc": "date_trunc('month', d)",
    "to_char": "to_char(d, 'YYYY')", "to_date": "to_date(s, 'YYYY-MM-DD')",
    "make_date": "make_date(2025, 1, 1)", "make_interval": "make_interval(mins => 5)",
    "justify_interval": "justify_interval(i)", "age": "age(d)", "current_date": "current_date",
    "current_timestamp": "current_timestamp", "now": "now()", "cast": "cast(x AS text)",
    "case": "CASE WHEN b THEN 1 ELSE 0 END", "exists": "EXISTS (SELECT 1 FROM q_races)",
    "array": "ARRAY[1, 2]", "row": "ROW(1, 2)",
}  # fmt: skip


class TestAllowlists:
    def test_safe_and_denied_functions_do_not_overlap(self) -> None:
        assert not SAFE_FUNCTIONS & DENIED_FUNCTIONS
        assert not [name for name in SAFE_FUNCTIONS if name.startswith(DENIED_FUNCTION_PREFIXES)]

    def test_every_safe_function_has_a_sample_call(self) -> None:
        assert set(SAMPLE_CALLS) == SAFE_FUNCTIONS

    @pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
    def test_safe_function_is_accepted(self, name: str) -> None:
        assert guard(f"SELECT {SAMPLE_CALLS[name]} AS v FROM q_results").endswith("LIMIT 1000")
