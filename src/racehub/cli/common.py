"""Shared pieces of CLI commands: the database handle, error display, the operator scope."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from racehub.config import get_settings
from racehub.db import Database, get_database
from racehub.errors import RaceHubError
from racehub.logging import configure_logging

console = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")


def database(*, upgrade: bool = True) -> Database:
    """The configured database, schema brought up to date (idempotent and quick)."""
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    db = get_database()
    if upgrade:
        db.upgrade()
    return db


def fails_cleanly(func: Callable[P, R]) -> Callable[P, R]:
    """Show domain errors as one red line and exit 1, not a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RaceHubError as exc:
            console.print(f"[red]error:[/red] {escape(exc.message)}", soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Keep library chatter off stdout for commands whose stdout is machine-read."""
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = saved
