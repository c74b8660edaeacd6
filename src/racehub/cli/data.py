"""`racehub import racedata` and `racehub score`."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope
from racehub.errors import InvalidInput
from racehub.imports.service import ImportReport, analyze_tables, import_bundle
from racehub.scoring.service import race_labels, score_edition, score_race

import_app = typer.Typer(no_args_is_help=True, help="Load data into RaceHub.")


@import_app.command("racedata")
@fails_cleanly
def import_racedata(
    directory: Path = typer.Argument(..., help="a racedata-v1 bundle directory"),
) -> None:
    """Import a racedata-v1 bundle (idempotent, all or nothing), then score its races."""
    db = database()
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description:<34}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("importing", total=None)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        with db.session(Scope.operator()) as session:
            report = import_bundle(session, directory, progress=progress)
    if report.changed:
        analyze_tables(db)
    show_import(report, directory, time.perf_counter() - started)


def show_import(report: ImportReport, source: Path, elapsed: float) -> None:
    """What an import did, per table: rows read from the bundle, then rows new and updated in RaceHub
    (derived tables such as persons, places and awards included, so they need not add up)."""
    read = sum(report.read.values())
    if not report.changed:
        console.print(
            f"{source.name}: {read:,} rows read from {len(report.read)} files, all already here: "
            "nothing changed"
        )
    else:
        table = Table(title=f"import of {source.name}")
        for column in ("table", "new", "updated"):
            table.add_column(column, justify="right" if column != "table" else "left")
        for name in report.inserted:
            inserted, updated = report.inserted[name], report.updated.get(name, 0)
            if inserted or updated:
                table.add_row(name, f"{inserted:,}", f"{updated:,}")
        console.print(table)
        console.print(f"{read:,} rows read from {len(report.read)} files; {report.races_scored} races scored")
    if report.erased_skipped:
        console.print(f"{report.erased_skipped:,} erased participants left out (with their results)")
    console.print(f"done in {elapsed:.1f} s")


@fails_cleanly
def score(
    race: int | None = typer.Option(None, help="race id"),
    edition: int | None = typer.Option(None, help="edition id"),
    event: str | None = typer.Option(None, help="event name (with --year)"),
    year: int | None = typer.Option(None, help="edition year"),
) -> None:
    """Compute places and awards for a race or a whole edition."""
    from racehub.workflows.service import resolve_edition

    db = database()
    with db.session(Scope.operator()) as session:
        if race is not None:
            scores = [score_race(session, race)]
        else:
            if edition is None:
                if not (event and year):
                    raise InvalidInput("give --race, --edition, or --event with --year")
                edition = resolve_edition(session, event=event, year=year).id
            scores = score_edition(session, edition)
        labels = race_labels(session, [s.race_id for s in scores])
    table = Table(title="scoring")
    table.add_column("race")
    for column in ("id", "finishers", "awards", "rows changed"):
        table.add_column(column, justify="right")
    for s in scores:
        table.add_row(
            labels.get(s.race_id, "?"),
            str(s.race_id),
            f"{s.finishers:,}",
            str(s.awards),
            f"{s.changed_rows:,}",
        )
    console.print(table)
