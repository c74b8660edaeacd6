"""`racehub demo`: a database, the sample data, a user with an API key, and the server — one command."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import typer
from rich.panel import Panel
from sqlalchemy import select

from racehub.auth import service as auth
from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope
from racehub.imports.service import analyze_tables, import_bundle
from racehub.models import Organization

REPO = Path(__file__).resolve().parents[3]
SHARED_BUNDLE = REPO.parent / "shared" / "data" / "racedata-v1"


def _bundle(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    if SHARED_BUNDLE.is_dir():
        return SHARED_BUNDLE
    # No sample bundle beside the checkout: generate a small one.
    out = Path(tempfile.mkdtemp(prefix="racehub-demo-"))
    generator = REPO / "bench" / "generate.py"
    subprocess.run([sys.executable, str(generator), "--results", "40000", "--out", str(out)], check=True)
    return out


@fails_cleanly
def demo(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    bundle: Path | None = typer.Option(None, help="a racedata-v1 bundle (default: the shared sample)"),
    serve: bool = typer.Option(True, help="start the server after setting up"),
) -> None:
    """Set up a demo (database, sample data, a user and API key) and start the server."""
    db = database()
    source = _bundle(bundle)
    console.print(f"importing {source} …")
    with db.session(Scope.operator()) as session:
        report = import_bundle(session, source)
    if report.changed:
        analyze_tables(db)
    console.print(f"{sum(report.read.values()):,} rows read, {report.changed:,} changed")
    with db.session(Scope.operator()) as session:
        org = session.scalars(select(Organization).order_by(Organization.id)).first()
        if org is None:
            raise typer.Exit(1)
        email = org.contact_email or f"demo@{org.slug}.example"
        auth.add_user(session, email=email, name=org.contact_name or "Demo User", org_slug=org.slug,
                      role="owner", password="racehub-demo")
        key = auth.create_api_key(session, email=email, org_slug=org.slug, label="demo")
    url = f"http://{host}:{port}/"
    console.print(Panel(
        f"RaceHub is at [bold]{url}[/bold]  (chat page; API docs: {url}docs; a worker runs beside it)\n"
        f"Demo user: {email} / password racehub-demo ({org.name}, owner)\n"
        f"API key:   [bold]{key}[/bold]\n"
        f"Try:  curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' "
        f"-d '{{\"question\": \"How many runners finished the Shamrock Marathon last year?\"}}' {url}v1/ask",
        title="demo ready",
    ))
    if serve:
        import uvicorn

        from racehub.app import create_app

        # A worker beside the server, so workflows confirmed in chat or the API actually run.
        racehub = str(Path(sys.executable).parent / "racehub")
        worker = subprocess.Popen([racehub, "worker", "--concurrency", "2"])
        try:
            uvicorn.run(create_app(db), host=host, port=port, log_level="warning", access_log=False)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
