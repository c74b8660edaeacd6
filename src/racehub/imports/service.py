"""Importing a racedata-v1 bundle: stream and check every file, then merge, in one transaction.

Nothing of the bundle is held in memory: each file streams into a staging table, its cells checked
row by row on the way; checks that span rows or files run in SQL on the staged rows and name the
first offending line. The caller's transaction makes the whole import all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from racehub.db import Database
from racehub.errors import ImportFailed
from racehub.imports import checks, repository
from racehub.imports.bundle import FILES
from racehub.imports.stream import StagedFile, stage_file
from racehub.live import service as live
from racehub.scoring.service import score_races

Progress = Callable[[str, int, int], None]  # (phase, done, total)
READ_NAMES = {
    "organizations.csv": "organizations",
    "ct_events.csv": "events",
    "ct_races.csv": "races",
    "ct_participants.csv": "participants",
    "ct_results.csv": "results",
    "ct_splits.csv": "splits",
}


@dataclass
class ImportReport:
    read: dict[str, int]
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    races_scored: int = 0
    erased_skipped: int = 0  # participants erased in their tenant, left out with their results

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())


def stage_bundle(
    session: Session, directory: Path, progress: Progress | None = None
) -> dict[str, StagedFile]:
    """Every file into its staging table, checked; ImportFailed names the bundle's first bad line."""
    if not directory.is_dir():
        raise ImportFailed(str(directory), 0, None, "not a directory")
    context = checks.Context()
    staged: dict[str, StagedFile] = {}
    for file in FILES:
        try:
            provers = partial(checks.provers, file, context)
            staged_file, failure = stage_file(session, directory / file, provers, progress)
        except ImportFailed as failure:
            # Rows of earlier files were checked row by row only; their cross-row checks come first.
            raise checks.locate(session, staged, deferred=True) or failure from None
        staged[file] = staged_file
        if failure is not None:
            raise checks.locate(session, staged, deferred=True) or failure
        repository.analyze(session, staged_file.table)
    problem = checks.locate(session, staged, deferred=False)
    if problem is not None:
        raise checks.locate(session, staged, upto=problem.file, deferred=True) or problem
    return staged


def import_bundle(session: Session, directory: Path, *, progress: Progress | None = None) -> ImportReport:
    """Load a bundle; the caller's transaction makes it all-or-nothing."""
    repository.begin(session)
    live.log_per_race(session)  # live clients reload a race an import changed, rather than row by row
    staged = stage_bundle(session, directory, progress)
    report = ImportReport(read={READ_NAMES[f]: staged[f].rows for f in FILES})
    repository.create_work_tables(session)
    paused = live.pause_for_first_load(session)  # before the bulk load: see racehub_changes_pause()
    bulk = repository.bulk_load_begin(session)
    grouped = staged["ct_participants.csv"].proven(checks.GROUPED_BY_RACE)
    merges = repository.first_load_merges(grouped_by_race=grouped) if bulk else repository.MERGES
    steps = len(merges) + 2
    for step, (table, sql) in enumerate(merges):
        if progress:
            progress(f"merging {table}", step, steps)
        inserted, updated, source = repository.merge(session, sql)
        expected = repository.SOURCES.get(table)
        if expected is not None and source is not None and source < staged[expected].rows:
            # Some row referenced nothing: name the first problem of the bundle.
            raise checks.locate(session, staged, deferred=True) or ImportFailed(
                expected, 0, None, f"{staged[expected].rows - source} rows reference no known row"
            )
        report.inserted[table], report.updated[table] = inserted, updated
        if table == "races":
            repository.map_races(session)
            dropped = repository.drop_erased(session)
            for file, rows in dropped.items():
                staged[file].rows -= rows
            report.erased_skipped = dropped.get("ct_participants.csv", 0)
        elif table == "persons" and bulk:
            repository.analyze_bulk(session, "persons")  # entries are matched to the persons just written
        elif table == "entries":
            repository.analyze_map_entries(session)
    if bulk:
        if progress:
            progress("rebuilding indexes", steps - 2, steps)
        repository.bulk_load_finish(session)
    if progress:
        progress("scoring", steps - 1, steps)
    touched, placed = repository.touched_races(session)
    repository.mark_placed(session, sorted(placed))
    score_races(session, [race for race in touched if race not in placed])
    if paused:
        live.resume_after_first_load(session, sorted(touched))
    report.races_scored = len(touched)
    if progress:
        progress("done", steps, steps)
    return report


def analyze_tables(database: Database) -> None:
    """Fresh planner statistics after a bulk load (as the owner: the app role owns no table)."""
    with database.owner_engine.connect() as conn:
        connection: Connection = conn.execution_options(isolation_level="AUTOCOMMIT")
        repository.analyze_loaded(connection)
