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
