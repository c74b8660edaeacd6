"""Streaming one bundle file into its staging table: every row checked on its way, none kept.

Two ways through a file, both ending in the same typed staging table with each row's source line:

- canonical: chunks of a few MB whose every row is in the canonical spelling (the generator's, and any
  tidy export's) go to COPY as they are; PostgreSQL numbers the lines. A chunk with anything else (a
  quote, a padded cell, an odd date) sends the whole file down the careful way instead.
- careful: the csv module reads row by row, each cell parsed by the bundle rules (errors name file,
  line and column) and written back in canonical form.

Provers watch the rows (a column at a time) so that cross-row checks can be skipped when the data
proves them moot.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import psycopg
from sqlalchemy.orm import Session

from racehub.errors import ImportFailed
from racehub.imports import repository
from racehub.imports.bundle import Layout

Progress = Callable[[str, int, int], None]  # (phase, done, total)
# Small enough that the COPY's sending thread gets the GIL often: the row pattern holds it for a whole
# chunk, and PostgreSQL waits for data meanwhile (4 MB chunks staged 1M results in 10.6 s, these in 7.9 s).
CHUNK_BYTES = 1 << 18
CAREFUL_BATCH = 20_000
# Characters str.strip() removes beyond ASCII (the row pattern keeps out the ASCII ones), UTF-8 encoded:
# U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. A chunk holding any of
# them is not canonical.
_BLANKS = re.compile(b"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80")


class Prover:
    """Watches one file's values of `fields`, a column at a time; `holds` stays True while the data
    proves that the check named `proves` cannot fail."""

    proves = ""
    fields: tuple[str, ...] = ()
    raw_fields: frozenset[str] = frozenset()  # given as UTF-8 bytes (b"" when empty), not parsed

    def __init__(self) -> None:
        self.holds = True

    def observe(self, *columns: Sequence[Any]) -> None:
        raise NotImplementedError


@dataclass
class StagedFile:
    file: str
    table: str
    rows: int = 0
    provers: list[Prover] = field(default_factory=list)

    def proven(self, check: str) -> bool:
        return any(p.proves == check and p.holds for p in self.provers)


class NotCanonical(Exception):
    """The file needs the careful way."""


def count_lines(path: Path) -> int:
    """Physical lines of a file (for the progress bar), at memory speed."""
    lines = 0
    last = b"\n"
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 22):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def first_bad_utf8_line(path: Path) -> int:
    """The line holding the first byte sequence that is not UTF-8 (the decoder reads ahead of the rows)."""
    with path.open("rb") as raw:
        for number, data in enumerate(raw, start=1):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> ImportFailed:
    return ImportFailed(path.name, first_bad_utf8_line(path), None, f"is not UTF-8 text ({exc.reason})")


def _header(path: Path, fh: io.TextIOWrapper) -> tuple[Layout, int]:
    """The file's layout and how many lines its header took; the file is left at the first data row."""
    try:
        reader = csv.reader(iter(fh.readline, ""))
        header = next(reader, None)
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None
    except csv.Error:
        raise _unclosed_quote(path.name, 1) from None
    if header is None:
        raise ImportFailed(path.name, 1, None, "file is empty (no header row)")
    return Layout.from_header(path.name, header), reader.line_num


def stage_file(
    session: Session,
    path: Path,
    make_provers: Callable[[], list[Prover]],
    progress: Progress | None = None,
) -> tuple[StagedFile, ImportFailed | None]:
    """COPY one file into its staging table; returns what was staged and the first bad row, if any.

    A missing file or a bad header raises at once (nothing of the file is staged). A bad row ends the
    stream cleanly: the rows before it stay staged, so checks that span rows can still run on them.
    """
    if not path.exists():
        raise ImportFailed(path.name, 0, None, "file is missing from the bundle")
    total = max(count_lines(path) - 1, 0)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        layout, header_lines = _header(path, fh)
    savepoint = session.begin_nested()
    try:
        staged = _canonical(session, path, layout, header_lines, make_provers(), progress, total)
    except (NotCanonical, psycopg.Error):
        savepoint.rollback()
        return _careful(session, path, make_provers(), progress, total)
    savepoint.commit()
    return staged, None


def _canonical(
    session: Session,
    path: Path,
    layout: Layout,
    header_lines: int,
    provers: list[Prover],
    progress: Progress | None,
    total: int,
) -> StagedFile:
    with path.open("rb") as raw:
        _skip_lines(raw, header_lines)
        table = repository.create_staging(session, path.name, layout.staging_columns(), header_lines + 1)
        staged = StagedFile(path.name, table, provers=provers)
        watch = _Watcher(layout, provers)
        rows: re.Pattern[bytes] | None = None
        eol = b""
        rest = b""
        with repository.copy_into(session, table, layout.staging_columns(), with_line=False) as copy:
            while True:
                data = raw.read(CHUNK_BYTES)
                if not data and not rest:
                    break
                chunk = rest + data
                cut = chunk.rfind(b"\n") + 1 if data else len(chunk)
                chunk, rest = chunk[:cut], chunk[cut:]
                if not chunk:
                    continue
                if rows is None:
                    eol = b"\r\n" if chunk.split(b"\n", 1)[0].endswith(b"\r") else b"\n"
                    rows = layout.canonical_rows(eol)
                if not data and not chunk.endswith(b"\n"):
                    chunk += eol  # the last row had no line end
                lines = _canonical_lines(chunk)
                if rows.fullmatch(chunk) is None:
                    raise NotCanonical
                watch.chunk(chunk)
                copy.write(chunk)
                staged.rows += lines
                if progress:
                    progress(path.name, staged.rows, max(total, staged.rows))
    return staged


def _skip_lines(raw: BinaryIO, count: int) -> None:
    """Move past the header (`count` physical lines, a byte-order mark included)."""
    for _ in range(count):
        raw.readline()


def _canonical_lines(chunk: bytes) -> int:
    """Rows in a chunk that can go to COPY as it is; NotCanonical when something needs the parser.

    The row pattern decides cell by cell (no cell holds a CR, so every CR ends a line); this checks
    what it cannot see: the text's encoding and the Unicode blanks."""
    lines = chunk.count(b"\n")
    if not chunk.isascii():
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            raise NotCanonical from None
        if _BLANKS.search(chunk):
            raise NotCanonical
    return lines


class _Watcher:
    """Hands the provers their columns: cut from canonical chunks, or gathered from parsed rows."""

    def __init__(self, layout: Layout, provers: list[Prover]) -> None:
        self.provers = provers
        self.names = sorted({n for p in provers for n in p.fields})
        self.extract = {name: layout.cell_extractor(name) for name in self.names}
        self.parsers = {col.name: col.parse for col, _ in layout.positions}
        self.integers = {col.name for col, _ in layout.positions if col.sql_type in ("bigint", "integer")}
        self.raw = {n for p in provers for n in p.raw_fields}
        self.pending: list[list[Any]] = [[] for _ in self.names]

    def chunk(self, chunk: bytes) -> None:
        if self.names:
            self._observe({name: self._typed(name, self.extract[name].findall(chunk)) for name in self.names})

    def _typed(self, name: str, column: list[bytes]) -> list[Any]:
        if name in self.raw:
            return column
        if name in self.integers and b"" not in column:
            return list(map(int, column))  # canonical integers: what the parser gives, at C speed
        parse = self.parsers[name]
        return [parse(v.decode()) if v else None for v in column]

    def row(self, named: dict[str, Any]) -> None:
        for i, name in enumerate(self.names):
            value = named[name]
            self.pending[i].append(_raw(value) if name in self.raw else value)
        if self.names and len(self.pending[0]) >= CAREFUL_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.names and self.pending[0]:
            self._observe(dict(zip(self.names, self.pending, strict=True)))
            self.pending = [[] for _ in self.names]

    def _observe(self, typed: dict[str, list[Any]]) -> None:
        for prover in self.provers:
            prover.observe(*(typed[name] for name in prover.fields))


def _raw(value: Any) -> bytes:
    """A parsed value as a canonical chunk gives it to provers that only look at the text."""
    return b"" if value is None else (value if isinstance(value, str) else str(value)).encode()


def _careful(
    session: Session, path: Path, provers: list[Prover], progress: Progress | None, total: int
) -> tuple[StagedFile, ImportFailed | None]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        layout, header_lines = _header(path, fh)
        table = repository.create_staging(session, path.name, layout.staging_columns(), header_lines + 1)
        staged = StagedFile(path.name, table, provers=provers)
        writer = _CarefulWriter(layout, staged, _Watcher(layout, provers), progress, total)
        with repository.copy_into(session, table, layout.staging_columns(), with_line=True) as copy:
            outcome = writer.run(copy.write, iter(fh.readline, ""), header_lines)
    failure = _not_utf8(path, outcome) if isinstance(outcome, UnicodeDecodeError) else outcome
    return staged, failure


def _unclosed_quote(file: str, line: int) -> ImportFailed:
    """No bundle cell spans lines: a quoted cell that does was never closed."""
    return ImportFailed(
        file, line, None, "a quoted cell starts here and is never closed (unterminated quote)"
    )


class _CarefulWriter:
    """Row by row: the csv module reads, the bundle rules parse, csv text in canonical form goes out."""

    def __init__(
        self, layout: Layout, staged: StagedFile, watch: _Watcher, progress: Progress | None, total: int
    ) -> None:
        self.layout, self.staged, self.watch = layout, staged, watch
        self.progress, self.total = progress, total
        self.names = [c.name for c, _ in layout.positions]
        self.out = io.StringIO()
        self.csv_out = csv.writer(self.out, lineterminator="\r\n")

    def run(
        self, write: Callable[[str], Any], lines: Iterator[str], header_lines: int
    ) -> ImportFailed | UnicodeDecodeError | None:
        """Every row; a bad row (or undecodable text) ends the stream with the rows before it written,
        so the COPY itself still ends cleanly."""
        failure: ImportFailed | UnicodeDecodeError | None = None
        reader = csv.reader(lines)
        first_line = header_lines + 1  # where the row being read starts
        try:
            for raw in reader:
                if any("\n" in cell or "\r" in cell for cell in raw):
                    raise _unclosed_quote(self.staged.file, first_line)
                self._row(raw, header_lines + reader.line_num)
                first_line = header_lines + reader.line_num + 1
                if reader.line_num % CAREFUL_BATCH == 0:
                    self._flush(write)
        except csv.Error:
            # The csv module gives up once a quoted cell outgrows its field limit: the quote never closed.
            failure = _unclosed_quote(self.staged.file, first_line)
        except (ImportFailed, UnicodeDecodeError) as exc:
            failure = exc
        self.watch.flush()
        self._flush(write)
        return failure

    def _row(self, raw: list[str], line: int) -> None:
        values = self.layout.parse_row(raw, line)
        if values is None:
            return
        self.watch.row(dict(zip(self.names, values, strict=True)))
        cells = [""] * self.layout.width
        for (column, pos), value in zip(self.layout.positions, values, strict=True):
            cells[pos] = column.render(value)
        self.csv_out.writerow([line, *cells])
        self.staged.rows += 1

    def _flush(self, write: Callable[[str], Any]) -> None:
        data = self.out.getvalue()
        if data:
            write(data)
            self.out.seek(0)
            self.out.truncate()
        if self.progress:
            self.progress(self.staged.file, self.staged.rows, max(self.total, self.staged.rows))
