#!/usr/bin/env python3
"""Time `racehub import racedata` against the physical floor: `python bench/bench_import.py [--bundle DIR]`.

Phases, all on one fresh database (an embedded PostgreSQL in a temporary directory unless
--database-url names a server, where a scratch database is created and dropped):

  baseline   plain `COPY ... (FORMAT csv)` of every bundle file into unindexed all-text tables
  import     `racehub import racedata DIR` (a subprocess, as a user runs it): validate, stage, merge, score
  re-import  the same command again: must change nothing
  scoring    every race scored in-process after its places and awards were cleared

The table shows seconds, rows per second and the ratio to the baseline; --json writes the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.engine import make_url

from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.db.engine import libpq_uri
from racehub.scoring.service import score_races

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = REPO.parent / "shared" / "data" / "racedata-v1"
BUNDLE_FILES = (
    "organizations.csv",
    "ct_events.csv",
    "ct_races.csv",
    "ct_participants.csv",
    "ct_results.csv",
    "ct_splits.csv",
)
FLOOR_SCHEMA = "bench_floor"
CLI = [sys.executable, "-c", "from racehub.cli import main; main()"]
console = Console(width=None if sys.stdout.isatty() else 120)


@dataclass
class Phase:
    name: str
    rows: int
    seconds: float
    note: str = ""
    ratio: float | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for row in csv.reader(fh) if row) - 1


def copy_floor(owner_uri: str, bundle: Path) -> float:
    """Seconds to COPY every file, as is, into fresh unindexed text tables (one committed transaction)."""
    with psycopg.connect(owner_uri) as conn:
        conn.execute(pgsql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pgsql.Identifier(FLOOR_SCHEMA)))
        conn.execute(pgsql.SQL("CREATE SCHEMA {}").format(pgsql.Identifier(FLOOR_SCHEMA)))
        tables = []
        for name in BUNDLE_FILES:
            with (bundle / name).open(newline="", encoding="utf-8") as fh:
                header = next(csv.reader(fh))
            table = pgsql.Identifier(FLOOR_SCHEMA, name.removesuffix(".csv"))
            columns = pgsql.SQL(", ").join(pgsql.SQL("{} text").format(pgsql.Identifier(c)) for c in header)
            conn.execute(pgsql.SQL("CREATE TABLE {} ({})").format(table, columns))
            tables.append((name, table))
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            for name, table in tables:
                copy_sql = pgsql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)").format(table)
                with (bundle / name).open("rb") as fh, cur.copy(copy_sql) as copy:
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - started
        conn.execute(pgsql.SQL("DROP SCHEMA {} CASCADE").format(pgsql.Identifier(FLOOR_SCHEMA)))
        conn.commit()
    return elapsed


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and stderr of one `racehub` command; exits the benchmark if it fails."""
    started = time.perf_counter()
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        console.print(
            f"[red]racehub {' '.join(args)} failed ({done.returncode}):[/red]\n{done.stderr[-4000:]}"
        )
        raise SystemExit(1)
    return elapsed, done.stderr


def changed_rows(cli_output: str) -> int | None:
    """The `N changed` figure the import command prints."""
    found = re.search(r"([\d,]+) changed", cli_output)
    return int(found.group(1).replace(",", "")) if found else None


def check_counts(database: Database, expected: dict[str, int]) -> dict[str, int]:
    with database.session(Scope.operator()) as session:
        stored = {
            table: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("organizations", "editions", "races", "entries", "results", "splits")
        }
    wanted = {
        "organizations": expected["organizations.csv"],
        "editions": expected["ct_events.csv"],
        "races": expected["ct_races.csv"],
        "entries": expected["ct_participants.csv"],
        "results": expected["ct_results.csv"],
        "splits": expected["ct_splits.csv"],
    }
    if stored != wanted:
        console.print(f"[red]import stored {stored}, bundle has {wanted}[/red]")
        raise SystemExit(1)
    return stored


def score_everything(database: Database) -> tuple[float, int, int, int]:
    """Seconds, races, finishers and rows changed when every race is scored from cleared places."""
    with database.session(Scope.operator()) as session:
        session.execute(
            text(
                "UPDATE results SET overall_place = NULL, sex_place = NULL, age_group = NULL, "
                "age_group_place = NULL"
            )
        )
        session.execute(text("DELETE FROM awards"))
    with database.session(Scope.operator()) as session:
        started = time.perf_counter()
        race_ids = list(session.execute(text("SELECT id FROM races ORDER BY id")).scalars())
        scores = score_races(session, race_ids)
    elapsed = time.perf_counter() - started
    return elapsed, len(scores), sum(s.finishers for s in scores), sum(s.changed_rows for s in scores)


def run(bundle: Path, admin_url: str, work: Path) -> dict[str, Any]:
    name = f"racehub_bench_{os.getpid()}"
    admin_url = libpq_uri(make_url(admin_url))
    owner_uri = libpq_uri(make_url(admin_url).set(database=name))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        version_row = conn.execute("SHOW server_version").fetchone()
    server_version = str(version_row[0]) if version_row else "?"
    settings = Settings(home=work / "home", secret_key=SecretStr("bench"), llm_enabled=False)
    database = Database(settings, owner_url=owner_uri)
    try:
        database.upgrade()
        files = {f: data_rows(bundle / f) for f in BUNDLE_FILES}
        total = sum(files.values())
        for f in BUNDLE_FILES:  # every phase reads the files from the page cache
            (bundle / f).read_bytes()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RACEHUB_")}
        env.update(
            RACEHUB_DATABASE_URL=database.owner_url.render_as_string(hide_password=False),
            RACEHUB_HOME=str(work / "home"),
            COLUMNS="200",
        )

        phases = [Phase("baseline: COPY csv, unindexed", total, copy_floor(owner_uri, bundle))]
        startup, _ = run_cli(["--help"], env)
        phases.append(Phase("racehub --help (start-up only)", 0, startup))
        seconds, output = run_cli(["import", "racedata", str(bundle)], env)
        phases.append(
            Phase("racehub import racedata", total, seconds, f"{changed_rows(output) or 0:,} changed")
        )
        stored = check_counts(database, files)
        seconds, output = run_cli(["import", "racedata", str(bundle)], env)
        noop_changed = changed_rows(output)
        phases.append(Phase("racehub import racedata, again", total, seconds, f"{noop_changed} changed"))
        seconds, races, finishers, changed = score_everything(database)
        phases.append(
            Phase(
                f"score all {races} races",
                stored["results"],
                seconds,
                f"{finishers:,} finishers, {changed:,} rows written",
            )
        )
    finally:
        database.dispose()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
    floor = phases[0].seconds
    for phase in phases:
        phase.ratio = phase.seconds / floor if floor > 0 else None
    return {
        "bundle": str(bundle),
        "rows": files,
        "total_rows": total,
        "stored": stored,
        "noop_changed": noop_changed,
        "scored": {"races": races, "finishers": finishers, "rows_written": changed},
        "cli_startup_s": startup,
        "phases": [{**asdict(p), "rows_per_s": p.rows_per_s} for p in phases],
        "postgres": server_version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }


def show(figures: dict[str, Any]) -> None:
    table = Table(title=f"import of {Path(figures['bundle']).name}: {figures['total_rows']:,} rows")
    for column in ("phase", "rows", "seconds", "rows/s", "x baseline", "note"):
        table.add_column(column, justify="left" if column in ("phase", "note") else "right")
    for p in figures["phases"]:
        ratio = f"{p['ratio']:.1f}" if p["ratio"] is not None else "-"
        rate = f"{p['rows_per_s']:,.0f}" if p["rows"] else "-"
        rows = f"{p['rows']:,}" if p["rows"] else "-"
        table.add_row(p["name"], rows, f"{p['seconds']:.2f}", rate, ratio, p["note"])
    console.print(table)
    console.print(
        f"PostgreSQL {figures['postgres']}, Python {figures['python']}, {figures['cpus']} CPUs. "
        "Import timings are whole `racehub` runs (start-up and schema check included); "
        "scoring runs in-process after places and awards are cleared."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE, help="a racedata-v1 bundle directory")
    parser.add_argument(
        "--database-url", help="owner URL of a PostgreSQL server (default: embedded, temporary)"
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    bundle: Path = args.bundle.resolve()
    if not all((bundle / f).is_file() for f in BUNDLE_FILES):
        parser.error(f"{bundle} is not a racedata-v1 bundle")
    with tempfile.TemporaryDirectory(prefix="racehub-bench-") as tmp:
        work = Path(tmp)
        if args.database_url:
            figures = run(bundle, args.database_url, work)
        else:
            import pgserver  # the embedded server the rest of RaceHub uses

            server = pgserver.get_server(work / "pgdata", cleanup_mode="stop")
            try:
                figures = run(bundle, server.get_uri(), work)
            finally:
                server.cleanup()  # stop it before its directory is removed
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
