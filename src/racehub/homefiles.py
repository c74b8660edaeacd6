"""Secrets RaceHub makes for itself when none is configured, kept in files of RACEHUB_HOME that only
their owner can read (the download-link signing key, the demo's credential key)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def private_value(home: Path, name: str, make: Callable[[], str]) -> str:
    """The value in `home/name`, made with `make()` the first time (two processes starting together
    agree: the file is created exclusively, and a loser reads the winner's)."""
    path = Path(home) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
    return path.read_text().strip()
