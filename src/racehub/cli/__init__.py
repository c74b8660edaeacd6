"""The `racehub` command line."""

from __future__ import annotations

import typer

from racehub.cli import ask, chat, data, db, demo, live, openwebui, participants, serve, users, workflows

app = typer.Typer(no_args_is_help=True, add_completion=False, help="RaceHub: race-timing data hub.")
app.add_typer(db.app, name="db")
app.add_typer(users.users_app, name="users")
app.add_typer(users.keys_app, name="keys")
app.add_typer(users.orgs_app, name="orgs")
app.add_typer(data.import_app, name="import")
app.command("score")(data.score)

# Commands that live in their own modules register themselves. Imported like the rest: a module that
# fails to import is an error to see, not a command that silently goes missing.
for _module in (serve, ask, demo, chat, workflows, participants, openwebui, live):
    _module.register(app)


def main() -> None:
    app()
