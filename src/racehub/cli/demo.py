"""`racehub demo`: a database, the sample data, a user with an API key, and the server — one command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import typer
from rich.panel import Panel
from sqlalchemy import select

from racehub.auth import service as auth
from racehub.cli.common import console, database, fails_cleanly
from racehub.config import Settings
from racehub.db import Database, Scope
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
    push = _push_services(db, org.id, email) if serve else None
    notifications = (
        f"Notifications go to a simulated phone and browser of {email} (local Expo and Web Push services):\n"
        f"  say \"follow bib 12 in the 2025 Shamrock Marathon\" in chat; any change to their result (a live\n"
        f"  sync, a correction) is sent; see what arrived at\n"
        f"  {push.expo_url}/__control/messages and {push.webpush_url}/__control/messages\n"
        if push else ""
    )
    console.print(Panel(
        f"RaceHub is at [bold]{url}[/bold]  (chat page; API docs: {url}docs; a worker runs beside it)\n"
        f"Demo user: {email} / password racehub-demo ({org.name}, owner)\n"
        f"API key:   [bold]{key}[/bold]\n"
        f"Try:  curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' "
        f"-d '{{\"question\": \"How many runners finished the Shamrock Marathon last year?\"}}' {url}v1/ask\n"
        f"Live: say \"show me the Shamrock Marathon live\" in chat, or open {url}#live\n"
        f"{notifications}",
        title="demo ready",
    ))
    if serve:
        import uvicorn

        from racehub.app import create_app

        assert push is not None
        # A worker beside the server, so workflows confirmed in chat or the API actually run, and live
        # changes turn into notifications (sent to the local push services).
        racehub = str(Path(sys.executable).parent / "racehub")
        env = {**os.environ, **push.env}
        worker = subprocess.Popen([racehub, "worker", "--concurrency", "2"], env=env)
        try:
            app = create_app(db, push.settings)
            uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


@dataclass
class DemoPush:
    expo_url: str
    webpush_url: str
    settings: Settings
    env: dict[str, str]


def _push_services(db: Database, org_id: int, email: str) -> DemoPush:
    """The local Expo and Web Push services on free ports, with a simulated phone and browser of the demo
    user registered, and the settings (this process's and the worker's) that send to them."""
    from racehub.auth import repository as users
    from racehub.integrations.simkit import start_server_thread
    from racehub.integrations.simulators import create_push_app
    from racehub.push import service as push
    from racehub.push.schemas import DeviceIn, WebPushSubscription

    expo = start_server_thread(create_push_app("expo"))
    webpush = start_server_thread(create_push_app("webpush"))
    urls = {**db.settings.simulator_urls, "expo": expo.url}
    settings = db.settings.model_copy(update={"simulator_urls": urls, "webpush_allowed_hosts": ["127.0.0.1"]})
    browser = httpx.post(f"{webpush.url}/__control/subscriptions").json()
    with db.session(Scope.tenant(org_id)) as session:
        user = users.user_by_email(session, email)
        assert user is not None
        for device in (
            DeviceIn(kind="expo", token="ExponentPushToken[racehub-demo-phone]", label="demo phone"),
            DeviceIn(
                kind="webpush", subscription=WebPushSubscription.model_validate(browser), label="demo browser"
            ),
        ):
            push.register(session, settings, org_id=org_id, user_id=user.id, role="owner", device=device)
    env = {
        "RACEHUB_SIMULATOR_URLS": json.dumps(urls),
        "RACEHUB_WEBPUSH_ALLOWED_HOSTS": json.dumps(["127.0.0.1"]),
    }
    return DemoPush(expo.url, webpush.url, settings, env)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
