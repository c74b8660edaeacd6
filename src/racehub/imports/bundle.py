"""Reading and validating a racedata-v1 bundle: every bad cell is named by file, line and column."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from racehub.errors import ImportFailed
from racehub.timefmt import parse_time_ms

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
STATUSES = {"FIN", "DNF", "DNS", "DQ"}
SEXES = {"M", "F", "X"}

Parser = Callable[[str], Any]


def _int(text: str) -> int:
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value != value or value < 0:
        raise ValueError("must be a non-negative number")
    return value


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _datetime(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("true", "t", "1", "yes"):
        return True
    if low in ("false", "f", "0", "no"):
        return False
    raise ValueError("must be true or false")


def _choice(*allowed: str) -> Parser:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return text

    return parse


def _slug(text: str) -> str:
    if not SLUG_RE.match(text):
        raise ValueError("must be lower-case letters, digits and dashes")
    return text


def _text(text: str) -> str:
    return text


def _age(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 120:
        raise ValueError("must be between 0 and 120")
    return value


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = True


# Column specs per file, in the bundle's order.
SPECS: dict[str, tuple[Column, ...]] = {
    "organizations.csv": (
        Column("org_id", _int), Column("slug", _slug), Column("name", _text),
        Column("contact_name", _text, False), Column("contact_email", _text, False),
        Column("city", _text, False), Column("state", _text, False),
    ),
    "ct_events.csv": (
        Column("event_id", _int), Column("org_id", _int), Column("name", _text),
        Column("edition_year", _int), Column("start_date", _date), Column("city", _text, False),
        Column("state", _text, False), Column("timezone", _text, False),
        Column("registration_provider", _choice("runsignup", "raceroster"), False),
        Column("registration_external_id", _text, False),
        Column("results_provider", _choice("ctlive", "copernico"), False),
        Column("results_external_id", _text, False),
        Column("status", _choice("completed", "upcoming", "cancelled")),
    ),
    "ct_races.csv": (
        Column("race_id", _int), Column("event_id", _int), Column("name", _text),
        Column("distance_m", _float, False), Column("start_time", _datetime, False),
        Column("placement_basis", _choice("gun", "chip")), Column("overall_award_depth", _int),
        Column("masters_award_depth", _int), Column("masters_min_age", _int),
        Column("ag_award_depth", _int), Column("age_group_width", lambda t: int(_choice("5", "10")(t))),
        Column("exclude_award_winners_from_ag", _bool),
    ),
    "ct_participants.csv": (
        Column("participant_id", _int), Column("race_id", _int), Column("bib", _text, False),
        Column("first_name", _text), Column("last_name", _text), Column("sex", _choice(*sorted(SEXES))),
        Column("dob", _date, False), Column("age", _age, False), Column("email", _text, False),
        Column("phone", _text, False), Column("address1", _text, False), Column("city", _text, False),
        Column("state", _text, False), Column("zip", _text, False), Column("country", _text, False),
        Column("team", _text, False), Column("registered_at", _datetime, False),
        Column("registration_source", _text, False),
    ),
    "ct_results.csv": (
        Column("participant_id", _int), Column("status", _choice(*sorted(STATUSES))),
        Column("gun_time", parse_time_ms, False), Column("chip_time", parse_time_ms, False),
    ),
    "ct_splits.csv": (
        Column("participant_id", _int), Column("split_name", _text),
        Column("distance_m", _float, False), Column("chip_elapsed", parse_time_ms),
    ),
}


def _utf8_lines(path: Path, fh: TextIO) -> Iterator[str]:
    """The file's lines; text that is not UTF-8 fails as ImportFailed naming its line."""
    while True:
        try:
            line = next(fh)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            # The decoder works a block ahead of the csv reader, so find the line in the bytes.
            with path.open("rb") as raw:
                number = next((n for n, data in enumerate(raw, start=1) if not _is_utf8(data)), 1)
            raise ImportFailed(path.name, number, None, f"is not UTF-8 text ({exc.reason})") from None
        yield line


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_rows(path: Path, *, check: Callable[[dict[str, Any], int], None] | None = None) -> Iterator[tuple]:
    """Parsed rows of one bundle file as tuples in spec order; ImportFailed names the bad cell."""
    spec = SPECS[path.name]
    if not path.exists():
        raise ImportFailed(path.name, 0, None, "file is missing from the bundle")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(_utf8_lines(path, fh))
        header = next(reader, None)
        if header is None:
            raise ImportFailed(path.name, 1, None, "file is empty (no header row)")
        header = [h.strip() for h in header]
        index = {name: i for i, name in enumerate(header)}
        for col in spec:
            if col.name not in index:
                raise ImportFailed(path.name, 1, col.name, "column is missing from the header")
        positions = [(col, index[col.name]) for col in spec]
        width = len(header)
        for raw in reader:
            line = reader.line_num
            if not raw or (len(raw) == 1 and not raw[0].strip()):
                continue
            if len(raw) != width:
                raise ImportFailed(path.name, line, None, f"expected {width} cells, found {len(raw)}")
            values: list[Any] = []
            for col, pos in positions:
                cell = raw[pos].strip()
                if not cell:
                    if col.required:
                        raise ImportFailed(path.name, line, col.name, "value is required")
                    values.append(None)
                    continue
                try:
                    values.append(col.parse(cell))
                except ValueError as exc:
                    problem = str(exc) if repr(cell) in str(exc) else f"{exc} (got {cell!r})"
                    raise ImportFailed(path.name, line, col.name, problem) from None
            if check is not None:
                check(dict(zip((c.name for c in spec), values, strict=True)), line)
            yield tuple(values)


@dataclass
class Bundle:
    """A validated bundle held as tuples ready for COPY, with cross-file references checked."""

    organizations: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    races: list[tuple] = field(default_factory=list)
    participants: list[tuple] = field(default_factory=list)
    results: list[tuple] = field(default_factory=list)
    splits: list[tuple] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "organizations": len(self.organizations), "events": len(self.events), "races": len(self.races),
            "participants": len(self.participants), "results": len(self.results), "splits": len(self.splits),
        }


def load_bundle(directory: Path, *, on_file: Callable[[str], None] | None = None) -> Bundle:
    """Read and validate every file of a bundle; nothing is written here."""
    if not directory.is_dir():
        raise ImportFailed(str(directory), 0, None, "not a directory")
    bundle = Bundle()
    seen: dict[str, set[int]] = {}

    def unique(file: str, key: str, owner: str | None = None) -> Callable[[dict[str, Any], int], None]:
        ids = seen.setdefault(file, set())

        def check(row: dict[str, Any], line: int) -> None:
            if row[key] in ids:
                raise ImportFailed(file, line, key, f"duplicate id {row[key]}")
            ids.add(row[key])
            if owner is not None:
                ref_file, ref_key = owner.split(":")
                if row[ref_key] not in seen[ref_file]:
                    raise ImportFailed(file, line, ref_key, f"unknown {ref_key} {row[ref_key]}")

        return check

    def referenced(file: str, ref_file: str, key: str) -> Callable[[dict[str, Any], int], None]:
        def check(row: dict[str, Any], line: int) -> None:
            if row[key] not in seen[ref_file]:
                raise ImportFailed(file, line, key, f"unknown {key} {row[key]}")

        return check

    def natural_key(
        file: str, columns: tuple[str, ...], first: Callable[[dict[str, Any], int], None]
    ) -> Callable[[dict[str, Any], int], None]:
        # The schema's UNIQUE constraints on these keys would otherwise fail mid-import with no line.
        keys: set[tuple[Any, ...]] = set()

        def check(row: dict[str, Any], line: int) -> None:
            first(row, line)
            key = tuple(row[c] for c in columns)
            if key in keys:
                raise ImportFailed(file, line, columns[-1], f"duplicate {', '.join(columns)} {key}")
            keys.add(key)

        return check

    result_ids: set[int] = set()

    def result_check(row: dict[str, Any], line: int) -> None:
        referenced("ct_results.csv", "ct_participants.csv", "participant_id")(row, line)
        if row["participant_id"] in result_ids:
            raise ImportFailed("ct_results.csv", line, "participant_id", "second result for one entry")
        result_ids.add(row["participant_id"])
        if row["status"] == "FIN" and row["gun_time"] is None and row["chip_time"] is None:
            raise ImportFailed("ct_results.csv", line, "gun_time", "a finisher needs a gun or chip time")

    steps: list[tuple[str, list[tuple], Callable[[dict[str, Any], int], None]]] = [
        (
            "organizations.csv", bundle.organizations,
            natural_key("organizations.csv", ("slug",), unique("organizations.csv", "org_id")),
        ),
        (
            "ct_events.csv", bundle.events,
            natural_key(
                "ct_events.csv", ("org_id", "name", "edition_year"),
                unique("ct_events.csv", "event_id", "organizations.csv:org_id"),
            ),
        ),
        (
            "ct_races.csv", bundle.races,
            natural_key(
                "ct_races.csv", ("event_id", "name"),
                unique("ct_races.csv", "race_id", "ct_events.csv:event_id"),
            ),
        ),
        (
            "ct_participants.csv", bundle.participants,
            unique("ct_participants.csv", "participant_id", "ct_races.csv:race_id"),
        ),
        ("ct_results.csv", bundle.results, result_check),
        (
            "ct_splits.csv", bundle.splits,
            natural_key(
                "ct_splits.csv", ("participant_id", "split_name"),
                referenced("ct_splits.csv", "ct_participants.csv", "participant_id"),
            ),
        ),
    ]
    for name, target, check in steps:
        if on_file:
            on_file(name)
        target.extend(read_rows(directory / name, check=check))
    return bundle
