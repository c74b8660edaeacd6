#!/usr/bin/env python3
"""Live results: from the commit of a result to its arrival at N Server-Sent-Events clients, against the
same N clients polling the results page every 5 s, in the same run, on loopback.

    python bench/bench_live.py --database-url URL [--clients 10,1000] [--changes 100] [--json out]

URL is the owner URL of a database holding an imported bundle (run_all.py passes its own). A `racehub
serve` process serves the busiest company's biggest race; this process opens the clients (asyncio, raw
sockets: one connection each) and, as that company, commits one result change every `--interval-ms`
(a chip time set to a marker value, one statement, one commit). Each client notes when each marker
arrives; latency = arrival minus the writer's commit returning, both on this process's monotonic clock.

- SSE: each client holds `GET /v1/live?race_id=...` open. Reported per client count: latency p50/p95/
  p99/max over every (client, change), changes lost, server RSS before and with the clients connected
  (memory per client), server CPU seconds.
- Polling (the baseline): each client fetches `GET /v1/races/{id}/results?limit=50` (where the changed
  results are, at the top) every `--poll-s` seconds from a random phase; latency to the first poll that
  shows the marker; requests/s served and failed; server CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    busiest_org,
    cli_env,
    free_port,
    open_database,
    percentile,
    racehub_serve,
    rss_kib,
    serve,
    staff_key,
)

from racehub.db import Scope
from racehub.db.engine import libpq_uri

console = Console(stderr=True)
MARKER_BASE = 90_000_000  # chip times no race has: 25 hours
MARKER = re.compile(rb'"chip_ms":\s?(9\d{7})')


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / 100.0


def top_entries(database: Any, org_id: int, count: int) -> tuple[int, list[int]]:
    """The biggest race of the company and the entries at the top of its results page."""
    with database.session(Scope.operator()) as session:
        race_id = session.execute(
            text(
                "SELECT race_id FROM results WHERE org_id = :org GROUP BY race_id "
                "ORDER BY count(*) DESC, race_id LIMIT 1"
            ),
            {"org": org_id},
        ).scalar_one()
        entries = session.execute(
            text(
                "SELECT entry_id FROM results WHERE race_id = :r AND overall_place IS NOT NULL "
                "ORDER BY overall_place LIMIT :n"
            ),
            {"r": race_id, "n": count},
        ).scalars()
        return int(race_id), [int(e) for e in entries]


class Writer:
    """Commits result changes as the company (its own connection), noting when each commit returned."""

    def __init__(self, owner_url: str, app_role_url: str, org_id: int, entries: list[int]) -> None:
        self.conn = psycopg.connect(app_role_url)
        self.org_id = org_id
        self.entries = entries
        self.committed: dict[int, float] = {}
        # Markers never repeat, not even across runs on one database (an unchanged value logs no change).
        self.serial = random.randrange(0, 8_000_000, 10_000)

    def change(self) -> None:
        self.serial += 1
        marker = MARKER_BASE + self.serial
        with self.conn.transaction():
            self.conn.execute("SELECT set_config('app.org_id', %s, true)", (str(self.org_id),))
            self.conn.execute(
                "UPDATE results SET chip_ms = %s WHERE entry_id = %s",
                (marker, self.entries[self.serial % len(self.entries)]),
            )
        self.committed[marker] = time.perf_counter()

    def close(self) -> None:
        self.conn.close()


async def _request(host: str, port: int, path: str, key: str, accept: str) -> tuple[Any, Any]:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
        f"Accept: {accept}\r\n\r\n".encode()
    )
    await writer.drain()
    return reader, writer


async def sse_client(
    host: str, port: int, path: str, key: str, arrivals: dict[int, float], connected: asyncio.Event
) -> None:
    reader, writer = await _request(host, port, path, key, "text/event-stream")
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"live stream refused: {status!r}")
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    connected.set()
    tail = b""
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            now = time.perf_counter()
            data = tail + chunk
            for found in MARKER.finditer(data):
                arrivals.setdefault(int(found.group(1)), now)
            tail = data[-40:]
    finally:
        writer.close()


async def poll_client(
    host: str,
    port: int,
    path: str,
    key: str,
    every_s: float,
    arrivals: dict[int, float],
    stats: dict[str, int],
    stop: asyncio.Event,
) -> None:
    await asyncio.sleep(random.uniform(0, every_s))
    reader, writer = await _request(host, port, path, key, "application/json")
    try:
        while not stop.is_set():
            started = time.perf_counter()
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length)
            now = time.perf_counter()
            if b" 200 " in status:
                stats["ok"] += 1
                for found in MARKER.finditer(body):
                    arrivals.setdefault(int(found.group(1)), now)
            else:
                stats["failed"] += 1
            await asyncio.sleep(max(0.0, every_s - (now - started)))
            if stop.is_set():
                return
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
                "Accept: application/json\r\n\r\n".encode()
            )
            await writer.drain()
    finally:
        writer.close()


def _latencies(committed: dict[int, float], arrivals: list[dict[int, float]]) -> dict[str, Any]:
    values = [
        (got[marker] - at) * 1000 for got in arrivals for marker, at in committed.items() if marker in got
    ]
    expected = len(committed) * len(arrivals)
    if not values:
        return {"received": 0, "expected": expected}
    return {
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
        "max_ms": round(max(values), 1),
        "received": len(values),
        "expected": expected,
    }


async def run_sse(
    host: str,
    port: int,
    race_id: int,
    key: str,
    clients: int,
    writer: Writer,
    changes: int,
    interval_s: float,
    server_pid: int,
) -> dict[str, Any]:
    before_rss = rss_kib(server_pid)[0]
    arrivals: list[dict[int, float]] = [{} for _ in range(clients)]
    connected = [asyncio.Event() for _ in range(clients)]
    tasks = []
    path = f"/v1/live?race_id={race_id}&kinds=result"
    for i in range(clients):
        tasks.append(asyncio.create_task(sse_client(host, port, path, key, arrivals[i], connected[i])))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # connect in waves, as a crowd does
    await asyncio.wait_for(asyncio.gather(*(c.wait() for c in connected)), timeout=300)
    await asyncio.sleep(2)
    with_clients_rss = rss_kib(server_pid)[0]
    cpu_before = cpu_s(server_pid)
    writer.committed.clear()
    for _ in range(changes):
        await asyncio.to_thread(writer.change)
        await asyncio.sleep(interval_s)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(len(a) for a in arrivals) < changes * clients:
        await asyncio.sleep(0.2)
    cpu = cpu_s(server_pid) - cpu_before
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "clients": clients,
        "changes": changes,
        **_latencies(writer.committed, arrivals),
        "server_rss_mib_before": round(before_rss / 1024, 1),
        "server_rss_mib_with_clients": round(with_clients_rss / 1024, 1),
        "rss_kib_per_client": round((with_clients_rss - before_rss) / clients, 1),
        "server_cpu_s": round(cpu, 2),
    }


async def run_polling(
    host: str,
    port: int,
    race_id: int,
    key: str,
    clients: int,
    writer: Writer,
    changes: int,
    interval_s: float,
    every_s: float,
    server_pid: int,
) -> dict[str, Any]:
    arrivals: list[dict[int, float]] = [{} for _ in range(clients)]
    stats = {"ok": 0, "failed": 0}
    stop = asyncio.Event()
    path = f"/v1/races/{race_id}/results?limit=50"
    tasks = [
        asyncio.create_task(poll_client(host, port, path, key, every_s, arrivals[i], stats, stop))
        for i in range(clients)
    ]
    await asyncio.sleep(every_s + 1)  # every client has polled once
    cpu_before, started, ok_before = cpu_s(server_pid), time.perf_counter(), stats["ok"]
    writer.committed.clear()
    for _ in range(changes):
        await asyncio.to_thread(writer.change)
        await asyncio.sleep(interval_s)
    await asyncio.sleep(every_s * 2 + 1)  # every client polls at least once after the last change
    elapsed = time.perf_counter() - started
    cpu = cpu_s(server_pid) - cpu_before
    stop.set()
    await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "clients": clients,
        "changes": changes,
        "poll_every_s": every_s,
        **_latencies(writer.committed, arrivals),
        "requests_per_s": round((stats["ok"] - ok_before) / elapsed, 1),
        "failed_requests": stats["failed"],
        "server_cpu_s": round(cpu, 2),
    }


def run(
    owner_uri: str,
    home: Path,
    *,
    clients: list[int],
    changes: int = 100,
    interval_ms: int = 50,
    poll_s: float = 5.0,
) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    database = open_database(owner_uri, home)
    try:
        org_id, slug = busiest_org(database)
        key = staff_key(database, slug)
        race_id, entries = top_entries(database, org_id, 50)  # the polled page: each change its own row
        app_url = libpq_uri(database.app_url)
        env = cli_env(database, home)
        env["RACEHUB_POOL_SIZE"] = "10"
        port = free_port()
        writer = Writer(owner_uri, app_url, org_id, entries)
        figures: dict[str, Any] = {"race_id": race_id, "interval_ms": interval_ms, "sse": [], "polling": []}
        with serve(racehub_serve(env, port), env, f"http://127.0.0.1:{port}/healthz") as server:
            for count in clients:
                console.print(f"SSE, {count} clients …")
                figures["sse"].append(
                    asyncio.run(
                        run_sse(
                            "127.0.0.1",
                            port,
                            race_id,
                            key,
                            count,
                            writer,
                            changes,
                            interval_ms / 1000,
                            server.pid,
                        )
                    )
                )
                console.print(f"polling every {poll_s:g} s, {count} clients …")
                figures["polling"].append(
                    asyncio.run(
                        run_polling(
                            "127.0.0.1",
                            port,
                            race_id,
                            key,
                            count,
                            writer,
                            changes // 2,
                            interval_ms / 1000 * 4,
                            poll_s,
                            server.pid,
                        )
                    )
                )
        writer.close()
        return figures
    finally:
        database.dispose()


def show(figures: dict[str, Any]) -> None:
    table = Table(
        "mode", "clients", "p50 ms", "p95 ms", "p99 ms", "received/expected", "server", title="live results"
    )
    for sse in figures["sse"]:
        table.add_row(
            "SSE",
            str(sse["clients"]),
            str(sse.get("p50_ms")),
            str(sse.get("p95_ms")),
            str(sse.get("p99_ms")),
            f"{sse['received']}/{sse['expected']}",
            f"{sse['rss_kib_per_client']} KiB/client, {sse['server_cpu_s']} CPU s",
        )
    for poll in figures["polling"]:
        table.add_row(
            f"poll {poll['poll_every_s']:g} s",
            str(poll["clients"]),
            str(poll.get("p50_ms")),
            str(poll.get("p95_ms")),
            str(poll.get("p99_ms")),
            f"{poll['received']}/{poll['expected']}",
            f"{poll['requests_per_s']} req/s, {poll['failed_requests']} failed, {poll['server_cpu_s']} CPU s",
        )
    console.print(table)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True, help="owner URL of a database with an imported bundle")
    ap.add_argument("--clients", default="10,1000", help="client counts, comma-separated")
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--interval-ms", type=int, default=50, help="between two committed changes")
    ap.add_argument("--poll-s", type=float, default=5.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="racehub-bench-live-") as tmp:
        figures = run(
            args.database_url,
            Path(tmp),
            clients=[int(c) for c in args.clients.split(",")],
            changes=args.changes,
            interval_ms=args.interval_ms,
            poll_s=args.poll_s,
        )
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
