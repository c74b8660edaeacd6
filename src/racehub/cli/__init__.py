"""The `racehub` command line."""

from __future__ import annotations

import typer

from racehub.cli import data, db, users

app = typer.Typer(no_args_is_help=True, add_completion=False, help="RaceHub: race-timing data hub.")
app.add_typer(db.app, name="db")
app.add_typer(users.users_app, name="users")
app.add_typer(users.keys_app, name="keys")
app.add_typer(users.orgs_app, name="orgs")
app.add_typer(data.import_app, name="import")
app.command("score")(data.score)

# Commands that live in their own modules register themselves here.
for _module in (
    "racehub.cli.serve", "racehub.cli.ask", "racehub.cli.demo", "racehub.cli.chat", "racehub.cli.workflows",
    "racehub.cli.participants", "racehub.cli.live",
):
    try:
        __import__(_module)
        import sys as _sys

        _sys.modules[_module].register(app)  # type: ignore[attr-defined]
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise


def main() -> None:
    app()
