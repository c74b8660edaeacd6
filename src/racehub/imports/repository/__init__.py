"""All SQL of the bundle import: typed staging tables filled by COPY, checks that name the first bad
line, then set-based merges that touch only rows that differ."""

from racehub.imports.repository.first_load import first_load_merges
from racehub.imports.repository.merges import (
    MERGES,
    SOURCES,
    analyze_bulk,
    analyze_map_entries,
    begin,
    bulk_load_begin,
    bulk_load_finish,
    create_work_tables,
    drop_erased,
    map_races,
    mark_placed,
    merge,
    touched_races,
)
from racehub.imports.repository.staging import (
    STAGING_TABLES,
    analyze,
    copy_into,
    create_staging,
    driver_connection,
    first_duplicate,
    first_finisher_without_time,
    first_unknown,
)

LOADED_TABLES = ("editions", "races", "persons", "entries", "results", "splits", "awards")

__all__ = [
    "LOADED_TABLES",
    "MERGES",
    "SOURCES",
    "STAGING_TABLES",
    "analyze",
    "analyze_bulk",
    "analyze_loaded",
    "analyze_map_entries",
    "begin",
    "bulk_load_begin",
    "bulk_load_finish",
    "copy_into",
    "create_staging",
    "create_work_tables",
    "driver_connection",
    "drop_erased",
    "first_duplicate",
    "first_finisher_without_time",
    "first_load_merges",
    "first_unknown",
    "map_races",
    "mark_placed",
    "merge",
    "touched_races",
]


def analyze_loaded(conn: object) -> None:
    """After a load (on an owner connection, outside a transaction): fresh planner statistics, and the
    visibility map set, so counts are answered from indexes and no reader pays for hint bits."""
    from sqlalchemy import Connection, text

    assert isinstance(conn, Connection)
    conn.execute(text(f"VACUUM (ANALYZE) {', '.join(LOADED_TABLES)}"))
