#!/usr/bin/env python3
"""Throughput of the results API under load, against a bare ASGI endpoint running the same SQL.

    python bench/bench_results_api.py --database-url URL [--duration 20] [--connections 32] [--json out]

URL is the owner URL of a database holding an imported bundle. Both servers get the same pool
(RACEHUB_POOL_SIZE) and one uvicorn process each; `wrk` (Debian package `wrk`) loads
`GET /v1/races/{id}/results?limit=50` of the busiest company's biggest race, with its staff's API key,
over loopback; then the bare endpoint (bare_results.py). Peak RSS is the real server's VmHWM after its
run. Without wrk a small threaded Python load stands in (reported as such).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    busiest_org,
    cli_env,
    free_port,
    open_database,
    racehub_serve,
    rss_kib,
    serve,
    staff_key,
)

from racehub.db import Scope

console = Console(stderr=True)
BARE = Path(__file__).resolve().parent / "bare_results.py"


def biggest_race(database: Any, org_id: int) -> tuple[int, int]:
    with database.session(Scope.operator()) as session:
        row = session.execute(
            text(
                "SELECT race_id, count(*) FROM results WHERE org_id = :org GROUP BY race_id "
                "ORDER BY count(*) DESC, race_id LIMIT 1"
            ),
            {"org": org_id},
        ).one()
    return int(row[0]), int(row[1])


def _unit(value: str, unit: str) -> float:
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
    return float(value) * scale.get(unit, 1.0)


def wrk(url: str, key: str | None, connections: int, duration: int) -> dict[str, Any]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if key:
        args[1:1] = ["-H", f"Authorization: Bearer {key}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    latency = {p: _unit(v, u) for p, v, u in re.findall(r"\s(50|90|99)%\s+([\d.]+)(us|ms|s|m)", out)}
    return {
        "tool": "wrk",
        "requests": total,
        "requests_per_s": rps,
        "errors": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(map(int, sockets.groups())) if sockets else 0),
        "latency_ms": {f"p{p}": round(v, 2) for p, v in latency.items()},
    }


def python_load(url: str, key: str | None, connections: int, duration: int) -> dict[str, Any]:
    """A stand-in for wrk: `connections` threads, each on one kept-alive connection."""
    host, _, rest = url.removeprefix("http://").partition("/")
    name, _, port = host.partition(":")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(name, int(port), timeout=30)
        ok = errors = 0
        while time.monotonic() < deadline:
            try:
                conn.request("GET", "/" + rest, headers=headers)
                response = conn.getresponse()
                response.read()
                ok, errors = (ok + 1, errors) if response.status == 200 else (ok, errors + 1)
            except OSError:
                errors += 1
                conn = http.client.HTTPConnection(name, int(port), timeout=30)
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    done = counts["ok"] + counts["errors"]
    return {
        "tool": "python threads (wrk not installed)",
        "requests": done,
        "requests_per_s": round(done / elapsed, 1),
        "errors": counts["errors"],
        "latency_ms": {},
    }


def run(
    owner_uri: str,
    home: Path,
    *,
    duration: int = 20,
    connections: int = 32,
    pool_size: int = 16,
    limit: int = 50,
) -> dict[str, Any]:
    database = open_database(owner_uri, home)
    try:
        org_id, slug = busiest_org(database)
        race_id, results = biggest_race(database, org_id)
        key = staff_key(database, slug)
        env = {**cli_env(database, home), "RACEHUB_POOL_SIZE": str(pool_size)}
    finally:
        database.dispose()
    load = wrk if shutil.which("wrk") else python_load
    figures: dict[str, Any] = {
        "race_id": race_id,
        "race_results": results,
        "limit": limit,
        "connections": connections,
        "duration_s": duration,
        "pool_size": pool_size,
    }
    port = free_port()
    path = f"/v1/races/{race_id}/results?limit={limit}"
    with serve(racehub_serve(env, port), env, f"http://127.0.0.1:{port}/healthz") as proc:
        load(f"http://127.0.0.1:{port}{path}", key, connections, 2)  # warm up
        figures["api"] = load(f"http://127.0.0.1:{port}{path}", key, connections, duration)
        rss, peak = rss_kib(proc.pid)
        figures["api"]["rss_mib"] = round(rss / 1024, 1)
        figures["api"]["peak_rss_mib"] = round(peak / 1024, 1)
    port = free_port()
    bare = [sys.executable, str(BARE), "--port", str(port), "--org", str(org_id), "--race", str(race_id)]
    with serve(bare, env, f"http://127.0.0.1:{port}/healthz"):
        load(f"http://127.0.0.1:{port}/bare", None, connections, 2)
        figures["bare"] = load(f"http://127.0.0.1:{port}/bare", None, connections, duration)
    figures["ratio"] = round(figures["api"]["requests_per_s"] / figures["bare"]["requests_per_s"], 3)
    return figures


def show(figures: dict[str, Any]) -> None:
    table = Table(
        "endpoint",
        "requests/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "peak RSS MiB",
        title=f"page of {figures['limit']} results of race {figures['race_id']} "
        f"({figures['race_results']:,} results), {figures['connections']} connections",
    )
    for name, label in (("api", "GET /v1/races/{id}/results"), ("bare", "bare ASGI, same SQL")):
        f = figures[name]
        table.add_row(
            label,
            f"{f['requests_per_s']:,.0f}",
            str(f["latency_ms"].get("p50", "-")),
            str(f["latency_ms"].get("p99", "-")),
            str(f["errors"]),
            str(f.get("peak_rss_mib", "-")),
        )
    console.print(table)
    console.print(f"API / bare = {figures['ratio']:.2f} ({figures['api']['tool']})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True, help="owner URL of a database holding a bundle")
    ap.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--pool-size", type=int, default=16)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="racehub-bench-") as tmp:
        figures = run(
            args.database_url,
            Path(tmp),
            duration=args.duration,
            connections=args.connections,
            pool_size=args.pool_size,
        )
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
