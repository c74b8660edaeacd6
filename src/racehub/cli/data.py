"""`racehub import racedata` and `racehub score`."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import text

from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope
from racehub.errors import InvalidInput
from racehub.imports.service import analyze_tables, import_bundle
from racehub.scoring.service import score_edition, score_race

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
        TextColumn("{task.description:<34}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=False,
    ) as bar:
        task = bar.add_task("importing", total=None)

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        with db.session(Scope.operator()) as session:
            report = import_bundle(session, directory, progress=progress)
    if report.changed:
        analyze_tables(db)
    elapsed = time.perf_counter() - started
    table = Table(title=f"import of {directory.name}")
    for column in ("table", "inserted", "updated"):
        table.add_column(column, justify="right" if column != "table" else "left")
    for name in report.inserted:
        table.add_row(name, f"{report.inserted[name]:,}", f"{report.updated[name]:,}")
    console.print(table)
    console.print(
        f"{sum(report.read.values()):,} rows read, {report.changed:,} changed, "
        f"{report.races_scored} races scored in {elapsed:.1f} s"
    )
    if report.erased_skipped:
        console.print(f"{report.erased_skipped:,} erased participants left out (with their results)")


@fails_cleanly
def score(
    race: int | None = typer.Option(None, help="race id"),
    edition: int | None = typer.Option(None, help="edition id"),
    event: str | None = typer.Option(None, help="event name (with --year)"),
    year: int | None = typer.Option(None, help="edition year"),
) -> None:
    """Compute places and awards for a race or a whole edition."""
    db = database()
    with db.session(Scope.operator()) as session:
        if race is not None:
            scores = [score_race(session, race)]
        else:
            if edition is None:
                if not (event and year):
                    raise InvalidInput("give --race, --edition, or --event with --year")
                edition = session.execute(
                    text(
                        "SELECT ed.id FROM editions ed JOIN event_series s ON s.id = ed.series_id "
                        "WHERE lower(s.name) = lower(:n) AND ed.year = :y"
                    ),
                    {"n": event, "y": year},
                ).scalar()
                if edition is None:
                    raise InvalidInput(f"no edition {event!r} {year}")
            scores = score_edition(session, edition)
    table = Table(title="scoring")
    for column in ("race", "finishers", "awards", "rows changed"):
        table.add_column(column, justify="right")
    for s in scores:
        table.add_row(str(s.race_id), f"{s.finishers:,}", str(s.awards), f"{s.changed_rows:,}")
    console.print(table)
