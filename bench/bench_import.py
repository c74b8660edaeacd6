#!/usr/bin/env python3
"""Rows per second of `racehub import racedata` against a plain COPY of the same rows (the floor).

    python bench/bench_import.py --bundle DIR [--database-url URL] [--keep-database NAME] [--json out]

Phases, on one fresh database (a scratch database on --database-url's server, or an embedded
PostgreSQL in a temporary directory with benchlib.SERVER_SETTINGS):

  baseline   plain `COPY ... (FORMAT csv)` of every bundle file into unindexed all-text tables
  import     `racehub import racedata DIR` (a subprocess, as a user runs it): stream and check every
             file, merge, place and award; its peak RSS is sampled from /proc
  re-import  the same command again: must change nothing
  ceiling    on the imported tables, building once more the indexes, unique and primary keys and
             foreign keys of the entry tables (what every load that ends with RaceHub's schema must do,
             whatever it does before), rolled back. COPY plus this is the fastest any import could be.

The figure is import rows/s as a share of baseline rows/s (target: at least half); the ceiling is the
share a load doing nothing but COPY and that rebuild would reach.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    CLI,
    REPO,
    cli_env,
    database_uri,
    drop_database,
    machine,
    open_database,
    postgres,
    rss_kib,
    server_settings,
)

from racehub.db import Database, Scope
from racehub.imports.service import analyze_tables, import_bundle

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
console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


@dataclass
class Phase:
    name: str
    rows: int
    seconds: float
    note: str = ""
    share_of_baseline: float | None = None  # this phase's rows/s over the baseline's

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


ENTRY_TABLES = ("persons", "entries", "results", "splits", "awards")
# (kind, drop, create) of every primary key (p), unique key (u), foreign key (f) and other index (i).
SCHEMA_OF_ENTRY_TABLES = """
    SELECT c.contype::text, format('ALTER TABLE %%s DROP CONSTRAINT %%I', c.conrelid::regclass, c.conname),
           format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', c.conrelid::regclass, c.conname,
                  pg_get_constraintdef(c.oid))
    FROM pg_constraint c WHERE c.contype IN ('p', 'u', 'f') AND (c.conrelid = ANY(%(tables)s::regclass[])
        OR (c.contype = 'f' AND c.confrelid = ANY(%(tables)s::regclass[])))
    UNION ALL
    SELECT 'i', format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
    FROM pg_index i WHERE i.indrelid = ANY(%(tables)s::regclass[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"""
REBUILT = {"p": "primary keys", "i": "indexes", "u": "unique keys", "f": "foreign keys"}  # build order


def rebuild_seconds(owner_uri: str) -> dict[str, float]:
    """Seconds to build the entry tables' primary keys, indexes, unique keys and foreign keys again, in
    the order and with the memory of the import's first load; nothing is kept (rolled back)."""
    seconds = dict.fromkeys(REBUILT.values(), 0.0)
    with psycopg.connect(owner_uri) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        schema = conn.execute(SCHEMA_OF_ENTRY_TABLES, {"tables": list(ENTRY_TABLES)}).fetchall()
        for _, drop, _ in sorted(schema, key=lambda item: "fupi".index(item[0])):
            conn.execute(drop)
        for kind, _, create in sorted(schema, key=lambda item: list(REBUILT).index(item[0])):
            started = time.perf_counter()
            conn.execute(create)
            seconds[REBUILT[kind]] += time.perf_counter() - started
        conn.rollback()
    return {name: round(value, 4) for name, value in seconds.items()}


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, str, int]:
    """Wall seconds, stderr and peak RSS (KiB, sampled from /proc) of one `racehub` command."""
    started = time.perf_counter()
    proc = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, rss_kib(proc.pid)[1])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        console.print(f"[red]racehub {' '.join(args)} failed ({proc.returncode}):[/red]\n{err[-4000:]}")
        raise SystemExit(1)
    return elapsed, err, peak


def changed_rows(cli_output: str) -> int | None:
    """Rows the import command says it wrote: 0 for "nothing changed", else the sum of its per-table
    new and updated columns; None when the output says neither."""
    if "nothing changed" in cli_output:
        return 0
    rows = re.findall(r"^\W*[a-z_]+\W+([\d,]+)\W+([\d,]+)\W*$", cli_output, flags=re.MULTILINE)
    if not rows:
        return None
    return sum(int(new.replace(",", "")) + int(updated.replace(",", "")) for new, updated in rows)


def stored_counts(database: Database) -> dict[str, int]:
    with database.session(Scope.operator()) as session:
        return {
            table: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("organizations", "editions", "races", "entries", "results", "splits")
        }


def check_counts(stored: dict[str, int], files: dict[str, int]) -> None:
    wanted = {
        "organizations": files["organizations.csv"],
        "editions": files["ct_events.csv"],
        "races": files["ct_races.csv"],
        "entries": files["ct_participants.csv"],
        "results": files["ct_results.csv"],
        "splits": files["ct_splits.csv"],
    }
    if stored != wanted:
        console.print(f"[red]import stored {stored}, bundle has {wanted}[/red]")
        raise SystemExit(1)


def run(bundle: Path, admin_url: str, work: Path, *, keep_database: str | None = None) -> dict[str, Any]:
    """Baseline, import and re-import on a fresh database (kept under `keep_database` if given)."""
    name = keep_database or f"racehub_bench_import_{int(time.time())}"
    drop_database(admin_url, name)
    owner_uri = database_uri(admin_url, name)
    database = open_database(owner_uri, work / "home")
    try:
        database.upgrade()
        files = {f: data_rows(bundle / f) for f in BUNDLE_FILES}
        total = sum(files.values())
        for f in BUNDLE_FILES:  # every phase reads the files from the page cache
            with (bundle / f).open("rb") as fh:
                while fh.read(1 << 24):
                    pass
        env = cli_env(database, work / "home")
        phases = [Phase("baseline: COPY csv into unindexed tables", total, copy_floor(owner_uri, bundle))]
        seconds, output, peak = run_cli(["import", "racedata", str(bundle)], env)
        phases.append(
            Phase("racehub import racedata", total, seconds, f"{changed_rows(output) or 0:,} changed")
        )
        stored = stored_counts(database)
        check_counts(stored, files)
        seconds, output, _ = run_cli(["import", "racedata", str(bundle)], env)
        noop_changed = changed_rows(output)
        phases.append(Phase("racehub import racedata, again", total, seconds, f"{noop_changed} changed"))
        rebuild = rebuild_seconds(owner_uri)
        phases.append(
            Phase(
                "ceiling: the same COPY, then RaceHub's keys and indexes",
                total,
                phases[0].seconds + sum(rebuild.values()),
                ", ".join(f"{name} {value:.1f} s" for name, value in rebuild.items()),
            )
        )
        settings = server_settings(owner_uri)
    finally:
        database.dispose()
        if keep_database is None:
            drop_database(admin_url, name)
    floor_rate = phases[0].rows_per_s
    for phase in phases:
        phase.share_of_baseline = round(phase.rows_per_s / floor_rate, 4) if floor_rate else None
    return {
        "bundle": str(bundle),
        "database": owner_uri if keep_database else None,
        "rows": files,
        "total_rows": total,
        "stored": stored,
        "noop_changed": noop_changed,
        "import_peak_rss_mib": round(peak / 1024, 1),
        "import_share_of_copy": phases[1].share_of_baseline,
        "ceiling_share_of_copy": phases[3].share_of_baseline,
        "rebuild_s": rebuild,
        "phases": [{**asdict(p), "rows_per_s": round(p.rows_per_s)} for p in phases],
        "postgres": settings,
        "machine": machine(),
    }


@contextmanager
def imported_database(bundle: Path, home: Path) -> Iterator[str]:
    """An embedded server in `home` with `bundle` imported; yields the database's owner URL."""
    with postgres(None, home / "pgdata") as admin:
        owner_uri = database_uri(admin, "racehub")
        database = open_database(owner_uri, home)
        database.upgrade()
        with database.session(Scope.operator()) as session:
            import_bundle(session, bundle)
        analyze_tables(database)
        database.dispose()
        yield owner_uri


def show(figures: dict[str, Any]) -> None:
    table = Table(title=f"import of {Path(figures['bundle']).name}: {figures['total_rows']:,} rows")
    for column in ("phase", "rows", "seconds", "rows/s", "share of baseline", "note"):
        table.add_column(column, justify="left" if column in ("phase", "note") else "right")
    for p in figures["phases"]:
        share = f"{p['share_of_baseline']:.1%}" if p["share_of_baseline"] is not None else "-"
        table.add_row(
            p["name"], f"{p['rows']:,}", f"{p['seconds']:.2f}", f"{p['rows_per_s']:,.0f}", share, p["note"]
        )
    console.print(table)
    console.print(
        f"PostgreSQL {figures['postgres']['server_version']}, {figures['machine']['cpus']} CPUs; import peak "
        f"RSS {figures['import_peak_rss_mib']} MiB. Import timings are whole `racehub` runs (start-up, "
        "schema check and the final ANALYZE included)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE, help="a racedata-v1 bundle directory")
    parser.add_argument(
        "--database-url", help="admin URL of a PostgreSQL server (default: embedded, temporary)"
    )
    parser.add_argument("--keep-database", help="keep the imported database under this name")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    bundle: Path = args.bundle.resolve()
    if not all((bundle / f).is_file() for f in BUNDLE_FILES):
        parser.error(f"{bundle} is not a racedata-v1 bundle")
    with tempfile.TemporaryDirectory(prefix="racehub-bench-") as tmp:
        work = Path(tmp)
        with postgres(args.database_url, work / "pgdata") as admin:
            figures = run(bundle, admin, work, keep_database=args.keep_database)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
