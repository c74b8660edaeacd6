"""Tenant isolation of answers (security.md case 1) and of the reader transaction generated SQL runs in.

Acme Racing asks about Boston (Summit Sports Timing's event): nothing of Summit's comes back. Generated SQL
that rewrites the tenant settings, writes, or sleeps is stopped by the database itself.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from racehub.ask.engine import AskEngine
from racehub.ask.execute import QueryFailed, QueryTimeout, run_readonly
from racehub.config import Settings
from racehub.db import Database, Scope
from tests.ask.answers import TODAY, ask, assert_figure, assert_parser_answer, column, explain, table_counts
from tests.ask.bundle_reference import Bundle, Entry

ACME = "acme-racing"
TIDEWATER = "tidewater-timing"
SUMMIT = "summit-sports-timing"


def tenant(org_ids: dict[str, int], slug: str) -> Scope:
    return Scope.tenant(org_ids[slug], role="staff")


def events_of(bundle: Bundle, slug: str) -> set[tuple[str, int]]:
    org = bundle.org(slug)
    return {(e.name, e.year) for e in bundle.events if e.org_id == org.org_id}


def boston_only_runner(bundle: Bundle) -> Entry:
    """A 2025 Boston finisher whose name appears in no other company's data."""
    summit = bundle.org(SUMMIT).org_id
    elsewhere = Counter(e.name for e in bundle.entries if e.race.event.org_id != summit)
    boston = bundle.finishers(bundle.race("Boston Marathon", 2025, "Marathon"))
    return next(e for e in sorted(boston, key=lambda e: int(e.participant_id)) if e.name not in elsewhere)


def shows(text: str, answer_rows: list[list[object]], needle: str) -> bool:
    """Whether the answer carries `needle`; the asker's own words quoted back ("not 'boston'") don't count."""
    text = re.sub(r"(?<![A-Za-z])'[^']*'(?![A-Za-z])", "", text)
    return needle.lower() in text.lower() or any(
        needle.lower() in re.sub(r"(?<![A-Za-z])'[^']*'(?![A-Za-z])", "", str(cell)).lower()
        for r in answer_rows
        for cell in r
    )


class TestAnotherCompanysEvent:
    """Case 1: nothing of Summit's comes back to Acme, not even that the event exists."""

    def test_the_catalogue_holds_only_the_tenants_events(
        self, engine: AskEngine, bundle: Bundle, org_ids: dict[str, int]
    ) -> None:
        catalog = engine.catalogs.get(tenant(org_ids, ACME))
        assert {s.name for s in catalog.series} == {name for name, _ in events_of(bundle, ACME)}

    @pytest.mark.parametrize(
        "question",
        [
            "How many runners finished the 2025 Boston Marathon?",
            "Who won the women's race at the 2025 Boston Marathon?",
            "What was the average finish time of the 2025 Boston Marathon?",
            "Generate CSV of award winners with mailing addresses for the 2025 Boston Marathon",
        ],
    )
    def test_boston_questions_get_no_boston_data(
        self, engine: AskEngine, bundle: Bundle, org_ids: dict[str, int], question: str
    ) -> None:
        boston = bundle.race("Boston Marathon", 2025, "Marathon")
        women_winner = bundle.winner(boston, "F")
        answer = ask(engine, question, scope=tenant(org_ids, ACME))
        for needle in ("Boston", women_winner.name, women_winner.placement_time, f"{bundle.count(boston):,}"):
            assert not shows(answer.answer, answer.rows, needle), f"{needle!r} in {explain(answer)}"
        assert answer.files == []
        assert str(bundle.count(boston)) not in {str(cell) for row in answer.rows for cell in row}

    def test_a_summit_runner_is_not_found(
        self, engine: AskEngine, bundle: Bundle, org_ids: dict[str, int]
    ) -> None:
        runner = boston_only_runner(bundle)
        answer = ask(
            engine,
            f"What was {runner.name}'s finish time at the 2025 Boston Marathon?",
            scope=tenant(org_ids, ACME),
        )
        assert not shows(answer.answer, answer.rows, runner.last_name), explain(answer)
        assert not shows(answer.answer, answer.rows, runner.placement_time), explain(answer)
        assert answer.status != "answered" or answer.rows == [], explain(answer)

    def test_summit_itself_gets_the_answer(
        self, engine: AskEngine, bundle: Bundle, org_ids: dict[str, int]
    ) -> None:
        answer = ask(
            engine, "How many runners finished the 2025 Boston Marathon?", scope=tenant(org_ids, SUMMIT)
        )
        assert_parser_answer(answer, max_rows=3)
        assert_figure(answer, bundle.count(bundle.race("Boston Marathon", 2025, "Marathon")))


class TestOwnEvents:
    @pytest.mark.parametrize("slug", [ACME, TIDEWATER, SUMMIT])
    @pytest.mark.parametrize("question", ["show me my events", "Which events do we have?"])
    def test_my_events_are_exactly_the_tenants_editions(
        self, engine: AskEngine, bundle: Bundle, org_ids: dict[str, int], slug: str, question: str
    ) -> None:
        answer = ask(engine, question, scope=tenant(org_ids, slug))
        assert_parser_answer(answer, max_rows=20)
        shown = list(zip(column(answer, "event_name"), column(answer, "year"), strict=True))
        assert len(shown) == len(set(shown))
        assert set(shown) == events_of(bundle, slug)

    def test_upcoming_events_of_the_tenant(
        self, engine: AskEngine, bundle: Bundle, org_ids: dict[str, int]
    ) -> None:
        answer = ask(engine, "Which events are upcoming?", scope=tenant(org_ids, TIDEWATER))
        assert_parser_answer(answer, max_rows=10)
        expected = {
            (e.name, e.year)
            for e in bundle.events
            if e.org_id == bundle.org(TIDEWATER).org_id and e.start_date >= TODAY
        }
        assert set(zip(column(answer, "event_name"), column(answer, "year"), strict=True)) == expected

    @pytest.mark.parametrize(
        ("slug", "question", "event", "year", "race", "status"),
        [
            (
                ACME,
                "How many runners finished the Shamrock Marathon last year?",
                "Shamrock Marathon Weekend",
                2025,
                "Marathon",
                "FIN",
            ),
            (
                ACME,
                "how many dnfs at the 2024 harbor half marathon half marathon",
                "Harbor Half Marathon",
                2024,
                "Half Marathon",
                "DNF",
            ),
            (
                TIDEWATER,
                "How many people finished the 2025 Lakeside 10K?",
                "Lakeside 10K",
                2025,
                "10K",
                "FIN",
            ),
        ],
    )
    def test_counts_for_the_tenants_own_event(
        self,
        engine: AskEngine,
        bundle: Bundle,
        org_ids: dict[str, int],
        slug: str,
        question: str,
        event: str,
        year: int,
        race: str,
        status: str,
    ) -> None:
        answer = ask(engine, question, scope=tenant(org_ids, slug))
        assert_parser_answer(answer, max_rows=3)
        assert_figure(answer, bundle.count(bundle.race(event, year, race), status=status))

    def test_totals_over_all_events_count_only_the_tenants(
        self, engine: AskEngine, bundle: Bundle, org_ids: dict[str, int]
    ) -> None:
        org = bundle.org(ACME).org_id
        expected = sum(1 for e in bundle.entries if e.race.event.org_id == org and e.race.event.year == 2025)
        answer = ask(engine, "How many people registered in 2025?", scope=tenant(org_ids, ACME))
        assert answer.status == "answered", explain(answer)
        assert sum(int(row[-1]) for row in answer.rows) == expected, explain(answer)


class TestNoTenant:
    @pytest.mark.parametrize(
        "question", ["How many runners finished the 2025 Boston Marathon?", "show me my events", "hello"]
    )
    def test_needs_login(self, engine: AskEngine, question: str) -> None:
        answer = ask(engine, question, scope=Scope.nobody())
        assert answer.status == "needs_login", explain(answer)
        assert answer.rows == []
        assert answer.sql is None


# ---------------------------------------------------------------- the reader transaction itself

COMPANIES = "SELECT timing_company, count(*) AS editions FROM q_editions {where} GROUP BY timing_company"


def read(database: Database, scope: Scope, sql: str, *, timeout_ms: int = 5000) -> list[tuple[object, ...]]:
    _, rows, _ = run_readonly(
        database, scope, sql, {}, timeout_ms=timeout_ms, max_rows=1000, max_bytes=1_000_000
    )
    return rows


class TestReaderScope:
    """Cases 4, 5 and 8 at the database: what gets past the guard still cannot widen, write or hang."""

    @pytest.fixture
    def acme(self, org_ids: dict[str, int]) -> Scope:
        return tenant(org_ids, ACME)

    def acme_editions(self, bundle: Bundle) -> list[tuple[object, ...]]:
        return [(bundle.org(ACME).name, len(events_of(bundle, ACME)))]

    def test_plain_query_sees_the_tenant_only(self, bundle_db: Database, bundle: Bundle, acme: Scope) -> None:
        assert read(bundle_db, acme, COMPANIES.format(where="")) == self.acme_editions(bundle)

    @pytest.mark.parametrize(
        "where",
        [
            "WHERE set_config('app.org_id', '{summit}', true) IS NOT NULL",
            "WHERE set_config('app.org_id', '', true) IS NOT NULL",
            "WHERE set_config('role', 'racehub_platform', true) IS NOT NULL",
            "WHERE set_config('app.grant_token', 'guess', true) IS NOT NULL",
        ],
    )
    def test_rewriting_settings_inside_the_query_widens_nothing(
        self, bundle_db: Database, bundle: Bundle, org_ids: dict[str, int], acme: Scope, where: str
    ) -> None:
        sql = COMPANIES.format(where=where.format(summit=org_ids[SUMMIT]))
        try:
            rows = read(bundle_db, acme, sql)
        except QueryFailed:
            return  # refused by the database: nothing seen at all
        assert {row[0] for row in rows} <= {bundle.org(ACME).name}
        assert rows in ([], self.acme_editions(bundle))

    def test_a_setting_changed_in_a_subquery_before_the_scan_widens_nothing(
        self, bundle_db: Database, bundle: Bundle, org_ids: dict[str, int], acme: Scope
    ) -> None:
        acme_org = bundle.org(ACME).org_id
        expected = Counter(e.race.event.name for e in bundle.entries if e.race.event.org_id == acme_org)
        sql = (
            "SELECT q.event_name, count(*) AS entries FROM "
            f"(SELECT set_config('app.org_id', '{org_ids[SUMMIT]}', true) AS hijack) h, q_entries q "
            "GROUP BY q.event_name"
        )
        rows = read(bundle_db, acme, sql)
        assert {str(name): int(str(count)) for name, count in rows} == dict(expected)

    def test_grant_rows_cannot_be_read(self, bundle_db: Database, acme: Scope) -> None:
        with pytest.raises(QueryFailed, match="permission denied"):
            read(bundle_db, acme, "SELECT token, org_id FROM tenant_grants")

    @pytest.mark.parametrize(
        "sql",
        [
            "INSERT INTO tenant_grants (token, org_id, all_orgs) VALUES ('mine', NULL, true)",
            "WITH g AS (INSERT INTO tenant_grants (token, all_orgs) VALUES ('mine', true) RETURNING token) "
            "SELECT count(*) FROM g",
            "WITH d AS (DELETE FROM results RETURNING entry_id) SELECT count(*) FROM d",
            "WITH u AS (UPDATE entries SET first_name = 'X' RETURNING id) SELECT count(*) FROM u",
            "SELECT * FROM q_editions FOR UPDATE",
        ],
    )
    def test_writes_fail_as_read_only(self, bundle_db: Database, acme: Scope, sql: str) -> None:
        before = table_counts(bundle_db)
        with pytest.raises(QueryFailed, match=r"read-only|permission denied"):
            read(bundle_db, acme, sql)
        assert table_counts(bundle_db) == before

    def test_a_sleep_times_out_quickly_and_the_pool_stays_healthy(
        self, bundle_db: Database, bundle: Bundle, engine: AskEngine, acme: Scope, test_settings: Settings
    ) -> None:
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            read(bundle_db, acme, "SELECT pg_sleep(10)", timeout_ms=200)
        assert time.monotonic() - started < 3
        # Every pooled connection still works, and still scopes.
        for _ in range(test_settings.pool_size + 2):
            assert read(bundle_db, acme, COMPANIES.format(where="")) == self.acme_editions(bundle)
        answer = ask(engine, "How many runners finished the Shamrock Marathon last year?", scope=acme)
        assert_figure(answer, bundle.count(bundle.race("Shamrock Marathon Weekend", 2025, "Marathon")))
