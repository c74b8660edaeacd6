"""A first load builds indexes once: they are dropped and rebuilt inside the import's transaction.

Added with the bulk path of the import (migration 0030): whatever the load did, the schema after it is
the schema before it, nothing is left pending, and the path is taken only for empty tables.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from racehub.db import Database, Scope
from racehub.imports import repository
from racehub.imports.service import import_bundle
from tests.imports.bundle_files import edit_rows
from tests.imports.db_state import assert_same_rows

BULK_TABLES = ("persons", "entries", "results", "splits", "awards")
SCHEMA = """
    SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(:t)
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE conrelid::regclass::text = ANY(:t) AND convalidated
    ORDER BY 1, 2"""


def schema_of(database: Database) -> list[tuple[str, str]]:
    with database.owner_engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(text(SCHEMA), {"t": list(BULK_TABLES)})]


class TestFirstLoadRebuildsTheSchema:
    def test_indexes_and_constraints_after_a_first_load_are_those_before(
        self, db: Database, small_bundle: Path
    ) -> None:
        before = schema_of(db)
        with db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)
        assert len(before) > 15
        assert schema_of(db) == before
        with db.owner_engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM racehub_bulk_ddl")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM entries")).scalar() > 0


class TestBulkPathOnlyForEmptyTables:
    def test_begin_declines_once_the_tables_hold_rows(self, db: Database, small_bundle: Path) -> None:
        with db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)
        with db.session(Scope.operator()) as session:
            assert session.execute(text("SELECT racehub_bulk_load_begin()")).scalar() is False
        assert schema_of(db)

    def test_a_commit_with_indexes_still_dropped_is_refused(self, db: Database) -> None:
        before = schema_of(db)
        with (
            pytest.raises(DBAPIError, match="bulk load not finished"),
            db.session(Scope.operator()) as session,
        ):
            assert session.execute(text("SELECT racehub_bulk_load_begin()")).scalar() is True
        assert schema_of(db) == before

    def test_the_application_role_cannot_read_the_pending_definitions(self, db: Database) -> None:
        with pytest.raises(DBAPIError, match="permission denied"), db.session(Scope.operator()) as session:
            session.execute(text("SELECT * FROM racehub_bulk_ddl"))


class TestFirstLoadWritesWhatMergesWrite:
    def test_the_same_rows_as_merging_into_empty_tables(
        self, db: Database, other_db: Database, small_bundle: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def shout_repeat_runners(header: list[str], rows: list[list[str]]) -> int:
            """A runner's later entries spell the name in capitals: each path must keep the first spelling."""
            first, last, dob = (header.index(c) for c in ("first_name", "last_name", "dob"))
            seen: set[tuple[str, str, str]] = set()
            shouted = 0
            for row in rows:
                key = (row[first].lower(), row[last].lower(), row[dob])
                if key in seen:
                    row[first], shouted = row[first].upper(), shouted + 1
                seen.add(key)
            return shouted

        assert edit_rows(small_bundle / "ct_participants.csv", shout_repeat_runners) > 0
        with db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)
        monkeypatch.setattr(repository, "bulk_load_begin", lambda session: False)
        with other_db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)

        assert_same_rows(db, other_db)


class TestFirstLoadKeepsARacesEntriesTogether:
    @pytest.mark.parametrize("interleaved", [False, True], ids=["file-grouped-by-race", "races-interleaved"])
    def test_each_races_entries_are_stored_side_by_side(
        self, db: Database, small_bundle: Path, interleaved: bool
    ) -> None:
        """Read in file order when the file keeps each race's rows together, else sorted by race: either
        way a race's entries (and so its pages of results) sit together on disk."""
        if interleaved:

            def shuffle(header: list[str], rows: list[list[str]]) -> int:
                random.Random(7).shuffle(rows)
                return len(rows)

            edit_rows(small_bundle / "ct_participants.csv", shuffle)
        with db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)
        with db.owner_engine.connect() as conn:
            stored_order = list(conn.execute(text("SELECT race_id FROM entries ORDER BY ctid")).scalars())
        runs = [race for race, _ in itertools.groupby(stored_order)]
        assert len(set(stored_order)) > 1
        assert len(runs) == len(set(runs)), "a race's entries are split across the table"
