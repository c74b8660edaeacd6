"""Checks that span rows or files, run in SQL on the staging tables: duplicate ids and natural keys,
references to rows of other files. Each finds the first offending line; `locate` picks the bundle's
first problem the way a row-by-row reader would meet it: by file, then line, then the order the checks
apply to one row.

Provers watch the rows as they stream by and retire a check the data makes moot (ids that only ever
increase cannot repeat), so a clean 7-million-row file costs no extra pass. "Deferred" checks are left
to the merges, which notice when a row referenced nothing; only then are they run to name the line.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from racehub.errors import ImportFailed
from racehub.imports.bundle import FILES
from racehub.imports.repository import (
    STAGING_TABLES,
    first_duplicate,
    first_finisher_without_time,
    first_unknown,
)
from racehub.imports.stream import Prover, StagedFile

Finding = tuple[int, str]  # (line, problem)
GROUPED_BY_RACE = "grouped by race"  # what a prover of participants shows: each race's rows stand together


@dataclass(frozen=True)
class Check:
    name: str
    file: str
    priority: int  # the order the row-by-row reader applies checks to one row
    column: str
    run: Callable[[Session], Finding | None]
    deferred: bool = False


def _duplicate_id(file: str, key: str) -> Check:
    def run(session: Session) -> Finding | None:
        found = first_duplicate(session, STAGING_TABLES[file], [key])
        return None if found is None else (found[0], f"duplicate id {found[1][0]}")

    return Check(f"duplicate {key}", file, 1, key, run)


def _duplicate_key(file: str, columns: tuple[str, ...], priority: int) -> Check:
    def run(session: Session) -> Finding | None:
        found = first_duplicate(session, STAGING_TABLES[file], columns)
        return None if found is None else (found[0], f"duplicate {', '.join(columns)} {found[1]}")

    return Check(f"duplicate {', '.join(columns)}", file, priority, columns[-1], run)


def _unknown(file: str, column: str, ref_file: str, priority: int, *, deferred: bool = False) -> Check:
    def run(session: Session) -> Finding | None:
        found = first_unknown(session, STAGING_TABLES[file], column, STAGING_TABLES[ref_file], column)
        return None if found is None else (found[0], f"unknown {column} {found[1]}")

    return Check(f"unknown {column}", file, priority, column, run, deferred)


def _second_result(session: Session) -> Finding | None:
    found = first_duplicate(session, STAGING_TABLES["ct_results.csv"], ["participant_id"])
    return None if found is None else (found[0], "second result for one entry")


def _untimed_finisher(session: Session) -> Finding | None:
    found = first_finisher_without_time(session, STAGING_TABLES["ct_results.csv"])
    return None if found is None else (found[0], "a finisher needs a gun or chip time")


CHECKS: dict[str, list[Check]] = {
    "organizations.csv": [
        _duplicate_id("organizations.csv", "org_id"),
        _duplicate_key("organizations.csv", ("slug",), 2),
    ],
    "ct_events.csv": [
        _duplicate_id("ct_events.csv", "event_id"),
        _unknown("ct_events.csv", "org_id", "organizations.csv", 2),
        _duplicate_key("ct_events.csv", ("org_id", "name", "edition_year"), 3),
    ],
    "ct_races.csv": [
        _duplicate_id("ct_races.csv", "race_id"),
        _unknown("ct_races.csv", "event_id", "ct_events.csv", 2),
        _duplicate_key("ct_races.csv", ("event_id", "name"), 3),
    ],
    "ct_participants.csv": [
        _duplicate_id("ct_participants.csv", "participant_id"),
        _unknown("ct_participants.csv", "race_id", "ct_races.csv", 2),
    ],
    "ct_results.csv": [
        _unknown("ct_results.csv", "participant_id", "ct_participants.csv", 1, deferred=True),
        Check("second result", "ct_results.csv", 2, "participant_id", _second_result),
        Check("untimed finisher", "ct_results.csv", 3, "gun_time", _untimed_finisher),
    ],
    "ct_splits.csv": [
        _unknown("ct_splits.csv", "participant_id", "ct_participants.csv", 1, deferred=True),
        _duplicate_key("ct_splits.csv", ("participant_id", "split_name"), 2),
    ],
}


def locate(
    session: Session, staged: dict[str, StagedFile], *, upto: str | None = None, deferred: bool
) -> ImportFailed | None:
    """The first problem in the staged rows (files in bundle order, at most up to `upto`)."""
    for file in FILES:
        if file not in staged:
            break
        best: tuple[int, int, Check, str] | None = None
        for check in CHECKS[file]:
            if (check.deferred and not deferred) or staged[file].proven(check.name):
                continue
            found = check.run(session)
            if found is not None and (best is None or (found[0], check.priority) < best[:2]):
                best = (found[0], check.priority, check, found[1])
        if best is not None:
            return ImportFailed(file, best[0], best[2].column, best[3])
        if file == upto:
            break
    return None


# ---------------------------------------------------------------- provers (see racehub.imports.stream)


class IncreasingIds(Prover):
    """Ids that only increase never repeat."""

    def __init__(self, proves: str, key: str) -> None:
        super().__init__()
        self.proves, self.fields = proves, (key,)
        self.last: int | None = None

    def observe(self, *columns: Sequence[Any]) -> None:
        ids = columns[0]
        if not ids:
            return
        if None in ids or (self.last is not None and ids[0] <= self.last):
            self.holds = False
        elif not all(map(operator.lt, ids, ids[1:])):
            self.holds = False
        self.last = ids[-1]


class KnownIds(Prover):
    """Every reference is one of a small set of ids read earlier."""

    def __init__(self, proves: str, key: str, known: set[int]) -> None:
        super().__init__()
        self.proves, self.fields, self.known = proves, (key,), known

    def observe(self, *columns: Sequence[Any]) -> None:
        if not self.known.issuperset(columns[0]):
            self.holds = False


class CollectIds(Prover):
    """Gathers a small file's ids for a later file's KnownIds."""

    def __init__(self, key: str, into: set[int]) -> None:
        super().__init__()
        self.fields, self.into = (key,), into

    def observe(self, *columns: Sequence[Any]) -> None:
        self.into.update(columns[0])


class GroupedKeys(Prover):
    """Keys of rows grouped by an increasing id (a runner's splits) can repeat only within a group."""

    def __init__(self, proves: str, group: str, key: str) -> None:
        super().__init__()
        self.proves, self.fields, self.raw_fields = proves, (group, key), frozenset({key})
        self.tail: list[tuple[Any, Any]] = []  # the (group, key) pairs of the last group seen

    def observe(self, *columns: Sequence[Any]) -> None:
        groups, keys = columns
        if not groups:
            return
        pairs = self.tail + list(zip(groups, keys, strict=True))
        starts = [g for g, _ in pairs]
        if None in starts or not all(map(operator.le, starts, starts[1:])) or len(set(pairs)) != len(pairs):
            self.holds = False
        tail = []
        for pair in reversed(pairs):
            if pair[0] != groups[-1]:
                break
            tail.append(pair)
        self.tail = tail


class Grouped(Prover):
    """Rows of one value of `key` stand together: once the value changes, it never comes back."""

    def __init__(self, proves: str, key: str) -> None:
        super().__init__()
        self.proves, self.fields = proves, (key,)
        self.seen: set[Any] = set()
        self.last: Any = None

    def observe(self, *columns: Sequence[Any]) -> None:
        if not self.holds:
            return
        for value, _ in itertools.groupby(columns[0]):
            if value != self.last:
                if value in self.seen:
                    self.holds = False
                    return
                self.seen.add(value)
                self.last = value


@dataclass
class Context:
    """What provers of later files learn from earlier ones."""

    race_ids: set[int] = field(default_factory=set)


def provers(file: str, context: Context) -> list[Prover]:
    if file == "ct_races.csv":
        return [CollectIds("race_id", context.race_ids)]
    if file == "ct_participants.csv":
        return [
            IncreasingIds("duplicate participant_id", "participant_id"),
            KnownIds("unknown race_id", "race_id", context.race_ids),
            Grouped(GROUPED_BY_RACE, "race_id"),
        ]
    if file == "ct_results.csv":
        # A finisher without a time is left to one scan in SQL: cheaper than reading three columns here.
        return [IncreasingIds("second result", "participant_id")]
    if file == "ct_splits.csv":
        return [GroupedKeys("duplicate participant_id, split_name", "participant_id", "split_name")]
    return []
