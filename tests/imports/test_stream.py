"""Two ways through a file: tidy rows go to COPY as they are, anything else through the row parser.

Whichever way a row takes, the same values must be stored: a cell padded with spaces, tabs or a
no-break space, or quoted, reads as the tidy cell it stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from racehub.db import Database, Scope
from racehub.imports import stream
from racehub.imports.service import import_bundle
from tests.imports.bundle_files import copy_bundle
from tests.imports.db_state import assert_same_rows

# (file, column, how the tidy cell is written instead). Any one of them takes its whole file off the
# COPY-as-is way, so each is tried on its own: a pattern that let it through would store it as written.
UNTIDY_CELLS = {
    "quoted-padded-name": ("ct_participants.csv", "first_name", lambda v: f'"  {v} "'),
    "tab-before-name": ("ct_participants.csv", "last_name", lambda v: f"\t{v}"),
    "space-after-name": ("ct_participants.csv", "last_name", lambda v: f"{v} "),
    "no-break-space-after-city": ("ct_participants.csv", "city", lambda v: f"{v}\u00a0"),
    "padded-age": ("ct_participants.csv", "age", lambda v: f" {v}"),
    "padded-date": ("ct_participants.csv", "dob", lambda v: f"{v} "),
    "padded-time": ("ct_results.csv", "gun_time", lambda v: f" {v}\t"),
    "quoted-status": ("ct_results.csv", "status", lambda v: f'"{v}"'),
    "quoted-split": ("ct_splits.csv", "split_name", lambda v: f'" {v}"'),
    "padded-split-time": ("ct_splits.csv", "chip_elapsed", lambda v: f"{v} "),
}
UNTIDY_ROWS = (2, 29, 301)


def untidy(directory: Path, file: str, column: str, write: Callable[[str], str]) -> int:
    """Rewrite `column` of a few rows of a tidy file (no quotes, LF line ends) untidily; CRLF line ends."""
    path = directory / file
    lines = path.read_text(encoding="utf-8").splitlines()
    assert not any('"' in line for line in lines), "the tidy bundle has no quoted cells"
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    index, changed = header.index(column), 0
    for row in (rows[i] for i in UNTIDY_ROWS):
        if row[index]:
            row[index], changed = write(row[index]), changed + 1
    path.write_text("\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n", encoding="utf-8")
    return changed


class TestUntidyCellsReadAsTidyOnes:
    @pytest.mark.parametrize("case", list(UNTIDY_CELLS))
    def test_an_untidy_cell_stores_what_the_tidy_cell_stores(
        self, db: Database, other_db: Database, small_bundle: Path, tmp_path: Path, case: str
    ) -> None:
        messy = copy_bundle(small_bundle, tmp_path / "messy")
        assert untidy(messy, *UNTIDY_CELLS[case]) > 0
        for database, directory in ((db, small_bundle), (other_db, messy)):
            with database.session(Scope.operator()) as session:
                import_bundle(session, directory)

        assert_same_rows(db, other_db)


class TestTidyFilesGoToCopyAsTheyAre:
    def test_no_file_of_a_tidy_bundle_needs_the_row_parser(
        self, db: Database, small_bundle: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def careful(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(f"read row by row: {args[1]}")

        monkeypatch.setattr(stream, "_careful", careful)
        with db.session(Scope.operator()) as session:
            report = import_bundle(session, small_bundle)
        assert report.inserted["results"] > 0
