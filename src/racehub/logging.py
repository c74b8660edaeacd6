"""structlog set-up: logs go to stderr so command output stays clean."""

from __future__ import annotations

import logging
import sys

import structlog


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is when a line is logged, not to the stream it was at set-up:
    loggers are cached on first use, and a command run in-process (tests, `CliRunner`) gets a stderr
    that is closed once it returns."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


STDERR = _CurrentStderr()


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    logging.basicConfig(stream=STDERR, level=level.upper(), format="%(message)s")
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
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=STDERR),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
