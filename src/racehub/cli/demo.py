"""`racehub demo`: everything the README's examples need, in one command, and nothing left running after.

In order: the port is checked first (nothing is printed as ready that cannot be served); the database
(the embedded one is stopped again on exit when the demo started it); the sample data; an owner login
and API key for each timing company (the keys are kept under RACEHUB_HOME and reused while they are
valid, instead of a new permanent key per run); the four vendor simulators on free loopback ports, with
demo credentials for every company pointing at them (encrypted with the credential key, generated under
RACEHUB_HOME when RACEHUB_CREDENTIAL_KEYS is unset); a worker; then the server until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import typer
from rich.panel import Panel

from racehub.auth import service as auth
from racehub.cli.common import console, database, fails_cleanly
from racehub.cli.data import show_import
from racehub.config import Settings, get_settings
from racehub.credentials import service as credentials
from racehub.credentials.crypto import Keyring
from racehub.db import Database, Scope
from racehub.db.embedded import embedded_running, stop_embedded
from racehub.errors import InvalidInput
from racehub.imports.service import analyze_tables, import_bundle
from racehub.integrations import registry
from racehub.integrations.simulators import SIMULATOR_CREDENTIALS, RunningServer, create_simulator_app
from racehub.integrations.simulators.bundle import load_bundle
from racehub.integrations.simulators.kit import start_server_thread
from racehub.sample import sample_bundle

PASSWORD = "racehub-demo"
KEYS_FILE = "demo-keys.json"
CONNECTOR = "_connector"  # the kept connector key's entry in KEYS_FILE
# The README's sentences, each as the company it belongs to would ask it.
EXAMPLES = (
    ("acme-racing", "How many runners finished the Shamrock Marathon last year?"),
    ("summit-sports-timing", "Score Boston Marathon in Copernico"),
    (
        "tidewater-timing",
        "Generate CSV of award winners with mailing addresses for the 2025 Richmond Turkey Trot 5K",
    ),
)


@dataclass(frozen=True)
class DemoKeys:
    logins: list[DemoLogin]
    connector: str  # names nobody: a chat client (Open WebUI) where people log in by saying who they are


@dataclass(frozen=True)
class DemoLogin:
    org_slug: str
    org_name: str
    email: str
    name: str
    key: str


def _claim_port(host: str, port: int) -> socket.socket:
    """The server's listening socket, bound now: a taken port fails before anything is set up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # from here connections wait in the backlog until the server takes them
    except OSError as exc:
        sock.close()
        raise InvalidInput(
            f"cannot listen on {host}:{port} ({exc.strerror}): another program uses it; pick another port, "
            f"e.g. make demo PORT={port + 10} (or racehub demo --port {port + 10})"
        ) from None
    return sock


def _kept_keys(home: Path) -> dict[str, str]:
    path = home / KEYS_FILE
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _keep_keys(home: Path, keys: dict[str, str]) -> None:
    path = home / KEYS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh, indent=1)


def _logins(db: Database, home: Path) -> DemoKeys:
    """An owner with the demo password for each company (its contact person), an API key for each and
    a connector key: those kept from an earlier demo while they are valid, else new ones."""
    kept = _kept_keys(home)
    logins: list[DemoLogin] = []
    with db.session(Scope.operator()) as session:
        for org in auth.organizations(session):
            email = org.contact_email or f"demo@{org.slug}.example"
            name = org.contact_name or "Demo User"
            auth.add_user(session, email=email, name=name, org_slug=org.slug, role="owner", password=PASSWORD)
            key = kept.get(org.slug, "")
            if not (key and auth.key_is_live(session, key)):
                key = auth.create_api_key(session, email=email, org_slug=org.slug, label="demo")
            logins.append(DemoLogin(org.slug, org.name, email, name, key))
        connector = kept.get(CONNECTOR, "")
        if not (connector and auth.connector_key_id(session, connector) is not None):
            connector = auth.create_connector_key(session, label="demo")
    _keep_keys(home, {CONNECTOR: connector, **{login.org_slug: login.key for login in logins}})
    return DemoKeys(logins, connector)


def _simulators(source: Path) -> dict[str, RunningServer]:
    """Every vendor's simulator on a free loopback port, over the sample bundle (read once)."""
    bundle = load_bundle(source)
    return {
        vendor: start_server_thread(create_simulator_app(vendor, source, bundle=bundle))
        for vendor in registry.NAMES
    }


def _demo_credentials(db: Database, simulators: dict[str, RunningServer]) -> Keyring:
    """Every company's credentials for every vendor: the simulators' demo ones, at the simulators."""
    keyring = Keyring.from_settings(get_settings())
    with db.session(Scope.operator()) as session:
        for org in auth.organizations(session):
            for vendor, running in simulators.items():
                values = {**SIMULATOR_CREDENTIALS[vendor], registry.BASE_URL_FIELD: running.url}
                credentials.store(session, keyring, org.id, vendor, values)
    return keyring


@dataclass
class DemoPush:
    """The local push services, and the settings (this process's and the worker's) that send to them."""

    expo: RunningServer
    webpush: RunningServer
    settings: Settings
    env: dict[str, str]


def _push_services(db: Database, login: DemoLogin) -> DemoPush:
    """The local Expo and Web Push services on free ports, with a simulated phone and browser of the demo
    user registered."""
    from racehub.auth import repository as users
    from racehub.integrations.simulators import start_push_simulator
    from racehub.push import service as push
    from racehub.push.schemas import DeviceIn, WebPushSubscription

    expo = start_push_simulator("expo")
    webpush = start_push_simulator("webpush")
    urls = {**db.settings.simulator_urls, "expo": expo.url}
    settings = db.settings.model_copy(update={"simulator_urls": urls, "webpush_allowed_hosts": ["127.0.0.1"]})
    browser = httpx.post(f"{webpush.url}/__control/subscriptions").json()
    with db.session(Scope.operator()) as session:
        user = users.user_by_email(session, login.email)
        org = users.org_by_slug(session, login.org_slug)
        assert user is not None
        assert org is not None
        org_id, user_id = org.id, user.id
    with db.session(Scope.tenant(org_id)) as session:
        for device in (
            DeviceIn(kind="expo", token="ExponentPushToken[racehub-demo-phone]", label="demo phone"),
            DeviceIn(
                kind="webpush", subscription=WebPushSubscription.model_validate(browser), label="demo browser"
            ),
        ):
            push.register(session, settings, org_id=org_id, user_id=user_id, role="owner", device=device)
    env = {
        "RACEHUB_SIMULATOR_URLS": json.dumps(urls),
        "RACEHUB_WEBPUSH_ALLOWED_HOSTS": json.dumps(["127.0.0.1"]),
    }
    return DemoPush(expo, webpush, settings, env)


def _banner(
    url: str, keys: DemoKeys, simulators: dict[str, RunningServer], home: Path, push: DemoPush | None
) -> None:
    logins = keys.logins
    sims = ", ".join(f"{vendor} {running.url}" for vendor, running in simulators.items())
    console.print(
        Panel.fit(
            f"RaceHub is at [bold]{url}[/bold]  (the chat page; API docs at {url}docs)\n"
            f"A worker runs beside it; vendor simulators: {sims}\n"
            f"Data, keys and logs under {home}. Ctrl-C stops everything the demo started.",
            title="demo ready",
        )
    )
    # Plain lines, never cut to the terminal's width: keys and emails must copy whole.
    console.print("\n[bold]Logins[/bold] (password racehub-demo) and API keys:")
    for login in logins:
        console.print(f"  {login.org_name}: {login.email}  key {login.key}", soft_wrap=True, highlight=False)
    by_org = {login.org_slug: login for login in logins}
    console.print("\n[bold]Try[/bold] (log in on the page as the company's contact, or ask with its key):")
    for slug, sentence in EXAMPLES:
        who = by_org.get(slug)
        if who is not None:
            console.print(f"  {who.email}: {sentence}", soft_wrap=True, highlight=False)
    acme = by_org.get("acme-racing") or (logins[0] if logins else None)
    if acme is not None:
        question = json.dumps({"question": EXAMPLES[0][1]})
        console.print("\nOr from a shell (one line, copy it whole):", highlight=False)
        # Printed outside any box and never wrapped, so it pastes as one command.
        console.print(
            f"curl -s -H 'Authorization: Bearer {acme.key}' -H 'Content-Type: application/json' "
            f"-d '{question}' {url}v1/ask",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
    console.print(
        f'\n[bold]Live[/bold]: say "show me the Shamrock Marathon live" in chat, or open {url}#live'
    )
    if push is not None and acme is not None:
        console.print(
            f"Notifications go to a simulated phone and browser of {acme.email} (local Expo and Web Push "
            'services): say "follow bib 12 in the 2025 Shamrock Marathon" in chat; any change to that result '
            "(a live sync, a correction) is sent. What arrived: "
            f"{push.expo.url}/__control/messages and {push.webpush.url}/__control/messages",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
    console.print(
        f"\nA chat client such as Open WebUI connects with the connector key {keys.connector} "
        '(it names nobody: people log in by saying "I\'m John from Acme Racing" in the chat, as on the '
        "page). Their one-time codes are printed by: racehub outbox",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )


@contextlib.contextmanager
def _worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    racehub = str(Path(sys.executable).parent / "racehub")
    worker = subprocess.Popen([racehub, "worker", "--concurrency", "2"], env=env)
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@fails_cleanly
def demo(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000, min=1, max=65535),
    bundle: Path | None = typer.Option(None, help="a racedata-v1 bundle (default: the shared sample)"),
    serve: bool = typer.Option(True, help="start the server after setting up"),
) -> None:
    """Set up a demo (database, sample data, logins and keys, vendor simulators) and start the server."""
    settings = get_settings()
    home = Path(settings.home)
    sock = _claim_port(host, port) if serve else None
    pgdata = home / "pgdata"
    # The embedded server is the demo's to stop only when the demo started it.
    owns_database = settings.database_url is None and not embedded_running(pgdata)
    simulators: dict[str, RunningServer] = {}
    db: Database | None = None
    try:
        db = database()
        source = sample_bundle(home, bundle)
        console.print(f"importing {source} …")
        started = time.perf_counter()
        with db.session(Scope.operator()) as session:
            report = import_bundle(session, source)
        if report.changed:
            analyze_tables(db)
        show_import(report, source, time.perf_counter() - started)
        keys = _logins(db, home)
        if not serve:
            for login in keys.logins:
                console.print(
                    f"{login.org_name}: {login.email} / {PASSWORD}, key {login.key}", soft_wrap=True
                )
            console.print(f"connector key {keys.connector}", soft_wrap=True)
            return
        console.print("starting the vendor simulators …")
        simulators = _simulators(source)
        _demo_credentials(db, simulators)
        by_org = {login.org_slug: login for login in keys.logins}
        push_user = by_org.get("acme-racing") or (keys.logins[0] if keys.logins else None)
        push = _push_services(db, push_user) if push_user is not None else None
        if push is not None:
            simulators.update(expo=push.expo, webpush=push.webpush)
        url = f"http://{host}:{port}/"
        _serve(db, sock, url, keys, simulators, home, push)
    finally:
        if sock is not None:
            sock.close()
        for running in simulators.values():
            running.stop()
        if db is not None:
            db.dispose()
        if owns_database:
            stopped = stop_embedded(pgdata)
            if stopped:
                console.print("embedded database stopped")


def _serve(
    db: Database,
    sock: socket.socket | None,
    url: str,
    keys: DemoKeys,
    simulators: dict[str, RunningServer],
    home: Path,
    push: DemoPush | None,
) -> None:
    import uvicorn

    from racehub.app import create_app
    from racehub.cli.serve import uvicorn_config

    assert sock is not None
    app = create_app(db, push.settings) if push is not None else create_app(db)
    config = uvicorn_config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    # The worker turns live changes into notifications: it sends to the same local push services.
    with _worker({**os.environ, **(push.env if push is not None else {})}):
        _banner(url, keys, simulators, home, push)
        server.run(sockets=[sock])


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
