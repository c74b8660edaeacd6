"""structlog set-up: logs go to stderr so command output stays clean.

An exception is logged by its type and where it was raised (file, line and function of the last frames),
never by its message or its frames' variables: messages and locals carry SQL parameters, runners' names
and questions, and rendering locals takes seconds on the event loop.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import MutableMapping
from types import TracebackType
from typing import Any

import structlog

FRAMES = 8  # the innermost frames named for an exception


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is when a line is logged, not to the stream it was at set-up:
    loggers are cached on first use, and a command run in-process (tests, `CliRunner`) gets a stderr
    that is closed once it returns."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


STDERR = _CurrentStderr()

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def exception_summary(exc: BaseException) -> dict[str, Any]:
    """What a log line says of an exception: its type, its cause's type, and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)[-FRAMES:]
    summary: dict[str, Any] = {
        "error": type(exc).__name__,
        "at": [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames],
    }
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        summary["cause"] = type(cause).__name__
    return summary


def _exc_of(value: Any) -> BaseException | None:
    if isinstance(value, BaseException):
        return value
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value[1]
    if value is True:
        return sys.exc_info()[1]
    return None


def safe_exceptions(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: `exc_info` becomes `exception_summary`, never a rendered traceback."""
    for key in ("exc_info", "exception"):
        if key in event:
            exc = _exc_of(event.pop(key))
            if exc is not None:
                event.setdefault("error", type(exc).__name__)
                event.update({k: v for k, v in exception_summary(exc).items() if k != "error"})
    return event


class SafeFormatter(logging.Formatter):
    """Library log lines through the standard logging module: an exception shown as its summary."""

    def formatException(self, ei: Any) -> str:
        exc = _exc_of(ei)
        if exc is None:
            return ""
        summary = exception_summary(exc)
        return f"{summary['error']} at " + " < ".join(reversed(summary["at"]))

    def formatStack(self, stack_info: str) -> str:
        return ""


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    logging.basicConfig(stream=STDERR, level=level.upper(), format="%(message)s")
    for handler in logging.getLogger().handlers:
        handler.setFormatter(SafeFormatter("%(message)s"))
    # Libraries that narrate routine work at INFO: keep them to warnings.
    for noisy in ("pgserver", "alembic", "httpx", "procrastinate"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            safe_exceptions,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=STDERR),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
