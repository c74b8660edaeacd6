"""Importing a racedata-v1 bundle: counts, people, tenants, idempotence, single-cell updates, bad bundles."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql as pgsql
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.errors import ImportFailed
from racehub.imports import repository
from racehub.imports.service import ImportReport, import_bundle
from tests.conftest import make_database
from tests.imports.bundle_files import data_rows, edit_rows, read_dicts
from tests.imports.db_state import checksums, row_counts, row_texts

RACEHUB = Path(sys.executable).with_name("racehub")
# The figures racedata-v1's README publishes; only meaningful for the shared bundle itself.
PUBLISHED = {
    "organizations.csv": 3,
    "ct_events.csv": 34,
    "ct_races.csv": 54,
    "ct_participants.csv": 49_030,
    "ct_results.csv": 47_732,
    "ct_splits.csv": 53_235,
}
MERGED_TABLES = (
    "organizations",
    "event_series",
    "editions",
    "races",
    "persons",
    "entries",
    "results",
    "splits",
)


def run_import(database: Database, directory: Path) -> ImportReport:
    with database.session(Scope.operator()) as session:
        return import_bundle(session, directory)


def org_ids(database: Database) -> dict[str, int]:
    """Local organization id per bundle org_id."""
    with database.session(Scope.operator()) as session:
        rows = session.execute(text("SELECT legacy_id, id FROM organizations")).all()
    return {str(legacy): local for legacy, local in rows}


def person_key(p: dict[str, str]) -> tuple[str, str, str]:
    return p["first_name"], p["last_name"], p["dob"]


def participant_orgs(directory: Path) -> dict[str, str]:
    """Bundle org_id of every participant_id, through race and event."""
    event_org = {e["event_id"]: e["org_id"] for e in read_dicts(directory / "ct_events.csv")}
    race_org = {r["race_id"]: event_org[r["event_id"]] for r in read_dicts(directory / "ct_races.csv")}
    return {
        p["participant_id"]: race_org[p["race_id"]] for p in read_dicts(directory / "ct_participants.csv")
    }


def assert_empty(database: Database) -> None:
    counts = row_counts(database)
    assert counts, "no tables found"
    assert {t: n for t, n in counts.items() if n} == {}


def expected_rows(directory: Path) -> dict[str, int]:
    """Rows each merged table should hold after importing `directory`, computed from its CSV files."""
    files = data_rows(directory)
    series = {(e["org_id"], e["name"]) for e in read_dicts(directory / "ct_events.csv")}
    orgs = participant_orgs(directory)
    people = {
        (orgs[p["participant_id"]], *person_key(p)) for p in read_dicts(directory / "ct_participants.csv")
    }
    return {
        "organizations": files["organizations.csv"],
        "event_series": len(series),
        "editions": files["ct_events.csv"],
        "races": files["ct_races.csv"],
        "persons": len(people),
        "entries": files["ct_participants.csv"],
        "results": files["ct_results.csv"],
        "splits": files["ct_splits.csv"],
    }


@dataclass(frozen=True)
class TwoImports:
    first: ImportReport
    second: ImportReport
    after_first: dict[str, tuple[int, str]]  # table -> (rows, md5)
    after_second: dict[str, tuple[int, str]]


@pytest.fixture(scope="module")
def two_imports(
    pg_admin_url: str, template_db: str, test_settings: Settings, bundle_dir: Path
) -> Iterator[TwoImports]:
    """The bundle imported twice into a fresh database of this module's own, with checksums after each."""
    name, database = make_database(pg_admin_url, template_db, test_settings, "racehub_twice")
    try:
        first = run_import(database, bundle_dir)
        after_first = checksums(database)
        second = run_import(database, bundle_dir)
        yield TwoImports(first, second, after_first, checksums(database))
    finally:
        database.dispose()
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


class TestBundleCounts:
    def test_first_import_reads_and_inserts_every_row(
        self, two_imports: TwoImports, bundle_dir: Path
    ) -> None:
        files = data_rows(bundle_dir)
        assert two_imports.first.read == {
            "organizations": files["organizations.csv"],
            "events": files["ct_events.csv"],
            "races": files["ct_races.csv"],
            "participants": files["ct_participants.csv"],
            "results": files["ct_results.csv"],
            "splits": files["ct_splits.csv"],
        }
        assert two_imports.first.inserted == expected_rows(bundle_dir)
        assert set(two_imports.first.updated.values()) == {0}
        assert two_imports.first.races_scored == files["ct_races.csv"]

    def test_tables_hold_every_row(self, two_imports: TwoImports, bundle_dir: Path) -> None:
        expected = expected_rows(bundle_dir)
        stored = {table: two_imports.after_first[table][0] for table in expected}
        assert stored == expected
        assert two_imports.after_first["awards"][0] > 0

    @pytest.mark.skipif(
        os.environ.get("RACEHUB_TEST_BUNDLE") is not None, reason="another bundle is configured"
    )
    def test_shared_bundle_has_the_published_size(self, bundle_dir: Path) -> None:
        assert data_rows(bundle_dir) == PUBLISHED


class TestPersonsResolvedAcrossEditions:
    def test_one_person_per_distinct_name_and_birth_date_in_each_org(
        self, bundle_db: Database, bundle_dir: Path
    ) -> None:
        orgs = participant_orgs(bundle_dir)
        triples: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        for p in read_dicts(bundle_dir / "ct_participants.csv"):
            triples[orgs[p["participant_id"]]].add(person_key(p))
        local = org_ids(bundle_db)
        with bundle_db.session(Scope.operator()) as session:
            per_org = dict(
                session.execute(text("SELECT org_id, count(*) FROM persons GROUP BY org_id")).all()
            )
            unlinked = session.execute(text("SELECT count(*) FROM entries WHERE person_id IS NULL")).scalar()
        assert per_org == {local[org]: len(people) for org, people in triples.items()}
        assert unlinked == 0

    def test_a_repeat_runner_is_one_person_in_every_edition(
        self, bundle_db: Database, bundle_dir: Path
    ) -> None:
        race_event = {r["race_id"]: r["event_id"] for r in read_dicts(bundle_dir / "ct_races.csv")}
        orgs = participant_orgs(bundle_dir)
        editions: dict[tuple[str, ...], set[str]] = defaultdict(set)
        entry_ids: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for p in read_dicts(bundle_dir / "ct_participants.csv"):
            key = (orgs[p["participant_id"]], *person_key(p))
            editions[key].add(race_event[p["race_id"]])
            entry_ids[key].add(int(p["participant_id"]))
        runner = max(editions, key=lambda k: (len(editions[k]), k))
        assert len(editions[runner]) >= 3
        with bundle_db.session(Scope.operator()) as session:
            rows = session.execute(
                text(
                    "SELECT DISTINCT en.person_id, pe.first_name, pe.last_name, pe.dob::text, r.edition_id "
                    "FROM entries en JOIN persons pe ON pe.id = en.person_id "
                    "JOIN races r ON r.id = en.race_id "
                    "WHERE en.legacy_id = ANY(:ids)"
                ),
                {"ids": sorted(entry_ids[runner])},
            ).all()
        assert {(r[0], r[1], r[2], r[3]) for r in rows} == {(rows[0][0], *runner[1:])}
        assert len({r[4] for r in rows}) == len(editions[runner])

    def test_namesakes_with_different_birth_dates_are_different_people(
        self, bundle_db: Database, bundle_dir: Path
    ) -> None:
        orgs = participant_orgs(bundle_dir)
        dobs: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
        for p in read_dicts(bundle_dir / "ct_participants.csv"):
            dobs[(orgs[p["participant_id"]], p["first_name"], p["last_name"])][p["dob"]] = int(
                p["participant_id"]
            )
        namesakes = next(by_dob for by_dob in dobs.values() if len(by_dob) > 1)
        with bundle_db.session(Scope.operator()) as session:
            persons = (
                session.execute(
                    text("SELECT DISTINCT person_id FROM entries WHERE legacy_id = ANY(:ids)"),
                    {"ids": list(namesakes.values())},
                )
                .scalars()
                .all()
            )
        assert len(persons) == len(namesakes)


class TestEventsLandInTheirTenant:
    def test_each_tenant_sees_exactly_its_own_editions(self, bundle_db: Database, bundle_dir: Path) -> None:
        expected: dict[str, set[tuple[str, int]]] = defaultdict(set)
        for e in read_dicts(bundle_dir / "ct_events.csv"):
            expected[e["org_id"]].add((e["name"], int(e["edition_year"])))
        local = org_ids(bundle_db)
        assert set(local) == {o["org_id"] for o in read_dicts(bundle_dir / "organizations.csv")}
        for legacy, org_id in local.items():
            with bundle_db.session(Scope.tenant(org_id)) as session:
                rows = session.execute(
                    text("SELECT s.name, ed.year FROM editions ed JOIN event_series s ON s.id = ed.series_id")
                ).all()
                seen = {(name, year) for name, year in rows}
                orgs_seen = session.execute(text("SELECT id FROM organizations")).scalars().all()
            assert seen == expected[legacy]
            assert orgs_seen == [org_id]


class TestReimportChangesNothing:
    def test_second_import_reports_nothing_inserted_or_updated(self, two_imports: TwoImports) -> None:
        second = two_imports.second
        assert second.read == two_imports.first.read
        assert second.inserted == dict.fromkeys(MERGED_TABLES, 0)
        assert second.updated == dict.fromkeys(MERGED_TABLES, 0)
        assert (second.changed, second.races_scored) == (0, 0)

    def test_every_table_is_unchanged_including_places_and_awards(self, two_imports: TwoImports) -> None:
        assert {"results", "awards", "races", "persons"} <= set(two_imports.after_first)
        assert two_imports.after_first["awards"][0] > 0
        assert two_imports.after_second == two_imports.after_first


def diff_rows(
    before: dict[str, Counter[str]], after: dict[str, Counter[str]]
) -> dict[str, tuple[list[str], list[str]]]:
    """Per table with any difference: (rows gone, rows new)."""
    changes = {}
    for table in before.keys() | after.keys():
        gone = sorted((before.get(table, Counter()) - after.get(table, Counter())).elements())
        new = sorted((after.get(table, Counter()) - before.get(table, Counter())).elements())
        if gone or new:
            changes[table] = (gone, new)
    return changes


class TestChangedCellUpdatesThatRow:
    def test_a_new_email_updates_one_entry_and_nothing_else(self, db: Database, small_bundle: Path) -> None:
        run_import(db, small_bundle)
        before = row_texts(db)

        def new_email(header: list[str], rows: list[list[str]]) -> int:
            row = rows[len(rows) // 2]
            row[header.index("email")] = "moved.house@example.org"
            return int(row[header.index("participant_id")])

        participant = edit_rows(small_bundle / "ct_participants.csv", new_email)
        report = run_import(db, small_bundle)

        assert report.inserted == dict.fromkeys(MERGED_TABLES, 0)
        assert report.updated == {**dict.fromkeys(MERGED_TABLES, 0), "entries": 1}
        changes = diff_rows(before, row_texts(db))
        assert list(changes) == ["entries"]
        gone, new = changes["entries"]
        assert len(gone) == len(new) == 1
        assert "moved.house@example.org" in new[0]
        assert "moved.house@example.org" not in gone[0]
        with db.session(Scope.operator()) as session:
            email = session.execute(
                text("SELECT email FROM entries WHERE legacy_id = :p"), {"p": participant}
            ).scalar_one()
        assert email == "moved.house@example.org"


class TestChangedResultIsRescored:
    def test_a_faster_time_moves_the_runner_up_and_touches_only_that_race(
        self, db: Database, small_bundle: Path
    ) -> None:
        run_import(db, small_bundle)
        with db.session(Scope.operator()) as session:
            race_id, legacy = session.execute(
                text(
                    "SELECT re.race_id, en.legacy_id FROM results re JOIN entries en ON en.id = re.entry_id "
                    "WHERE re.status = 'FIN' AND re.overall_place IS NOT NULL "
                    "ORDER BY re.overall_place DESC, en.id LIMIT 1"
                )
            ).one()
            others_before = session.execute(
                text(
                    "SELECT count(*), md5(string_agg(r::text, ',' ORDER BY entry_id)) FROM results r "
                    "WHERE race_id <> :race"
                ),
                {"race": race_id},
            ).one()

        def faster(header: list[str], rows: list[list[str]]) -> int:
            for row in rows:
                if row[0] == str(legacy):
                    row[header.index("gun_time")] = row[header.index("chip_time")] = "0:00:01.0"
                    return 1
            return 0

        assert edit_rows(small_bundle / "ct_results.csv", faster) == 1
        report = run_import(db, small_bundle)

        assert report.updated == {**dict.fromkeys(MERGED_TABLES, 0), "results": 1}
        with db.session(Scope.operator()) as session:
            place, sex_place = session.execute(
                text(
                    "SELECT re.overall_place, re.sex_place FROM results re "
                    "JOIN entries en ON en.id = re.entry_id "
                    "WHERE en.legacy_id = :p"
                ),
                {"p": legacy},
            ).one()
            award = session.execute(
                text(
                    "SELECT a.award_place FROM awards a JOIN entries en ON en.id = a.entry_id "
                    "WHERE en.legacy_id = :p AND a.category = 'overall'"
                ),
                {"p": legacy},
            ).scalar_one_or_none()
            others_after = session.execute(
                text(
                    "SELECT count(*), md5(string_agg(r::text, ',' ORDER BY entry_id)) FROM results r "
                    "WHERE race_id <> :race"
                ),
                {"race": race_id},
            ).one()
        assert (place, sex_place, award) == (1, 1, 1)
        assert others_after == others_before


@dataclass(frozen=True)
class Corruption:
    file: str
    column: str | None
    damage: Callable[[Path], int]  # corrupts the bundle copy, returns the bad line (1 = header)


def _bad_time(directory: Path) -> int:
    def edit(header: list[str], rows: list[list[str]]) -> int:
        status = header.index("status")
        index = [i for i, row in enumerate(rows) if row[status] == "FIN"][50]
        rows[index][header.index("gun_time")] = "2:6x:00.0"
        return index + 2

    return edit_rows(directory / "ct_results.csv", edit)


def _untimed_finisher(directory: Path) -> int:
    def edit(header: list[str], rows: list[list[str]]) -> int:
        status = header.index("status")
        index = [i for i, row in enumerate(rows) if row[status] == "FIN"][70]
        rows[index][header.index("gun_time")] = rows[index][header.index("chip_time")] = ""
        return index + 2

    return edit_rows(directory / "ct_results.csv", edit)


def _set_participant_cell(column: str, value: str, index: int) -> Callable[[Path], int]:
    def damage(directory: Path) -> int:
        def edit(header: list[str], rows: list[list[str]]) -> int:
            rows[index][header.index(column)] = value
            return index + 2

        return edit_rows(directory / "ct_participants.csv", edit)

    return damage


def _duplicate_participant(directory: Path) -> int:
    def edit(header: list[str], rows: list[list[str]]) -> int:
        rows[300][0] = rows[10][0]
        return 300 + 2

    return edit_rows(directory / "ct_participants.csv", edit)


def _drop_races_column(directory: Path) -> int:
    def edit(header: list[str], rows: list[list[str]]) -> int:
        index = header.index("placement_basis")
        del header[index]
        for row in rows:
            del row[index]
        return 1

    return edit_rows(directory / "ct_races.csv", edit)


def _latin1_name(directory: Path) -> int:
    path = directory / "ct_participants.csv"
    lines = path.read_bytes().split(b"\n")
    index = len(lines) // 2
    fields = lines[index].split(b",")
    fields[3] = "Jos\u00e9".encode("latin-1")  # first_name, as a legacy Windows export would write it
    lines[index] = b",".join(fields)
    path.write_bytes(b"\n".join(lines))
    return index + 1


def _unterminated_quote(directory: Path, *, from_end: int | None = None) -> int:
    path = directory / "ct_participants.csv"
    lines = path.read_bytes().split(b"\n")
    index = len(lines) // 3 if from_end is None else len(lines) - from_end
    fields = lines[index].split(b",")
    fields[3] = b'"' + fields[3]  # a quote that opens a cell and never closes: the rest of the file is in it
    lines[index] = b",".join(fields)
    path.write_bytes(b"\n".join(lines))
    return index + 1


def _remove_splits(directory: Path) -> int:
    (directory / "ct_splits.csv").unlink()
    return 0


CORRUPTIONS = [
    pytest.param(Corruption("ct_results.csv", "gun_time", _bad_time), id="bad-time"),
    pytest.param(Corruption("ct_results.csv", "gun_time", _untimed_finisher), id="untimed-finisher"),
    pytest.param(
        Corruption("ct_participants.csv", "race_id", _set_participant_cell("race_id", "999999999", 100)),
        id="unknown-race",
    ),
    pytest.param(Corruption("ct_races.csv", "placement_basis", _drop_races_column), id="missing-column"),
    pytest.param(
        Corruption("ct_participants.csv", "sex", _set_participant_cell("sex", "Q", 200)), id="bad-sex"
    ),
    pytest.param(
        Corruption("ct_participants.csv", "participant_id", _duplicate_participant),
        id="duplicate-participant",
    ),
    pytest.param(
        Corruption("ct_participants.csv", "dob", _set_participant_cell("dob", "1990-02-30", 400)),
        id="bad-date",
    ),
    pytest.param(Corruption("ct_participants.csv", None, _latin1_name), id="not-utf8"),
    pytest.param(Corruption("ct_participants.csv", None, _unterminated_quote), id="unterminated-quote"),
    pytest.param(
        Corruption("ct_participants.csv", None, lambda d: _unterminated_quote(d, from_end=4)),
        id="unterminated-quote-near-the-end",  # the csv module reads to the end without complaint
    ),
    pytest.param(Corruption("ct_splits.csv", None, _remove_splits), id="missing-file"),
]


# Each CLI run costs a Python start-up: one of each kind of failure (a cell, a header, an encoding, a file).
CLI_CORRUPTIONS = [
    c
    for c in CORRUPTIONS
    if c.id in ("bad-time", "missing-column", "not-utf8", "unterminated-quote", "missing-file")
]


def where(corruption: Corruption, line: int) -> str:
    """The location an ImportFailed message must start with (a missing file has no line)."""
    if line == 0:
        return f"{corruption.file}, "
    if corruption.column is None:
        return f"{corruption.file}, line {line}: "
    return f"{corruption.file}, line {line}, column {corruption.column}: "


class TestMalformedBundleRejected:
    @pytest.mark.parametrize("corruption", CORRUPTIONS)
    def test_import_names_the_bad_cell_and_writes_nothing(
        self, db: Database, bundle_copy: Path, corruption: Corruption
    ) -> None:
        line = corruption.damage(bundle_copy)

        with pytest.raises(ImportFailed) as caught, db.session(Scope.operator()) as session:
            import_bundle(session, bundle_copy)

        error = caught.value
        assert error.file == corruption.file
        assert error.column == corruption.column
        assert error.line == line
        assert error.message.startswith(where(corruption, line))
        assert_empty(db)


def run_cli(
    database: Database, home: Path, bundle: Path, *, columns: int | None = None
) -> subprocess.CompletedProcess[str]:
    """`racehub import racedata BUNDLE` against the test database, as a user would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACEHUB_") and k != "COLUMNS"}
    env["RACEHUB_DATABASE_URL"] = database.owner_url.render_as_string(hide_password=False)
    env["RACEHUB_HOME"] = str(home)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [str(RACEHUB), "import", "racedata", str(bundle)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestMalformedBundleRejectedByCli:
    @pytest.mark.parametrize("corruption", CLI_CORRUPTIONS)
    def test_cli_exits_1_with_one_error_line_and_writes_nothing(
        self, db: Database, bundle_copy: Path, tmp_path: Path, corruption: Corruption
    ) -> None:
        line = corruption.damage(bundle_copy)

        done = run_cli(db, tmp_path, bundle_copy)

        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        errors = [text_line for text_line in done.stderr.splitlines() if text_line.startswith("error:")]
        assert len(errors) == 1, done.stderr
        assert errors[0].startswith(f"error: {where(corruption, line)}")
        assert_empty(db)


class TestCliErrorIsOneLine:
    def test_whole_message_on_one_line(self, db: Database, bundle_copy: Path, tmp_path: Path) -> None:
        _bad_time(bundle_copy)
        with pytest.raises(ImportFailed) as caught, db.session(Scope.operator()) as session:
            import_bundle(session, bundle_copy)

        done = run_cli(db, tmp_path, bundle_copy, columns=80)

        assert f"error: {caught.value.message}" in done.stderr.splitlines()


def _same_slug(header: list[str], rows: list[list[str]]) -> int:
    rows[1][header.index("slug")] = rows[0][header.index("slug")]
    return 3


def _same_edition(header: list[str], rows: list[list[str]]) -> int:
    name, year = header.index("name"), header.index("edition_year")
    twin = next(i for i, row in enumerate(rows) if i > 0 and row[name] == rows[0][name])
    rows[twin][year] = rows[0][year]
    return twin + 2


def _same_split(header: list[str], rows: list[list[str]]) -> int:
    rows.insert(2, list(rows[0]))
    return 4


class TestNaturalKeyDuplicatesRejected:
    @pytest.mark.parametrize(
        ("file", "column", "duplicate"),
        [
            pytest.param("organizations.csv", "slug", _same_slug, id="slug"),
            pytest.param("ct_events.csv", "edition_year", _same_edition, id="edition"),
            pytest.param("ct_splits.csv", "split_name", _same_split, id="split"),
        ],
    )
    def test_duplicate_natural_key_is_named_not_a_database_error(
        self,
        db: Database,
        small_bundle: Path,
        file: str,
        column: str,
        duplicate: Callable[[list[str], list[list[str]]], int],
    ) -> None:
        line = edit_rows(small_bundle / file, duplicate)

        with pytest.raises(ImportFailed) as caught, db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)

        assert (caught.value.file, caught.value.line, caught.value.column) == (file, line, column)
        assert_empty(db)


# A last step that fails once every table has been written.
FAILING_STEP = ("splits", "SELECT (1 / (SELECT count(*) - count(*) FROM splits)) = 1")


class TestImportIsOneTransaction:
    def test_failure_in_the_last_step_of_a_first_load_leaves_nothing_behind(
        self, db: Database, small_bundle: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first_load = repository.first_load_merges
        monkeypatch.setattr(repository, "first_load_merges", lambda **kw: (*first_load(**kw), FAILING_STEP))

        with pytest.raises(DBAPIError, match="division by zero"), db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)

        assert_empty(db)

    def test_failure_in_the_last_step_of_a_merge_leaves_the_tables_as_they_were(
        self, db: Database, small_bundle: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        run_import(db, small_bundle)
        before = checksums(db)

        def new_email(header: list[str], rows: list[list[str]]) -> int:
            rows[0][header.index("email")] = "moved.house@example.org"
            return 0

        edit_rows(small_bundle / "ct_participants.csv", new_email)
        monkeypatch.setattr(repository, "MERGES", (*repository.MERGES, FAILING_STEP))

        with pytest.raises(DBAPIError, match="division by zero"), db.session(Scope.operator()) as session:
            import_bundle(session, small_bundle)

        assert checksums(db) == before
