"""An embedded PostgreSQL (pgserver) for machines with no database configured."""

from __future__ import annotations

from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


def start_embedded(data_dir: Path, *, stop_at_exit: bool = False) -> str:
    """Start (or reuse) the embedded server in `data_dir`; return its owner URI (postgres database)."""
    import pgserver  # imported here: only needed when no server is configured

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop" if stop_at_exit else None)
    uri: str = server.get_uri()
    log.debug("embedded postgres ready", data_dir=str(data_dir))
    return uri


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server if it runs; True when one was stopped."""
    import subprocess

    import pgserver

    if not (data_dir / "postmaster.pid").exists():
        return False
    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    subprocess.run([str(pg_ctl), "-D", str(data_dir), "-m", "fast", "stop"], check=False, capture_output=True)
    return True
