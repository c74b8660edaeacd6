"""Shared pieces of the benchmarks: a PostgreSQL to run on, scratch databases, an API key, a running
`racehub serve`, peak memory of a process, percentiles. Not part of RaceHub itself."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url

from racehub.auth.service import add_user, create_api_key
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.db.engine import libpq_uri

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
CLI = [sys.executable, "-c", "from racehub.cli import main; main()"]
# A modest server's PostgreSQL settings (2 cores, 24 GiB): applied to the embedded server the
# benchmarks start, never to a server named by --database-url.
SERVER_SETTINGS = {"shared_buffers": "2GB", "max_wal_size": "8GB", "effective_cache_size": "12GB"}


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "max_ms": round(max(values), 2),
        "samples": len(values),
    }


def machine() -> dict[str, Any]:
    mem_gib = None
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        mem_gib = round(kb / 1024**2, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": date.today().isoformat(),
    }


@contextmanager
def postgres(database_url: str | None, data_dir: Path) -> Iterator[str]:
    """Admin URL of the server to bench on: the given one, or an embedded one with SERVER_SETTINGS."""
    if database_url:
        yield database_url
        return
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    uri = server.get_uri()
    with psycopg.connect(uri, autocommit=True) as conn:
        current = {name: conn.execute(f"SHOW {name}").fetchone() for name in SERVER_SETTINGS}
        wanted = {n: v for n, v in SERVER_SETTINGS.items() if (current[n] or ("",))[0] != v}
        for name, value in wanted.items():
            conn.execute(
                pgsql.SQL("ALTER SYSTEM SET {} = {}").format(pgsql.Identifier(name), pgsql.Literal(value))
            )
    if wanted:  # shared_buffers needs a restart
        server.cleanup()
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        uri = server.get_uri()
    try:
        yield uri
    finally:
        server.cleanup()


def database_uri(admin_url: str, name: str) -> str:
    return libpq_uri(make_url(libpq_uri(make_url(admin_url))).set(database=name))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(libpq_uri(make_url(admin_url)), autocommit=True) as conn:
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))


def server_settings(uri: str) -> dict[str, str]:
    names = ("server_version", *SERVER_SETTINGS, "work_mem")
    with psycopg.connect(uri) as conn:
        return {n: str((conn.execute(f"SHOW {n}").fetchone() or ("?",))[0]) for n in names}


def settings_for(home: Path) -> Settings:
    return Settings(home=home, secret_key=SecretStr("bench"), llm_enabled=False, log_level="WARNING")


def open_database(owner_uri: str, home: Path) -> Database:
    return Database(settings_for(home), owner_url=owner_uri)


def cli_env(database: Database, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACEHUB_")}
    env.update(
        RACEHUB_DATABASE_URL=database.owner_url.render_as_string(hide_password=False),
        RACEHUB_HOME=str(home),
        RACEHUB_SECRET_KEY="bench",
        RACEHUB_LLM_ENABLED="false",
        RACEHUB_LOG_LEVEL="WARNING",
        COLUMNS="200",
    )
    return env


def busiest_org(database: Database) -> tuple[int, str]:
    """The timing company with the most results (the benchmarks act as its staff)."""
    with database.session(Scope.operator()) as session:
        row = session.execute(
            text(
                "SELECT o.id, o.slug FROM organizations o JOIN results re ON re.org_id = o.id "
                "GROUP BY o.id, o.slug ORDER BY count(*) DESC, o.id LIMIT 1"
            )
        ).one()
    return int(row[0]), str(row[1])


def staff_key(database: Database, org_slug: str) -> str:
    """A fresh API key of a staff member of `org_slug`."""
    email = f"bench-{org_slug}@bench.example"
    with database.session(Scope.operator()) as session:
        add_user(session, email=email, name="Bench", org_slug=org_slug, role="staff")
        return create_api_key(session, email=email, org_slug=org_slug, label="bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def serve(args: Sequence[str], env: dict[str, str], health_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """A server process (killed at the end), once `health_url` answers."""
    proc = subprocess.Popen(list(args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        try:
            wait_http(health_url)
        except OSError:
            proc.kill()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"server did not start: {' '.join(args)}\n{err[-3000:]}") from None
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def racehub_serve(env: dict[str, str], port: int) -> list[str]:
    return [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)]


def rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in KiB, from /proc."""
    values = {"VmRSS": 0, "VmHWM": 0}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key = line.split(":", 1)[0]
                if key in values:
                    values[key] = int(line.split()[1])
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


def post_json(url: str, body: dict[str, Any], key: str, timeout: float = 60) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer
