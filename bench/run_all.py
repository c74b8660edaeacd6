#!/usr/bin/env python3
"""Every benchmark at one scale, each against its baseline: `python bench/run_all.py --results N`.

    python bench/run_all.py --results 7600000            # the production volume: about an hour
    python bench/run_all.py --results 50000 --rounds 2   # a quick look

Generates a racedata-v1 bundle of N result rows into bench/out (or reuses one), starts an embedded
PostgreSQL under bench/out/pgdata with benchlib.SERVER_SETTINGS (or uses --database-url's server),
then runs bench_import (COPY baseline, import, re-import), bench_ask (POST /v1/ask, engine, direct
SQL), bench_results_api (wrk against `racehub serve` and a bare ASGI endpoint), bench_score
(a 30,000-finisher marathon) and bench_live (SSE to 10 and 1,000 clients against the same clients
polling every 5 s) on the imported database, and writes bench/out/figures.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_ask
import bench_import
import bench_live
import bench_results_api
import bench_score
from benchlib import OUT, database_uri, drop_database, postgres
from rich.console import Console
from rich.table import Table

GENERATOR = Path(__file__).resolve().parent / "generate.py"
DATABASE = f"racehub_bench_{os.getpid()}"
console = Console(stderr=True)


def bundle_for(results: int, seed: int, out: Path) -> tuple[Path, float | None]:
    """The bundle of this size and seed, generated unless a complete one is there; (dir, seconds)."""
    bundle = out / f"bundle-{results}-seed{seed}"
    if all((bundle / f).is_file() for f in bench_import.BUNDLE_FILES) and (bundle / ".complete").exists():
        return bundle, None
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--results",
            str(results),
            "--out",
            str(bundle),
            "--seed",
            str(seed),
        ],
        check=True,
    )
    (bundle / ".complete").touch()
    return bundle, time.perf_counter() - started


def summary(figures: dict[str, Any]) -> list[dict[str, Any]]:
    imp, ask, api, score = figures["import"], figures["ask"], figures["results_api"], figures["score"]
    live = figures["live"]
    sse = {row["clients"]: row for row in live["sse"]}
    polls = {row["clients"]: row for row in live["polling"]}
    few, many = min(sse), max(sse)
    floor, load, ceiling = imp["phases"][0], imp["phases"][1], imp["phases"][3]
    return [
        {
            "figure": "import rows/s",
            "value": load["rows_per_s"],
            "baseline": floor["rows_per_s"],
            "target": ">= 50% of baseline",
            "met": imp["import_share_of_copy"] >= 0.5,
        },
        {
            "figure": "import ceiling rows/s (COPY, then the keys and indexes)",
            "value": ceiling["rows_per_s"],
            "baseline": floor["rows_per_s"],
            "target": "(reported)",
            "met": None,
        },
        {
            "figure": "POST /v1/ask p50 / p95 ms",
            "value": [ask["http"]["p50_ms"], ask["http"]["p95_ms"]],
            "baseline": [ask["direct_sql"]["p50_ms"], ask["direct_sql"]["p95_ms"]],
            "target": "p95 < 150 ms",
            "met": ask["http"]["p95_ms"] < 150,
        },
        {
            "figure": "ask overhead over direct SQL p50 / p95 ms",
            "value": [ask["overhead"]["p50_ms"], ask["overhead"]["p95_ms"]],
            "baseline": None,
            "target": "< 30 ms",
            "met": ask["overhead"]["p95_ms"] < 30,
        },
        {
            "figure": "results API requests/s (page of 50, 32 connections)",
            "value": api["api"]["requests_per_s"],
            "baseline": api["bare"]["requests_per_s"],
            "target": ">= 70% of bare, 0 errors",
            "met": api["ratio"] >= 0.7 and api["api"]["errors"] == 0,
        },
        {
            "figure": "scoring a 30,000-finisher marathon, s",
            "value": score["score_s"],
            "baseline": score["baseline_read_finishers_s"],
            "target": "< 1 s",
            "met": score["score_s"] < 1 and score["matches_python_rules"],
        },
        {
            "figure": f"live: commit to arrival at {few} SSE clients, p95 ms",
            "value": sse[few].get("p95_ms"),
            "baseline": polls[few].get("p95_ms"),
            "target": "< 100 ms",
            "met": sse[few].get("p95_ms") is not None
            and sse[few]["p95_ms"] < 100
            and sse[few]["received"] == sse[few]["expected"],
        },
        {
            "figure": f"live: commit to arrival at {many} SSE clients, p95 ms",
            "value": sse[many].get("p95_ms"),
            "baseline": polls[many].get("p95_ms"),
            "target": "< 1000 ms",
            "met": sse[many].get("p95_ms") is not None
            and sse[many]["p95_ms"] < 1000
            and sse[many]["received"] == sse[many]["expected"],
        },
        {
            "figure": f"live: server memory per SSE client ({many} clients), KiB",
            "value": sse[many]["rss_kib_per_client"],
            "baseline": None,
            "target": "(reported)",
            "met": None,
        },
        {
            "figure": "server peak RSS under load, MiB",
            "value": api["api"].get("peak_rss_mib"),
            "baseline": None,
            "target": "(reported)",
            "met": None,
        },
        {
            "figure": "import peak RSS, MiB",
            "value": imp["import_peak_rss_mib"],
            "baseline": None,
            "target": "(reported)",
            "met": None,
        },
    ]


def show(rows: list[dict[str, Any]]) -> None:
    table = Table("figure", "value", "baseline", "target", "met", title="RaceHub at scale")
    for row in rows:
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        table.add_row(
            row["figure"], json.dumps(row["value"]), json.dumps(row["baseline"]), row["target"], met
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=int, required=True, help="result rows of the generated bundle")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bundle", type=Path, help="use this bundle instead of generating one")
    ap.add_argument("--out", type=Path, default=OUT, help="bundles, the embedded server and figures.json")
    ap.add_argument("--database-url", help="admin URL of a PostgreSQL server (default: embedded under --out)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the question mix")
    ap.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    ap.add_argument("--finishers", type=int, default=30_000, help="finishers of the scored marathon")
    ap.add_argument("--live-clients", default="10,1000", help="SSE (and polling) client counts")
    ap.add_argument("--live-changes", type=int, default=100, help="result changes committed per live run")
    ap.add_argument("--live-poll-s", type=float, default=5.0, help="the polling baseline's interval")
    ap.add_argument("--keep", action="store_true", help="keep the imported database")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    bundle, generated_s = (
        (args.bundle, None) if args.bundle else bundle_for(args.results, args.seed, args.out)
    )
    figures: dict[str, Any] = {"results_target": args.results, "generate_s": generated_s}
    with (
        tempfile.TemporaryDirectory(prefix="racehub-bench-") as tmp,
        postgres(args.database_url, args.out / "pgdata") as admin,
    ):
        work = Path(tmp)
        try:
            console.rule("import")
            figures["import"] = bench_import.run(bundle, admin, work, keep_database=DATABASE)
            bench_import.show(figures["import"])
            owner_uri = database_uri(admin, DATABASE)
            console.rule("answers")
            figures["ask"] = bench_ask.run(owner_uri, work / "home", rounds=args.rounds)
            bench_ask.show(figures["ask"])
            console.rule("results API")
            figures["results_api"] = bench_results_api.run(owner_uri, work / "home", duration=args.duration)
            bench_results_api.show(figures["results_api"])
            console.rule("scoring")
            figures["score"] = bench_score.run(owner_uri, work / "home", finishers=args.finishers)
            bench_score.show(figures["score"])
            console.rule("live results")
            figures["live"] = bench_live.run(
                owner_uri,
                work / "home",
                clients=[int(c) for c in args.live_clients.split(",")],
                changes=args.live_changes,
                poll_s=args.live_poll_s,
            )
            bench_live.show(figures["live"])
        finally:
            if not args.keep:
                drop_database(admin, DATABASE)
    figures["summary"] = summary(figures)
    figures["machine"] = figures["import"]["machine"]
    figures["postgres"] = figures["import"]["postgres"]
    (args.out / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    show(figures["summary"])
    console.print(f"figures: {args.out / 'figures.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
