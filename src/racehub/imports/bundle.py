"""What a racedata-v1 bundle holds: its files, their columns, and how each cell is read and checked.

Every bad cell is named by file, line and column. Each column also knows its staging type, the
canonical spelling PostgreSQL parses to the same value Python does (so such rows can be streamed as
they are), and how to write a parsed value back as CSV text for the rows that are not canonical.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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


def _width(text: str) -> int:
    return int(_choice("5", "10")(text))


def _csv_text(value: Any) -> str:
    """A parsed value as PostgreSQL reads it back (None is an empty, unquoted cell: NULL)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _time_text(value: Any) -> str:
    return "" if value is None else f"{value} milliseconds"


# Canonical cells: PostgreSQL parses these to exactly what the Python parser returns. No cell holds a
# line break, a comma, a quote (CSV quoting), a NUL or an ASCII blank other than the space that
# str.strip() would remove; a text cell neither starts nor ends with a space, so it has nothing to strip
# (the stream rejects chunks with the other Unicode blanks). Cells of columns RaceHub ignores only need
# to leave the row's shape alone.
_CELL_BYTE = r'[^,\r\n"\x00\t\x0b\x0c\x1c-\x1f]'
_EDGE_BYTE = r'[^,\r\n"\x00\t\x0b\x0c\x1c-\x1f ]'
TEXT = rf"{_EDGE_BYTE}(?:{_CELL_BYTE}*+(?<! ))?"
ANY_CELL = rf"{_CELL_BYTE}*+"
BIGINT = r"-?[0-9]{1,18}"
INT = r"-?[0-9]{1,9}"
DATE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DATETIME = DATE + r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
FLOAT = r"[0-9]{1,15}(?:\.[0-9]{1,15})?"
TIME = r"[0-9]{1,2}:[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,3})?"
AGE = r"120|1[01][0-9]|[1-9]?[0-9]"


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = True
    sql_type: str = "text"
    pattern: str = TEXT
    render: Callable[[Any], str] = _csv_text


def _ids(name: str) -> Column:
    return Column(name, _int, sql_type="bigint", pattern=BIGINT)


def _count(name: str) -> Column:
    return Column(name, _int, sql_type="integer", pattern=INT)


def _one_of(name: str, *allowed: str, required: bool = True) -> Column:
    return Column(name, _choice(*allowed), required, pattern="|".join(re.escape(a) for a in allowed))


def _opt(name: str) -> Column:
    return Column(name, _text, False)


# Column specs per file, in the bundle's order (also the order files are read and checked).
SPECS: dict[str, tuple[Column, ...]] = {
    "organizations.csv": (
        _ids("org_id"),
        Column("slug", _slug, pattern=r"[a-z0-9][a-z0-9-]*"),
        Column("name", _text),
        _opt("contact_name"),
        _opt("contact_email"),
        _opt("city"),
        _opt("state"),
    ),
    "ct_events.csv": (
        _ids("event_id"),
        _ids("org_id"),
        Column("name", _text),
        _count("edition_year"),
        Column("start_date", _date, sql_type="date", pattern=DATE),
        _opt("city"),
        _opt("state"),
        _opt("timezone"),
        _one_of("registration_provider", "runsignup", "raceroster", required=False),
        _opt("registration_external_id"),
        _one_of("results_provider", "ctlive", "copernico", required=False),
        _opt("results_external_id"),
        _one_of("status", "completed", "upcoming", "cancelled"),
    ),
    "ct_races.csv": (
        _ids("race_id"),
        _ids("event_id"),
        Column("name", _text),
        Column("distance_m", _float, False, sql_type="float8", pattern=FLOAT),
        Column("start_time", _datetime, False, sql_type="timestamp", pattern=DATETIME),
        _one_of("placement_basis", "gun", "chip"),
        _count("overall_award_depth"),
        _count("masters_award_depth"),
        _count("masters_min_age"),
        _count("ag_award_depth"),
        Column("age_group_width", _width, sql_type="integer", pattern="5|10"),
        Column("exclude_award_winners_from_ag", _bool, sql_type="boolean", pattern="true|false"),
    ),
    "ct_participants.csv": (
        _ids("participant_id"),
        _ids("race_id"),
        _opt("bib"),
        Column("first_name", _text),
        Column("last_name", _text),
        _one_of("sex", *sorted(SEXES)),
        Column("dob", _date, False, sql_type="date", pattern=DATE),
        Column("age", _age, False, sql_type="integer", pattern=AGE),
        _opt("email"),
        _opt("phone"),
        _opt("address1"),
        _opt("city"),
        _opt("state"),
        _opt("zip"),
        _opt("country"),
        _opt("team"),
        Column("registered_at", _datetime, False, sql_type="timestamp", pattern=DATETIME),
        _opt("registration_source"),
    ),
    "ct_results.csv": (
        _ids("participant_id"),
        _one_of("status", *sorted(STATUSES)),
        Column("gun_time", parse_time_ms, False, "interval", TIME, render=_time_text),
        Column("chip_time", parse_time_ms, False, "interval", TIME, render=_time_text),
    ),
    "ct_splits.csv": (
        _ids("participant_id"),
        Column("split_name", _text),
        Column("distance_m", _float, False, sql_type="float8", pattern=FLOAT),
        Column("chip_elapsed", parse_time_ms, sql_type="interval", pattern=TIME, render=_time_text),
    ),
}
FILES = tuple(SPECS)


@dataclass(frozen=True)
class Layout:
    """Where a file's columns sit, from its header (the old reader's rules: by name, the last wins)."""

    file: str
    width: int
    positions: tuple[tuple[Column, int], ...]  # spec column and its cell index

    @classmethod
    def from_header(cls, file: str, header: Sequence[str]) -> Layout:
        names = [h.strip() for h in header]
        index = {name: i for i, name in enumerate(names)}
        for col in SPECS[file]:
            if col.name not in index:
                raise ImportFailed(file, 1, col.name, "column is missing from the header")
        return cls(file, len(names), tuple((col, index[col.name]) for col in SPECS[file]))

    def parse_row(self, raw: Sequence[str], line: int) -> list[Any] | None:
        """Parsed values in spec order; None for a blank row; ImportFailed names the bad cell."""
        if not raw or (len(raw) == 1 and not raw[0].strip()):
            return None
        if len(raw) != self.width:
            raise ImportFailed(self.file, line, None, f"expected {self.width} cells, found {len(raw)}")
        values: list[Any] = []
        for col, pos in self.positions:
            cell = raw[pos].strip()
            if not cell:
                if col.required:
                    raise ImportFailed(self.file, line, col.name, "value is required")
                values.append(None)
                continue
            try:
                values.append(col.parse(cell))
            except ValueError as exc:
                problem = str(exc) if repr(cell) in str(exc) else f"{exc} (got {cell!r})"
                raise ImportFailed(self.file, line, col.name, problem) from None
        return values

    def canonical_rows(self, eol: bytes) -> re.Pattern[bytes]:
        """Any number of whole canonical rows, each ended by `eol`.

        A valid date can still be out of range (1990-02-30): PostgreSQL rejects such a row as the
        parser would, and the stream then reads the file the careful way to name it."""
        by_position = {pos: col for col, pos in self.positions}
        cells = []
        for i in range(self.width):
            col = by_position.get(i)
            if col is None:
                cells.append(ANY_CELL)
            else:
                cells.append(f"(?:{col.pattern})" if col.required else f"(?:{col.pattern})?")
        return re.compile(f"(?:{','.join(cells)}{re.escape(eol.decode())})*+".encode())

    def cell_extractor(self, name: str) -> re.Pattern[bytes]:
        """findall() gives the `name` cell of every canonical row: each match eats one whole row."""
        position = next(pos for col, pos in self.positions if col.name == name)
        return re.compile(b"(?:[^,\n]*,)" * position + b"([^,\r\n]*)[^\n]*\n")

    def staging_columns(self) -> list[tuple[str, str]]:
        """(name, type) of every cell: spec columns by name, other cells as text placeholders."""
        by_position = {pos: col for col, pos in self.positions}
        return [
            (by_position[i].name, by_position[i].sql_type) if i in by_position else (f"extra_{i}", "text")
            for i in range(self.width)
        ]
