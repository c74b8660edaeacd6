"""Reading, corrupting and cutting down racedata-v1 bundle files for tests (plain csv, no racehub code)."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Collection
from pathlib import Path

BUNDLE_FILES = (
    "organizations.csv",
    "ct_events.csv",
    "ct_races.csv",
    "ct_participants.csv",
    "ct_results.csv",
    "ct_splits.csv",
)


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of one bundle file."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [row for row in reader if row]


def write_table(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def read_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def edit_rows(path: Path, edit: Callable[[list[str], list[list[str]]], int]) -> int:
    """Rewrite a file through `edit(header, rows)` (which mutates in place); returns what edit returns."""
    header, rows = read_table(path)
    answer = edit(header, rows)
    write_table(path, header, rows)
    return answer


def data_rows(directory: Path) -> dict[str, int]:
    """Data rows (header excluded) per bundle file."""
    return {name: len(read_table(directory / name)[1]) for name in BUNDLE_FILES}


def copy_bundle(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def write_subset(source: Path, target: Path, editions: Collection[tuple[str, int]]) -> Path:
    """A smaller bundle holding only the named (event name, edition year) editions and what hangs off them."""
    target.mkdir(parents=True)
    events = [
        e for e in read_dicts(source / "ct_events.csv") if (e["name"], int(e["edition_year"])) in editions
    ]
    event_ids = {e["event_id"] for e in events}
    org_ids = {e["org_id"] for e in events}

    def subset(name: str, column: str, allowed: set[str], key: str | None = None) -> set[str]:
        header, rows = read_table(source / name)
        index = header.index(column)
        kept = [row for row in rows if row[index] in allowed]
        write_table(target / name, header, kept)
        if key is None:
            return set()
        key_index = header.index(key)
        return {row[key_index] for row in kept}

    subset("organizations.csv", "org_id", org_ids)
    subset("ct_events.csv", "event_id", event_ids)
    race_ids = subset("ct_races.csv", "event_id", event_ids, key="race_id")
    participant_ids = subset("ct_participants.csv", "race_id", race_ids, key="participant_id")
    subset("ct_results.csv", "participant_id", participant_ids)
    subset("ct_splits.csv", "participant_id", participant_ids)
    return target
