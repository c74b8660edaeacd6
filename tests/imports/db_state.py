"""What a test database holds, read through the owner connection (row-level security does not filter it)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text

from racehub.db import Database

PUBLIC_TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'alembic_version'
    ORDER BY c.relname"""


def public_tables(database: Database) -> list[str]:
    with database.owner_engine.connect() as conn:
        return list(conn.execute(text(PUBLIC_TABLES)).scalars())


def row_counts(database: Database) -> dict[str, int]:
    with database.owner_engine.connect() as conn:
        tables = conn.execute(text(PUBLIC_TABLES)).scalars().all()
        return {t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in tables}


def checksums(database: Database) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row's text in a fixed order) per table."""
    with database.owner_engine.connect() as conn:
        tables = conn.execute(text(PUBLIC_TABLES)).scalars().all()
        sums = {}
        for table in tables:
            count, digest = conn.execute(
                text(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                    f'FROM "{table}" t'
                )
            ).one()
            sums[table] = (int(count), str(digest))
        return sums


def row_texts(database: Database) -> dict[str, Counter[str]]:
    """Every row of every table as text (for small databases)."""
    with database.owner_engine.connect() as conn:
        tables = conn.execute(text(PUBLIC_TABLES)).scalars().all()
        return {t: Counter(conn.execute(text(f'SELECT t::text FROM "{t}" t')).scalars()) for t in tables}


# Each table's rows with every generated id replaced by the bundle's ids or natural keys, so that two
# databases loaded in different ways can be compared row for row.
PORTABLE_ROWS = {
    "persons": """
        SELECT o.legacy_id, p.first_name, p.last_name, p.dob, p.sex, p.search_first_name, p.search_last_name
        FROM persons p JOIN organizations o ON o.id = p.org_id""",
    "entries": """
        SELECT e.legacy_id, o.legacy_id, r.legacy_id, p.first_name, p.last_name, p.dob,
               e.bib, e.first_name, e.last_name, e.sex, e.dob, e.age, e.email, e.phone, e.address1, e.city,
               e.state, e.zip, e.country, e.team, e.registered_at, e.registration_source
        FROM entries e JOIN organizations o ON o.id = e.org_id JOIN races r ON r.id = e.race_id
        LEFT JOIN persons p ON p.id = e.person_id""",
    "results": """
        SELECT e.legacy_id, o.legacy_id, r.legacy_id, re.status, re.gun_ms, re.chip_ms, re.overall_place,
               re.sex_place, re.age_group, re.age_group_place
        FROM results re JOIN entries e ON e.id = re.entry_id JOIN organizations o ON o.id = re.org_id
        JOIN races r ON r.id = re.race_id""",
    "splits": """
        SELECT e.legacy_id, o.legacy_id, s.name, s.distance_m, s.chip_ms
        FROM splits s JOIN entries e ON e.id = s.entry_id JOIN organizations o ON o.id = s.org_id""",
    "awards": """
        SELECT r.legacy_id, e.legacy_id, o.legacy_id, a.category, a.sex, a.age_group, a.award_place
        FROM awards a JOIN entries e ON e.id = a.entry_id JOIN races r ON r.id = a.race_id
        JOIN organizations o ON o.id = a.org_id""",
    "scored races": "SELECT legacy_id FROM races WHERE scored_at IS NOT NULL",
}


def portable_rows(database: Database) -> dict[str, list[str]]:
    with database.owner_engine.connect() as conn:
        return {
            name: sorted(str(tuple(row)) for row in conn.execute(text(sql)))
            for name, sql in PORTABLE_ROWS.items()
        }


def assert_same_rows(expected: Database, actual: Database) -> None:
    """Both databases hold the same rows in every table of PORTABLE_ROWS, and none of those is empty."""
    wanted = portable_rows(expected)
    assert all(wanted.values()), {name: len(rows) for name, rows in wanted.items()}
    assert portable_rows(actual) == wanted
