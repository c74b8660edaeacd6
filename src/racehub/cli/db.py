"""`racehub db`: schema migrations and the embedded server."""

from __future__ import annotations

from pathlib import Path

import typer

from racehub.cli.common import console, database, fails_cleanly
from racehub.config import get_settings
from racehub.db.embedded import stop_embedded
from racehub.db.migrate import current_revision
from racehub.errors import InvalidInput

app = typer.Typer(no_args_is_help=True, help="Database schema and server.")


@app.command()
def upgrade() -> None:
    """Apply Alembic migrations up to the newest revision."""
    db = database(upgrade=False)
    db.upgrade()
    console.print(f"schema at [bold]{current_revision(db)}[/bold]")


@app.command()
def url(app_role: bool = typer.Option(False, "--app", help="the application role's URL")) -> None:
    """Print the database URL in use (password hidden)."""
    db = database(upgrade=False)
    typer.echo((db.app_url if app_role else db.owner_url).render_as_string(hide_password=True))


@app.command()
@fails_cleanly
def stop() -> None:
    """Stop the embedded PostgreSQL (when no RACEHUB_DATABASE_URL is set); exits 1 when it keeps running."""
    settings = get_settings()
    if settings.database_url:
        raise InvalidInput("RACEHUB_DATABASE_URL names a server of your own: stop it the way it was started")
    stopped = stop_embedded(Path(settings.home) / "pgdata")
    console.print("embedded server stopped" if stopped else "embedded server was not running")
