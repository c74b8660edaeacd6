"""`racehub results official`, `racehub alarms` and `racehub push`: race day from the command line."""

from __future__ import annotations

import typer
from rich.table import Table

from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope
from racehub.errors import UserNotFound

results_app = typer.Typer(no_args_is_help=True, help="Race results: official or provisional.")
alarms_app = typer.Typer(no_args_is_help=True, help="Race-day alarms.")
push_app = typer.Typer(no_args_is_help=True, help="Push notifications: devices, follows and what was sent.")


@results_app.command("official")
@fails_cleanly
def official(
    race: int = typer.Option(..., "--race", help="race id"),
    provisional: bool = typer.Option(False, "--provisional", help="make it provisional again"),
) -> None:
    """Make a race's results official (places final), or provisional again."""
    from racehub.live import service

    db = database()
    with db.session(Scope.operator()) as session:
        outcome = service.set_official(session, race, not provisional)
    state = "official" if outcome.official else "provisional"
    final = " The edition's results are final." if outcome.edition_final else ""
    console.print(f"Race {race} is {state}.{final}")


@alarms_app.command("list")
@fails_cleanly
def list_alarms(
    edition: int | None = typer.Option(None, "--edition", help="event edition id"),
    resolved: bool = typer.Option(False, "--resolved", help="also alarms whose cause is gone"),
) -> None:
    """Race-day alarms of every timing company, newest first, each with why."""
    from racehub.alarms import service

    db = database()
    with db.session(Scope.operator()) as session:
        found = service.list_alarms(session, edition_id=edition, include_resolved=resolved)
    table = Table("id", "state", "event", "alarm", "why")
    for alarm in found.alarms:
        where = f"{alarm.event_name} {alarm.year}" + (f" · {alarm.race_name}" if alarm.race_name else "")
        table.add_row(str(alarm.id), alarm.state, where, alarm.title, alarm.why)
    console.print(table)


@push_app.command("forget")
@fails_cleanly
def forget(email: str = typer.Option(..., "--email", help="the person whose push data goes")) -> None:
    """Erase a person's devices, follows and the notifications sent to them, in every timing company."""
    from racehub.auth import repository as users
    from racehub.push import service

    db = database()
    with db.session(Scope.operator()) as session:
        user = users.user_by_email(session, email)
        if user is None:
            raise UserNotFound(f"no user with email {email!r}")
        removed = service.forget_user(session, user.id)
    console.print(
        f"{removed['devices']} device(s), {removed['follows']} follow(s) and {removed['messages']} "
        f"message(s) of {email} erased."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(results_app, name="results")
    app.add_typer(alarms_app, name="alarms")
    app.add_typer(push_app, name="push")
