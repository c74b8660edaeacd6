"""`racehub outbox`, `racehub audit` and `racehub keys connector`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table

from racehub.audit.service import list_entries
from racehub.auth.mail import outbox as outbox_rows
from racehub.auth.service import create_connector_key
from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope
from racehub.errors import InvalidInput

_SPAN = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """`2026-11-01`, `2026-11-01T08:00`, or a span back from now: `30m`, `12h`, `7d`, `2w`."""
    if value is None:
        return None
    span = _SPAN.match(value.strip().lower())
    if span:
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"--since must be a date, a time or a span like 7d, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@fails_cleanly
def outbox(
    to: str | None = typer.Option(None, help="only mail to this address"),
    limit: int = typer.Option(10, min=1, max=500),
) -> None:
    """Print the local outbox: login codes sent while no SMTP server is configured (newest first)."""
    db = database()
    with db.session(Scope.operator()) as session:
        rows = outbox_rows(session, to=to, limit=limit)
    if not rows:
        console.print("the outbox is empty")
        return
    for row in rows:
        typer.echo(f"--- {row.created_at:%Y-%m-%d %H:%M:%S %Z}  to {row.to}")
        typer.echo(f"Subject: {row.subject}\n\n{row.body}")


@fails_cleanly
def audit(
    user: str | None = typer.Option(None, help="a user's email (or id), or the account someone claimed"),
    kind: str | None = typer.Option(None, help="login, login.challenge, question, workflow or erasure"),
    since: str | None = typer.Option(None, help="a date, a time, or a span back from now: 30m, 12h, 7d"),
    limit: int = typer.Option(50, min=1, max=5000),
) -> None:
    """List the audit log: logins, failed challenges, questions with their SQL, workflow requests."""
    db = database()
    entries = list_entries(db, user=user, kind=kind, since=parse_since(since), limit=limit)
    table = Table("when", "kind", "outcome", "who", "via", "from", "what", "rows", "ms", title="audit log")
    for e in entries:
        what = e.subject or ""
        if e.sql:
            what += f"\n[dim]{e.sql[:300]}[/dim]"
        table.add_row(
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.kind,
            e.outcome,
            e.user_email or e.actor or "",
            e.via or "",
            e.client_addr or "",
            what,
            "" if e.row_count is None else str(e.row_count),
            "" if e.elapsed_ms is None else f"{e.elapsed_ms:.0f}",
        )
    # Piped output (a file, grep) is not squeezed to 80 columns.
    (console if console.is_terminal else Console(stderr=True, width=200)).print(table)


@fails_cleanly
def create_connector(label: str | None = typer.Option(None, help="e.g. openwebui")) -> None:
    """Create a connector key (Open WebUI): it names no person and may only call the chat API."""
    db = database()
    with db.session(Scope.operator()) as session:
        key = create_connector_key(session, label=label)
    typer.echo(key)


def register(app: typer.Typer) -> None:
    from racehub.cli.users import keys_app

    app.command("outbox")(outbox)
    app.command("audit")(audit)
    keys_app.command("connector")(create_connector)
