"""An embedded PostgreSQL (pgserver) for machines with no database configured.

As root, pgserver runs PostgreSQL as the system user `pgserver` (PostgreSQL refuses to run as root), so
every `pg_ctl` call here runs as that user too.
"""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path
from types import ModuleType

import structlog

from racehub.errors import RaceHubError

log = structlog.get_logger(__name__)

# pg_ctl status: 0 running, 3 not running, 4 no data directory.
_NOT_RUNNING = (3, 4)


class EmbeddedServerError(RaceHubError):
    """The embedded server could not be started or stopped; says why."""

    status = 500


def _pgserver() -> ModuleType:
    # Imported here: only needed when no server is configured. Its import asks platformdirs for
    # XDG_RUNTIME_DIR, which warns on every command where it is unset (ssh sessions, containers, root).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import pgserver
    return pgserver


def start_embedded(data_dir: Path, *, stop_at_exit: bool = False) -> str:
    """Start (or reuse) the embedded server in `data_dir`; return its owner URI (postgres database)."""
    pgserver = _pgserver()
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        server = pgserver.get_server(data_dir, cleanup_mode="stop" if stop_at_exit else None)
    uri: str = server.get_uri()
    log.debug("embedded postgres ready", data_dir=str(data_dir))
    return uri


def _pg_ctl(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = Path(str(_pgserver().__file__)).parent / "pginstall" / "bin" / "pg_ctl"
    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    return subprocess.run(
        [str(binary), "-D", str(data_dir), *args], user=user, capture_output=True, text=True, check=False
    )


def embedded_running(data_dir: Path) -> bool:
    """Whether an embedded server runs on `data_dir`."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    return _pg_ctl(data_dir, "status").returncode not in _NOT_RUNNING


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server and wait until it is down; True when one was stopped, False when none
    was running. EmbeddedServerError (with pg_ctl's reason) when it runs and could not be stopped."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    stopped = _pg_ctl(data_dir, "-m", "fast", "-w", "-t", "60", "stop")
    if stopped.returncode == 0:
        return True
    if _pg_ctl(data_dir, "status").returncode in _NOT_RUNNING:
        return False  # a stale postmaster.pid: nothing was running
    reason = (stopped.stderr or stopped.stdout).strip().splitlines()
    raise EmbeddedServerError(
        f"the embedded PostgreSQL in {data_dir} is still running: {reason[-1] if reason else 'pg_ctl failed'}"
    )
