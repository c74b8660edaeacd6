"""The racedata-v1 CSVs read plainly (without the code under test), and the synced rows to compare."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import text

from racehub.db import Database, Scope
from tests.conftest import BUNDLE

ENTRY_FIELDS = (
    "bib",
    "first_name",
    "last_name",
    "sex",
    "dob",
    "age",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "zip",
    "country",
    "team",
    "registered_at",
    "registration_source",
)


def _read(name: str) -> list[dict[str, str]]:
    with (Path(BUNDLE) / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def ms(value: str) -> int | None:
    """`H:MM:SS.t` as milliseconds (written here, not imported from the code under test)."""
    if not value:
        return None
    hours, minutes, seconds = value.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


@dataclass(frozen=True)
class EditionRows:
    event: dict[str, str]
    races: dict[str, dict[str, str]]  # race_id -> row
    entries: dict[str, dict[str, Any]]  # participant_id -> expected entry fields (+ race name)
    results: dict[str, tuple[str, int | None, int | None]]  # participant_id -> status, gun, chip
    splits: dict[str, set[tuple[str, float, int]]]


@lru_cache(maxsize=8)
def edition_rows(event_id: str) -> EditionRows:
    event = next(row for row in _read("ct_events.csv") if row["event_id"] == event_id)
    races = {row["race_id"]: row for row in _read("ct_races.csv") if row["event_id"] == event_id}
    entries: dict[str, dict[str, Any]] = {}
    for row in _read("ct_participants.csv"):
        if row["race_id"] in races:
            expected: dict[str, Any] = {name: (row[name] or None) for name in ENTRY_FIELDS}
            expected["age"] = int(row["age"])
            expected["race"] = races[row["race_id"]]["name"]
            entries[row["participant_id"]] = expected
    results = {
        row["participant_id"]: (row["status"], ms(row["gun_time"]), ms(row["chip_time"]))
        for row in _read("ct_results.csv")
        if row["participant_id"] in entries
    }
    splits: dict[str, set[tuple[str, float, int]]] = defaultdict(set)
    for row in _read("ct_splits.csv"):
        if row["participant_id"] in entries:
            chip = ms(row["chip_elapsed"])
            assert chip is not None
            splits[row["participant_id"]].add((row["split_name"], float(row["distance_m"]), chip))
    return EditionRows(event, races, entries, results, dict(splits))


def synced_entries(db: Database, org_id: int, provider: str) -> dict[str, dict[str, Any]]:
    """Entries by the vendor's external id, with the fields the bundle has."""
    columns = ", ".join(f"e.{name}" for name in ENTRY_FIELDS)
    with db.session(Scope.operator()) as session:
        rows = session.execute(
            text(
                f"SELECT x.external_id, {columns}, r.name FROM external_refs x "
                "JOIN entries e ON e.id = x.local_id "
                "JOIN races r ON r.id = e.race_id "
                "WHERE x.org_id = :org AND x.provider = :p AND x.kind = 'entry'"
            ),
            {"org": org_id, "p": provider},
        ).all()
    synced: dict[str, dict[str, Any]] = {}
    for row in rows:
        values = dict(zip((*ENTRY_FIELDS, "race"), row[1:], strict=True))
        values["dob"] = values["dob"].isoformat() if values["dob"] else None
        values["registered_at"] = values["registered_at"].isoformat() if values["registered_at"] else None
        synced[row[0]] = values
    return synced


def synced_results(db: Database, org_id: int, provider: str) -> dict[str, tuple[str, int | None, int | None]]:
    with db.session(Scope.operator()) as session:
        rows = session.execute(
            text(
                "SELECT x.external_id, re.status, re.gun_ms, re.chip_ms FROM external_refs x "
                "JOIN results re ON re.entry_id = x.local_id "
                "WHERE x.org_id = :org AND x.provider = :p AND x.kind = 'entry'"
            ),
            {"org": org_id, "p": provider},
        ).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def synced_splits(db: Database, org_id: int, provider: str) -> dict[str, set[tuple[str, float, int]]]:
    with db.session(Scope.operator()) as session:
        rows = session.execute(
            text(
                "SELECT x.external_id, sp.name, sp.distance_m, sp.chip_ms FROM external_refs x "
                "JOIN splits sp ON sp.entry_id = x.local_id "
                "WHERE x.org_id = :org AND x.provider = :p AND x.kind = 'entry'"
            ),
            {"org": org_id, "p": provider},
        ).all()
    found: dict[str, set[tuple[str, float, int]]] = defaultdict(set)
    for row in rows:
        found[row[0]].add((row[1], row[2], row[3]))
    return dict(found)


def table_counts(db: Database, org_id: int) -> dict[str, int]:
    tables = ("races", "entries", "persons", "results", "splits", "awards", "external_refs")
    with db.session(Scope.operator()) as session:
        return {
            table: int(
                session.execute(
                    text(f"SELECT count(*) FROM {table} WHERE org_id = :o"), {"o": org_id}
                ).scalar_one()
            )
            for table in tables
        }


def snapshot(db: Database, org_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced row of a tenant (ids included), to show a second run changed nothing."""
    queries = {
        "entries": "SELECT * FROM entries WHERE org_id = :o ORDER BY id",
        "results": "SELECT * FROM results WHERE org_id = :o ORDER BY entry_id",
        "splits": "SELECT * FROM splits WHERE org_id = :o ORDER BY entry_id, name",
        "awards": "SELECT * FROM awards WHERE org_id = :o ORDER BY id",
        "races": "SELECT * FROM races WHERE org_id = :o ORDER BY id",
        "persons": "SELECT * FROM persons WHERE org_id = :o ORDER BY id",
        "refs": "SELECT org_id, provider, kind, external_id, local_id, synced_at FROM external_refs "
        "WHERE org_id = :o ORDER BY 2, 3, 4",
    }
    with db.session(Scope.operator()) as session:
        return {
            name: [tuple(r) for r in session.execute(text(sql), {"o": org_id}).all()]
            for name, sql in queries.items()
        }
