"""`racehub participants erase`: a participant's right to be forgotten, from the command line."""

from __future__ import annotations

import typer
from rich.table import Table

from racehub.ask.files import FileStore
from racehub.audit.service import Actor
from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope
from racehub.errors import InvalidInput
from racehub.participants import erasure

participants_app = typer.Typer(no_args_is_help=True, help="Participants (runners) and their data.")


@participants_app.command("erase")
@fails_cleanly
def erase(
    person: int | None = typer.Option(None, help="person id: every race they entered"),
    entry: int | None = typer.Option(None, help="entry id: one registration"),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
) -> None:
    """Erase a participant: entries, results, splits, awards, vendor ids, and their name, email and
    phone in the audit log, chats and workflow runs. Others' places stay as published."""
    if (person is None) == (entry is None):
        raise InvalidInput("give --person or --entry")
    db = database()
    with db.session(Scope.operator()) as session:
        if not yes:
            who, races = erasure.preview(session, person_id=person, entry_id=entry)
            listed = ", ".join(races[:5]) + (f" and {len(races) - 5} more" if len(races) > 5 else "")
            console.print(f"erase {who}: {len(races)} entries ({listed})")
            if not typer.confirm("This cannot be undone. Erase?", err=True):
                raise typer.Exit(1)
        actor = Actor(via="cli", name="cli")
        done = erasure.erase(session, actor, person_id=person, entry_id=entry, files=FileStore(db.settings))
    table = Table(title=f"erased {erasure.label(person_id=person, entry_id=entry)}")
    table.add_column("rows")
    table.add_column("removed", justify="right")
    table.add_column("redacted", justify="right")
    for name in sorted(set(done.removed) | set(done.redacted)):
        table.add_row(name, str(done.removed.get(name, "")), str(done.redacted.get(name, "")))
    console.print(table)
    if done.race_ids:
        console.print(
            f"races {', '.join(map(str, done.race_ids))} keep their published places; "
            "`racehub score --race ID` re-places one"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(participants_app, name="participants")
