"""`racehub worker`, `racehub workflows`, `racehub credentials` and `racehub simulate`."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from racehub.cli.common import console, database, fails_cleanly
from racehub.config import get_settings
from racehub.db import Database, Scope
from racehub.errors import InvalidInput
from racehub.workflows.repository import RunRow

workflows_app = typer.Typer(no_args_is_help=True, help="Vendor syncs and Copernico scoring runs.")
credentials_app = typer.Typer(no_args_is_help=True, help="Vendor credentials per timing company (encrypted).")


@fails_cleanly
def worker(
    concurrency: int = typer.Option(4, min=1, max=64, help="jobs run at once (threads)"),
    queues: str | None = typer.Option(None, help="comma-separated queues (default: all)"),
    name: str = typer.Option("racehub-worker", help="worker name in logs"),
) -> None:
    """Run workflow jobs, the sync schedule and the stalled-job sweeper until stopped (Ctrl-C, SIGTERM).

    Run any number, on any number of machines, against the same database."""
    from racehub.workflows.tasks import worker_app

    db = database(upgrade=False)
    settings = get_settings()
    app, _env = worker_app(db, settings, concurrency=concurrency)
    console.print(f"worker {name}: concurrency {concurrency}, queues {queues or 'all'}")
    app.run_worker(
        concurrency=concurrency,
        name=name,
        queues=queues.split(",") if queues else None,
        update_heartbeat_interval=settings.worker_heartbeat_s,
        stalled_worker_timeout=settings.worker_stalled_after_s,
    )


@workflows_app.command("list")
@fails_cleanly
def list_runs(
    edition: int | None = typer.Option(None, help="edition id"),
    state: str | None = typer.Option(None, help="planned, queued, running, succeeded, failed, cancelled"),
    limit: int = typer.Option(30, min=1, max=500),
) -> None:
    """Workflow runs, newest first."""
    from racehub.workflows import service

    db = database()
    with db.session(Scope.operator()) as session:
        runs = service.list_runs(session, edition_id=edition, state=state, limit=limit)
    table = Table(title="workflow runs")
    for column in ("id", "kind", "event", "state", "trigger", "fetched/new/updated/removed", "created"):
        table.add_column(column, no_wrap=column in ("id", "kind", "state"))
    for run in runs:
        counts = f"{run.fetched:,}/{run.inserted:,}/{run.updated:,}/{run.removed:,}"
        table.add_row(
            str(run.id),
            run.kind,
            f"{run.event_name} {run.year}",
            run.state,
            run.trigger,
            counts,
            f"{run.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@workflows_app.command("show")
@fails_cleanly
def show(run_id: int = typer.Argument(..., help="run id")) -> None:
    """One run: where it stands, in a sentence, and why earlier attempts failed."""
    from racehub.workflows import service
    from racehub.workflows.context import FAILURES_KEY

    db = database()
    with db.session(Scope.operator()) as session:
        text = service.progress_text(session, run_id)
        run = service.get(session, run_id)
    typer.echo(text)
    failures = run.progress.get(FAILURES_KEY)
    for reason in failures if isinstance(failures, list) else []:
        typer.echo(f"  {reason}")


@workflows_app.command("run")
@fails_cleanly
def run(
    kind: str = typer.Argument(..., help="sync_registrations, sync_results or score_copernico"),
    event: str | None = typer.Option(None, help="event name"),
    year: int | None = typer.Option(None, help="edition year (default: this year's)"),
    edition: int | None = typer.Option(None, help="edition id, instead of --event/--year"),
    full: bool = typer.Option(False, help="registrations: fetch all, not only changes"),
    yes: bool = typer.Option(False, "--yes", "-y", help="run without asking to confirm the plan"),
    wait: bool = typer.Option(True, help="follow the run until it ends"),
) -> None:
    """Plan a run, confirm it, and follow it with a progress bar (runs it here if no worker is up)."""
    from racehub.workflows import service

    db = database()
    with db.session(Scope.operator()) as session:
        found = service.resolve_edition(session, edition_id=edition, event=event, year=year)
        planned = service.plan(session, Scope.operator(), kind, found, trigger="cli", full=full)
    console.print(f"[bold]Plan[/bold] (run #{planned.id}): {planned.plan}")
    if not yes and not typer.confirm("Run it?", default=False):
        raise typer.Exit(1)
    with db.session(Scope.operator()) as session:
        queued = service.confirm(session, Scope.operator(), planned.id)
        workers = service.live_workers(session, get_settings().worker_stalled_after_s)
    console.print(service.status_text(queued))
    if not wait:
        return
    with db.session(Scope.operator()) as session:
        leader = service.followed(session, queued)  # a run that joined another follows that one
    final = _follow(db, leader.id, run_here=workers == 0)
    typer.echo(service.status_text(final))
    if final.state != "succeeded":
        raise typer.Exit(1)


def _follow(db: Database, run_id: int, *, run_here: bool) -> RunRow:
    """Show the run's steps until it ends (and why an attempt failed); with no live worker, work the
    queue in this process. The bar counts the run's own steps (`_step`), whoever runs it."""
    from racehub.workflows import service
    from racehub.workflows.context import FAILURES_KEY, LIVE_KEY, STEP_KEY
    from racehub.workflows.queue import QUEUE
    from racehub.workflows.schemas import TERMINAL_STATES
    from racehub.workflows.tasks import worker_app

    columns = (
        TextColumn("{task.description:<46}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("waiting for a worker" if not run_here else "starting", total=None)
        told: list[str] = []  # failed attempts already shown

        def show(state: RunRow) -> None:
            step, live = state.progress.get(STEP_KEY), state.progress.get(LIVE_KEY)
            if isinstance(step, dict) and step.get("total"):
                total = max(int(step["total"]), 1)
                note = f" ({live['fetched']:,} fetched)" if isinstance(live, dict) else ""
                bar.update(
                    task,
                    description=f"{step['step']}{note}",
                    completed=min(int(step["done"]), total),
                    total=total,
                )
            elif state.state != "queued":
                bar.update(task, description=state.state)
            failures = state.progress.get(FAILURES_KEY)
            for reason in failures[len(told) :] if isinstance(failures, list) else []:
                told.append(str(reason))
                bar.console.print(f"[yellow]{escape(str(reason))}[/yellow]", soft_wrap=True)

        def current() -> RunRow:
            with db.session(Scope.operator()) as session:
                return service.get(session, run_id)

        async def drive() -> RunRow:
            app, _env = worker_app(db, get_settings(), periodic=False, concurrency=1)
            async with app.open_async():
                worker_task = None
                if run_here:
                    worker_task = asyncio.create_task(
                        app.run_worker_async(
                            queues=[QUEUE],
                            concurrency=1,
                            install_signal_handlers=False,
                            name="racehub-cli",
                        )
                    )
                try:
                    while True:
                        state = await asyncio.to_thread(current)
                        show(state)
                        if state.state in TERMINAL_STATES:
                            return state
                        await asyncio.sleep(0.3)
                finally:
                    if worker_task is not None:
                        worker_task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await worker_task

        return asyncio.run(drive())


@credentials_app.command("set")
@fails_cleanly
def set_credentials(
    org: str = typer.Option(..., help="organization slug"),
    provider: str = typer.Option(..., help="runsignup, raceroster, ctlive or copernico"),
    field: list[str] = typer.Option([], "--field", help="field name (default: the provider's required ones)"),
) -> None:
    """Store a timing company's credentials for a vendor. Values are read from hidden prompts (or one per
    line from stdin), never from the command line, and are never shown again."""
    from racehub.credentials import service as credentials
    from racehub.credentials.crypto import Keyring

    names = list(field) or list(credentials.required_fields(provider))
    if any("=" in name for name in names):
        raise InvalidInput("give field names only (--field api_key); values are read from a prompt or stdin")
    keyring = Keyring.from_settings(get_settings())
    values: dict[str, str] = {}
    for name in names:
        if sys.stdin.isatty():
            values[name] = typer.prompt(name, hide_input=True)
        else:
            values[name] = sys.stdin.readline().rstrip("\n")
    db = database()
    with db.session(Scope.operator()) as session:
        credentials.store(session, keyring, credentials.org_id_for(session, org), provider, values)
    stored = ", ".join(sorted(values))
    console.print(f"{provider} credentials stored for {org}: {stored} (key {keyring.primary_id})")


@credentials_app.command("list")
@fails_cleanly
def list_credentials(org: str | None = typer.Option(None, help="organization slug")) -> None:
    """Stored credentials: providers and field names, never values."""
    from racehub.credentials import service as credentials

    db = database()
    with db.session(Scope.operator()) as session:
        rows = credentials.listing(session, credentials.org_id_for(session, org) if org else None)
    table = Table(title="vendor credentials")
    for column in ("organization", "provider", "fields", "key", "updated", "rotated"):
        table.add_column(column)
    for row in rows:
        rotated = f"{row.rotated_at:%Y-%m-%d %H:%M}" if row.rotated_at else "-"
        table.add_row(
            row.org_slug,
            row.provider,
            ", ".join(row.field_names),
            row.key_id,
            f"{row.updated_at:%Y-%m-%d %H:%M}",
            rotated,
        )
    console.print(table)


@credentials_app.command("rotate")
@fails_cleanly
def rotate() -> None:
    """Re-encrypt every stored credential with the first key of RACEHUB_CREDENTIAL_KEYS."""
    from racehub.credentials import service as credentials
    from racehub.credentials.crypto import Keyring

    keyring = Keyring.from_settings(get_settings())
    db = database()
    with db.session(Scope.operator()) as session:
        report = credentials.rotate_all(session, keyring)
    console.print(f"{report.rotated} credential set(s) re-encrypted with key {report.key_id}")


@credentials_app.command("new-key")
def new_key() -> None:
    """Print a fresh key: put it first in RACEHUB_CREDENTIAL_KEYS, then run `credentials rotate`."""
    from racehub.credentials.crypto import new_key as make_key

    typer.echo(make_key())


@fails_cleanly
def simulate(
    vendor: str = typer.Argument(..., help="runsignup, raceroster, ctlive or copernico; or expo, webpush"),
    port: int | None = typer.Option(None, min=1, max=65535, help="default: 8701-8706 by vendor"),
    bundle: Path | None = typer.Option(None, help="racedata-v1 bundle (default: the sample data)"),
    host: str = typer.Option("127.0.0.1", help="keep it on loopback: demo credentials, open /__control"),
) -> None:
    """Serve a local simulator of a vendor's API over a racedata-v1 bundle (demo, tests), or of a push
    service (Expo's, a Web Push service) to try notifications without the internet, until Ctrl-C."""
    from racehub.integrations import registry
    from racehub.integrations.simulators import (
        DEFAULT_PORTS,
        PUSH_SERVICES,
        SIMULATOR_CREDENTIALS,
        start_push_simulator,
        start_simulator,
    )
    from racehub.sample import sample_bundle

    port = port or DEFAULT_PORTS.get(vendor, 0)
    try:
        if vendor in PUSH_SERVICES:
            running = start_push_simulator(vendor, host=host, port=port)
            said = "what it accepted: GET /__control/messages"
        else:
            registry.get(vendor)
            source = sample_bundle(get_settings().home, bundle)
            console.print(f"{vendor} simulator: reading {source} …")
            running = start_simulator(vendor, source, host=host, port=port)
            fields = ", ".join(f"{name}={value}" for name, value in SIMULATOR_CREDENTIALS[vendor].items())
            said = f"credentials: {fields}; base_url={running.url}"
    except OSError as exc:
        raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    console.print(
        f"{time.strftime('%H:%M:%S')} {vendor} simulator listening on {running.url} ({said})", soft_wrap=True
    )
    try:
        while running.thread.is_alive():
            running.thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("simulate")(simulate)
    app.add_typer(workflows_app, name="workflows")
    app.add_typer(credentials_app, name="credentials")
