"""Per-question latency of the ask engine's parser path, against the same SQL run directly (the floor).

    python bench/bench_ask.py [--database-url URL] [--bundle DIR] [--rounds 5] [--json out.json]

Without --database-url a throw-away embedded PostgreSQL is started and the bundle imported into it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from racehub.ask.engine import AskEngine
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.db.embedded import start_embedded
from racehub.db.engine import libpq_uri
from racehub.imports.service import import_bundle
from racehub.logging import configure_logging

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "How many runners finished the Shamrock Marathon last year?",
    "How many participants registered for the 2024 Shamrock Marathon Weekend across all races?",
    "Who won the women's race at the 2025 Boston Marathon?",
    "Show the top 5 men at the 2024 Shamrock Half Marathon.",
    "What was Samuel Padilla's finish time at the 2024 Lakeside 10K?",
    "What was the average finish time of the 2025 Shamrock Marathon?",
    "How did the number of finishers in the Harbor Half Marathon half marathon change from 2023 to 2025?",
    "How many finishers of the 2025 Shamrock Half Marathon were from North Carolina?",
    "Who was the fastest woman aged 40-44 at the 2024 Boston Marathon?",
    "How many people finished the Shamrock Marathon in both 2024 and 2025?",
    "Who was the oldest finisher of the 2025 Boston Marathon?",
    "What was the men's winner's half marathon split at the 2025 Boston Marathon?",
    "Which events are scheduled in December 2026?",
    "Which running club had the most finishers at the 2025 Shamrock Marathon Weekend?",
    "What is the fastest marathon time ever run at the Shamrock Marathon?",
    "What was the median finish time at the 2024 Boston Marathon?",
    "how many women finished the cherry blossom 10 miler in 2025",
    "finishers by age group at the 2025 richmond turkey trot 5k",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", help="owner URL of a database that already holds the bundle")
    ap.add_argument("--bundle", type=Path, default=REPO.parent / "shared" / "data" / "racedata-v1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--today", default="2026-11-25")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    console = Console(stderr=True)
    configure_logging("WARNING")
    home = Path(tempfile.mkdtemp(prefix="racehub-bench-"))
    settings = Settings(home=home, llm_enabled=False)
    if args.database_url:
        database = Database(settings, owner_url=args.database_url)
    else:
        admin = start_embedded(home / "pg", stop_at_exit=True)
        database = Database(settings, owner_url=admin.replace("/postgres?", "/racehub?"))
        database.upgrade()
        with database.session(Scope.operator()) as session:
            import_bundle(session, args.bundle)
    engine = AskEngine(database, settings)
    today = date.fromisoformat(args.today)
    scope = Scope.operator()
    for q in QUESTIONS:  # warm the catalogue, the pool and PostgreSQL's caches
        engine.ask(q, scope=scope, today=today)
    engine_ms: list[float] = []
    direct_ms: list[float] = []
    per_question: dict[str, list[tuple[float, float]]] = {q: [] for q in QUESTIONS}
    failures = 0
    with psycopg.connect(libpq_uri(database.app_url), autocommit=False) as conn:
        for _ in range(args.rounds):
            for q in QUESTIONS:
                started = time.perf_counter()
                answer = engine.ask(q, scope=scope, today=today)
                engine_ms.append((time.perf_counter() - started) * 1000)
                if answer.status != "answered" or not answer.sql:
                    failures += 1
                    continue
                conn.execute(f"SET LOCAL ROLE racehub_platform")
                started = time.perf_counter()
                conn.execute(answer.sql).fetchall()
                direct_ms.append((time.perf_counter() - started) * 1000)
                per_question[q].append((engine_ms[-1], direct_ms[-1]))
                conn.rollback()
    figures = {
        "questions": len(QUESTIONS), "rounds": args.rounds, "unanswered": failures,
        "engine_p50_ms": statistics.median(engine_ms), "engine_p95_ms": percentile(engine_ms, 95),
        "engine_max_ms": max(engine_ms),
        "direct_sql_p50_ms": statistics.median(direct_ms), "direct_sql_p95_ms": percentile(direct_ms, 95),
    }
    table = Table("measure", "engine (parse + guard + read-only run)", "same SQL direct (floor)",
                  title=f"ask latency, {len(engine_ms)} answers")
    table.add_row("p50 ms", f"{figures['engine_p50_ms']:.1f}", f"{figures['direct_sql_p50_ms']:.1f}")
    table.add_row("p95 ms", f"{figures['engine_p95_ms']:.1f}", f"{figures['direct_sql_p95_ms']:.1f}")
    table.add_row("max ms", f"{figures['engine_max_ms']:.1f}", "")
    console.print(table)
    slow = Table("question", "engine ms (median)", "direct ms (median)", title="by question")
    for q, pairs in sorted(per_question.items(), key=lambda kv: -statistics.median(p[0] for p in kv[1] or [(0, 0)])):
        if pairs:
            slow.add_row(q[:70], f"{statistics.median(p[0] for p in pairs):.1f}",
                         f"{statistics.median(p[1] for p in pairs):.1f}")
    console.print(slow)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    database.dispose()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
