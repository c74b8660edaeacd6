"""Importing a racedata-v1 bundle: validate everything, then load in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from racehub.db import Database
from racehub.imports import repository
from racehub.imports.bundle import Bundle, load_bundle
from racehub.scoring.service import score_races

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class ImportReport:
    read: dict[str, int]
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    races_scored: int = 0

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())


def _with_org(bundle: Bundle) -> dict[str, list[tuple]]:
    """Staging rows, each carrying its tenant's legacy id so upserts can join without guessing."""
    event_org = {e[0]: e[1] for e in bundle.events}
    race_org = {r[0]: event_org[r[1]] for r in bundle.races}
    entry_org = {p[0]: race_org[p[1]] for p in bundle.participants}
    return {
        "stg_orgs": bundle.organizations,
        "stg_events": bundle.events,
        "stg_races": [(*r, race_org[r[0]]) for r in bundle.races],
        "stg_participants": [(*p, race_org[p[1]]) for p in bundle.participants],
        "stg_results": [(*r, entry_org[r[0]]) for r in bundle.results],
        "stg_splits": [(*s, entry_org[s[0]]) for s in bundle.splits],
    }


def import_bundle(session: Session, directory: Path, *, progress: Progress | None = None) -> ImportReport:
    """Load a bundle; the caller's transaction makes it all-or-nothing."""
    steps = 2 + len(repository.MERGES) + 1
    done = 0

    def tick(phase: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(phase, done, steps)

    bundle = load_bundle(
        directory, on_file=lambda name: progress and progress(f"reading {name}", done, steps)
    )
    tick("validated")
    report = ImportReport(read=bundle.counts)
    repository.create_staging(session)
    for table, rows in _with_org(bundle).items():
        repository.copy_rows(session, table, rows)
    repository.analyze_staging(session)
    tick("staged")
    for table, sql in repository.MERGES:
        inserted, updated = repository.merge(session, sql)
        report.inserted[table] = inserted
        report.updated[table] = updated
        tick(f"merged {table}")
    if report.changed:
        report.races_scored = len(score_races(session, repository.touched_races(session)))
    tick("scored")
    return report



def analyze_tables(database: Database) -> None:
    """Fresh planner statistics after a bulk load (as the owner: the app role owns no table)."""
    with database.owner_engine.connect() as conn:
        repository.analyze_loaded(conn.execution_options(isolation_level="AUTOCOMMIT"))
