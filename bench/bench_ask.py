#!/usr/bin/env python3
"""Latency of answers: `POST /v1/ask` over HTTP, the engine in-process, and the same SQL run directly.

    python bench/bench_ask.py --database-url URL [--rounds 5] [--json out.json]
    python bench/bench_ask.py [--bundle DIR]        # imports DIR (default: the shared racedata-v1)
                                                    # into a throw-away embedded server first

URL is the owner URL of a database holding an imported bundle. The benchmark acts as a staff member of
the busiest timing company, asks a fixed mix of question kinds about its events (ask_questions.py) and
times, for every question and round: the HTTP request to a running `racehub serve`, the engine called
in-process, and the statement the answer shows run through psycopg in the same security context (the
tenant's grant row, the reader role: the same plan), timing the statement alone (the floor).
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ask_questions import pick
from benchlib import (
    REPO,
    busiest_org,
    cli_env,
    free_port,
    open_database,
    racehub_serve,
    serve,
    staff_key,
    summary_ms,
)

from racehub.ask.engine import AskEngine
from racehub.ask.execute import WORK_MEM
from racehub.db import Scope
from racehub.db.engine import READER_ROLE, libpq_uri
from racehub.logging import configure_logging

console = Console(stderr=True)


class Client:
    """POST /v1/ask on one kept-alive connection."""

    def __init__(self, port: int, key: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def ask(self, question: str, today: date) -> dict[str, Any]:
        body = json.dumps({"question": question, "today": today.isoformat()})
        self.conn.request("POST", "/v1/ask", body=body, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"POST /v1/ask answered {response.status}: {data[:300]!r}")
        answer: dict[str, Any] = json.loads(data)
        return answer


def as_reader(conn: psycopg.Connection[Any], org_id: int) -> None:
    """The security context the engine runs answers in: the tenant's grant row, the reader role."""
    token = secrets.token_hex(16)
    grant = "INSERT INTO tenant_grants (token, org_id, all_orgs) VALUES (%s, %s, false)"
    conn.execute(grant, (token, org_id))
    conn.execute(
        "SELECT set_config('app.grant_token', %s, true), set_config('work_mem', %s, true), "
        f"set_config('role', '{READER_ROLE}', true)",
        (token, WORK_MEM),
    )


def run(owner_uri: str, home: Path, *, rounds: int = 5, today: date = date(2026, 11, 25)) -> dict[str, Any]:
    configure_logging("WARNING")
    database = open_database(owner_uri, home)
    try:
        org_id, slug = busiest_org(database)
        key = staff_key(database, slug)
        scope = Scope.tenant(org_id, role="staff")
        engine = AskEngine(database, database.settings)
        mix = pick(engine, database, org_id, scope, today)
        if not mix.questions:
            raise SystemExit(f"no question could be answered: {mix.dropped}")
        port = free_port()
        samples: dict[str, dict[str, list[float]]] = {
            q: {"http": [], "engine": [], "direct": []} for _, q in mix.questions
        }
        env = cli_env(database, home)
        with serve(racehub_serve(env, port), env, f"http://127.0.0.1:{port}/healthz"):
            client = Client(port, key)
            sql = {q: client.ask(q, today)["sql"] for _, q in mix.questions}  # warms server caches too
            for _, q in mix.questions:
                engine.ask(q, scope=scope, today=today)
            with psycopg.connect(libpq_uri(database.app_url)) as direct:
                for _ in range(rounds):
                    for _, q in mix.questions:
                        started = time.perf_counter()
                        client.ask(q, today)
                        samples[q]["http"].append((time.perf_counter() - started) * 1000)
                        started = time.perf_counter()
                        engine.ask(q, scope=scope, today=today)
                        samples[q]["engine"].append((time.perf_counter() - started) * 1000)
                        as_reader(direct, org_id)
                        started = time.perf_counter()
                        direct.execute(sql[q]).fetchall()
                        samples[q]["direct"].append((time.perf_counter() - started) * 1000)
                        direct.rollback()
    finally:
        database.dispose()
    every = {kind: [v for s in samples.values() for v in s[kind]] for kind in ("http", "engine", "direct")}
    overhead = [h - d for s in samples.values() for h, d in zip(s["http"], s["direct"], strict=True)]
    return {
        "org": slug,
        "rounds": rounds,
        "questions": [{"kind": k, "question": q} for k, q in mix.questions],
        "dropped": mix.dropped,
        "http": summary_ms(every["http"]),
        "engine": summary_ms(every["engine"]),
        "direct_sql": summary_ms(every["direct"]),
        "overhead": summary_ms(overhead),
        "by_question": [
            {
                "kind": kind,
                "question": q,
                "http_ms": round(statistics.median(samples[q]["http"]), 1),
                "engine_ms": round(statistics.median(samples[q]["engine"]), 1),
                "direct_ms": round(statistics.median(samples[q]["direct"]), 1),
            }
            for kind, q in mix.questions
        ],
    }


def show(figures: dict[str, Any]) -> None:
    table = Table(
        "measure",
        "POST /v1/ask",
        "engine in-process",
        "same SQL direct (floor)",
        "http - direct",
        title=f"answers: {len(figures['questions'])} questions x {figures['rounds']} rounds",
    )
    for stat in ("p50_ms", "p95_ms", "max_ms"):
        table.add_row(
            stat, *(f"{figures[k][stat]:.1f}" for k in ("http", "engine", "direct_sql", "overhead"))
        )
    console.print(table)
    detail = Table("kind", "question", "http ms", "engine ms", "direct ms", title="median by question")
    for row in sorted(figures["by_question"], key=lambda r: -r["http_ms"]):
        detail.add_row(
            row["kind"],
            row["question"][:64],
            f"{row['http_ms']:.1f}",
            f"{row['engine_ms']:.1f}",
            f"{row['direct_ms']:.1f}",
        )
    console.print(detail)
    for dropped in figures["dropped"]:
        console.print(f"[yellow]not in the mix:[/yellow] {dropped}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", help="owner URL of a database that already holds a bundle")
    ap.add_argument(
        "--bundle",
        type=Path,
        default=REPO.parent / "shared" / "data" / "racedata-v1",
        help="without --database-url: import this bundle into a throw-away embedded server",
    )
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 25))
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="racehub-bench-") as tmp:
        home = Path(tmp)
        if args.database_url:
            figures = run(args.database_url, home, rounds=args.rounds, today=args.today)
        else:
            from bench_import import imported_database

            with imported_database(args.bundle, home) as owner_uri:
                figures = run(owner_uri, home, rounds=args.rounds, today=args.today)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
