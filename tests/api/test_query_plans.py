"""The API's hot queries use their indexes as the application role, under row-level security."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from racehub.db import Database, Scope
from racehub.participants import repository as participants_repository
from racehub.results import repository as results_repository
from racehub.results.repository import ResultFilters
from racehub.scoring.service import score_race
from tests.factories import create_edition, create_org, create_race

RUNNERS = 4000


def _big_race(session: Session, org_name: str) -> tuple[int, int]:
    """An organization with one race of RUNNERS finishers, each a person; returns (org id, race id)."""
    org = create_org(session, name=org_name)
    edition = create_edition(session, org, name="Big City Marathon", start_date=date(2025, 4, 6))
    race = create_race(session, edition)
    params = {"org": org.id, "race": race.id, "n": RUNNERS}
    session.execute(
        text(
            "INSERT INTO persons (org_id, first_name, last_name, dob, sex) "
            "SELECT :org, 'Runner' || g, "
            "(ARRAY['Núñez', 'Smith', 'Parker', 'Adams', 'López'])[1 + g % 5] || g, "
            "date '1960-01-01' + g, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END FROM generate_series(1, :n) g"
        ),
        params,
    )
    session.execute(
        text(
            "INSERT INTO entries (org_id, race_id, person_id, bib, first_name, last_name, sex, age) "
            "SELECT :org, :race, p.id, p.id::text, p.first_name, p.last_name, p.sex, 18 + p.id % 60 "
            "FROM persons p WHERE p.org_id = :org"
        ),
        params,
    )
    session.execute(
        text(
            "INSERT INTO results (entry_id, org_id, race_id, status, gun_ms, chip_ms) "
            "SELECT e.id, :org, :race, 'FIN', 9000000 + e.id * 7919 % 5000000, "
            "9000000 + e.id * 7919 % 5000000 "
            "FROM entries e WHERE e.race_id = :race"
        ),
        params,
    )
    score_race(session, race.id)
    return org.id, race.id


@pytest.fixture
def big_races(db: Database) -> tuple[int, int]:
    """Two tenants' big races, with planner statistics (what autovacuum gathers after a load)."""
    with db.session(Scope.operator()) as session:
        org_id, race_id = _big_race(session, "Big Timing")
        _big_race(session, "Other Timing")
    with db.owner_engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return org_id, race_id


def _plan(session: Session, statement: Executable | str, params: dict[str, object] | None = None) -> str:
    if not isinstance(statement, str):
        compiled = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        statement = str(compiled)
    return "\n".join(session.execute(text("EXPLAIN " + statement), params or {}).scalars())


class TestResultsPagePlan:
    def test_first_page_by_place_walks_the_place_index(
        self, db: Database, big_races: tuple[int, int]
    ) -> None:
        org_id, race_id = big_races
        with db.session(Scope.tenant(org_id)) as session:
            race = results_repository.race_for_results(session, race_id)
            assert race is not None
            for filters in (ResultFilters(), ResultFilters(sex="F")):
                plan = _plan(session, results_repository.results_page_query(race, filters, "place", 50, 0))
                assert "results_race_place_idx" in plan, plan
                assert "Seq Scan on results" not in plan, plan


class TestNameSearchPlan:
    def test_name_prefixes_can_use_the_folded_name_indexes(
        self, db: Database, big_races: tuple[int, int]
    ) -> None:
        org_id, _ = big_races
        words = ["nunez12"]
        sql, params = participants_repository.count_statement(words)
        with db.session(Scope.tenant(org_id)) as session:
            # Forced off the sequential scan to show the index is usable at all under row-level security
            # (a condition with a non-leakproof function could not use it, whatever the cost).
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = _plan(session, sql, params)
            found = participants_repository.count_matches(session, words)
        assert "persons_search_last_name_idx" in plan, plan
        assert "persons_search_first_name_idx" in plan, plan
        assert found == 22  # Núñez120, Núñez125, Núñez1200..Núñez1295: this tenant's only


class TestEntryDeletePlan:
    def test_an_entrys_awards_are_found_by_index_when_it_is_deleted(
        self, db: Database, big_races: tuple[int, int]
    ) -> None:
        org_id, race_id = big_races
        with db.session(Scope.tenant(org_id)) as session:
            entry_id = session.execute(
                text("SELECT entry_id FROM awards WHERE race_id = :r LIMIT 1"), {"r": race_id}
            ).scalar_one()
            # Forced off the sequential scan to show an index serves it at all: with millions of awards,
            # reading them all once per deleted entry made deleting a timing company's test marathon
            # (31,500 entries) take over ten minutes.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            # What the foreign key's ON DELETE CASCADE runs for every entry deleted.
            plan = _plan(session, "DELETE FROM ONLY awards WHERE entry_id = :e", {"e": entry_id})
        assert "awards_entry_idx" in plan, plan
