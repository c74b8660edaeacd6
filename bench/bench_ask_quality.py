#!/usr/bin/env python3
"""Quality of answers: precision and coverage over thousands of generated questions, and their latency.

    python bench/bench_ask_quality.py                       # 3000 questions, seed 7, the shared racedata-v1
    python bench/bench_ask_quality.py --n 10000 --seed 3    # more, or other, questions
    python bench/bench_ask_quality.py --database-url URL    # a database that already holds the bundle

Questions come from the generator in tests/ask/question_gen (readings of src/racehub/ask/README.md over the
bundle's real events, people, clubs and cities, with gold from the plain reference in
tests/ask/bundle_reference.py) plus the hand-written tests/ask/paraphrases.jsonl (`--no-paraphrases`
leaves them out). Each is asked in-process as the platform operator with its own `today` and scored
by the rules of ../shared/eval/check.py (tests/ask/judge.py):

- precision = right / answered: an `answered` that is wrong is a figure staff would trust (target 100%);
- coverage = right / all questions (target 95%).

Without --database-url the bundle is imported into a throw-away embedded PostgreSQL first. Every miss
is written as a JSON line (bench/out/ask_quality_misses.jsonl by default), answered ones first.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package: generator, judge

from benchlib import OUT, REPO, machine, open_database, summary_ms
from rich.console import Console
from rich.table import Table

from racehub.ask.engine import AskEngine
from racehub.db import Scope
from racehub.logging import configure_logging
from tests.ask.bundle_reference import Bundle
from tests.ask.judge import Outcome, Score, load_jsonl
from tests.ask.question_gen import generate

console = Console(stderr=True)
DEFAULT_BUNDLE = REPO.parent / "shared" / "data" / "racedata-v1"
PARAPHRASES = REPO / "tests" / "ask" / "paraphrases.jsonl"


def ask_all(engine: AskEngine, items: list[dict[str, Any]]) -> tuple[Score, list[float]]:
    """Every question asked once (after one warm-up), scored; with the engine's time per question."""
    score, latencies = Score(), []
    scope = Scope.operator()
    if items:
        engine.ask(items[0]["question"], scope=scope, today=date.fromisoformat(items[0]["today"]))
    for item in items:
        today = date.fromisoformat(item["today"])
        started = time.perf_counter()
        try:
            answer = engine.ask(item["question"], scope=scope, today=today, with_paths=True).to_dict()
        except Exception as exc:  # a crash is a miss to count and show, not the end of the run
            answer = {"status": "error", "answer": f"{type(exc).__name__}: {exc}", "rows": [], "files": []}
        latencies.append((time.perf_counter() - started) * 1000)
        score.add(item, answer)
    return score, latencies


def figures_of(score: Score) -> dict[str, Any]:
    def one(category: str | None) -> dict[str, Any]:
        t = score.tally(category)
        return {
            "questions": t.total,
            "answered": t.answered,
            "answered_right": t.answered_right,
            "right": t.right,
            "precision": round(t.precision, 4),
            "coverage": round(t.coverage, 4),
        }

    return {"overall": one(None), "by_category": {c: one(c) for c in score.categories}}


def miss_record(outcome: Outcome) -> dict[str, Any]:
    a = outcome.answer
    return {
        "id": outcome.item.get("id"),
        "category": outcome.item.get("category"),
        "question": outcome.item["question"],
        "today": outcome.item.get("today"),
        "expect": outcome.item["expect"],
        "why": outcome.why,
        "answered": outcome.answered,
        "got": {
            "status": a.get("status"),
            "answer": a.get("answer"),
            "interpretation": a.get("interpretation"),
            "engine": a.get("engine"),
            "columns": a.get("columns"),
            "rows": (a.get("rows") or [])[:10],
            "files": [f.get("name") for f in a.get("files") or []],
            "sql": a.get("sql"),
        },
    }


def run(owner_uri: str, home: Path, bundle: Path, *, n: int, seed: int, paraphrases: bool) -> dict[str, Any]:
    configure_logging("WARNING")
    reference = Bundle(bundle)
    started = time.perf_counter()
    generated = generate(n, seed, reference)
    generate_s = time.perf_counter() - started
    written = load_jsonl(PARAPHRASES) if paraphrases else []
    database = open_database(owner_uri, home)
    try:
        engine = AskEngine(database, database.settings)
        score, latencies = ask_all(engine, generated)
        para_score, para_latencies = ask_all(engine, written)
    finally:
        database.dispose()
    return {
        "machine": machine(),
        "bundle": str(bundle),
        "n": n,
        "seed": seed,
        "generate_s": round(generate_s, 1),
        "generated": figures_of(score),
        "paraphrases": figures_of(para_score) if written else None,
        "engine_latency": summary_ms(latencies + para_latencies),
        "_misses": [miss_record(o) for o in score.misses() + para_score.misses()],
    }


def show(figures: dict[str, Any]) -> None:
    table = Table(
        "category",
        "questions",
        "answered",
        "precision",
        "coverage",
        title=f"answer quality: {figures['n']} generated questions (seed {figures['seed']})",
    )
    rows = [*figures["generated"]["by_category"].items(), ("ALL", figures["generated"]["overall"])]
    for name, f in rows:
        table.add_row(
            name, str(f["questions"]), str(f["answered"]), f"{f['precision']:.1%}", f"{f['coverage']:.1%}"
        )
    console.print(table)
    if figures["paraphrases"]:
        p = figures["paraphrases"]["overall"]
        console.print(
            f"hand-written paraphrases: {p['questions']} questions, precision {p['precision']:.1%} "
            f"({p['answered_right']}/{p['answered']}), coverage {p['coverage']:.1%} "
            f"({p['right']}/{p['questions']})"
        )
    lat = figures["engine_latency"]
    console.print(
        f"engine latency over every question: p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms, "
        f"max {lat['max_ms']:.1f} ms ({lat['samples']} questions)"
    )
    console.print("targets: precision 100% (every wrong `answered` is a bug), coverage >= 95%")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000, help="generated questions (default 3000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-paraphrases", action="store_true", help="leave out tests/ask/paraphrases.jsonl")
    ap.add_argument("--database-url", help="owner URL of a database that already holds the bundle")
    ap.add_argument(
        "--bundle", type=Path, default=DEFAULT_BUNDLE, help="the racedata-v1 bundle (the gold's source)"
    )
    ap.add_argument(
        "--misses", type=Path, default=OUT / "ask_quality_misses.jsonl", help="write the misses here"
    )
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="racehub-bench-") as tmp:
        home = Path(tmp)
        options = {"n": args.n, "seed": args.seed, "paraphrases": not args.no_paraphrases}
        if args.database_url:
            figures = run(args.database_url, home, args.bundle, **options)
        else:
            from bench_import import imported_database

            with imported_database(args.bundle, home) as owner_uri:
                figures = run(owner_uri, home, args.bundle, **options)
    misses = figures.pop("_misses")
    args.misses.parent.mkdir(parents=True, exist_ok=True)
    args.misses.write_text("".join(json.dumps(m, default=str) + "\n" for m in misses))
    show(figures)
    console.print(f"{len(misses)} misses written to {args.misses}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
