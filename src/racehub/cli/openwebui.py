"""`racehub openwebui check`: is Open WebUI set up to name its users to RaceHub?"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import httpx
import typer

from racehub.auth.openwebui import JWT_HEADER, check_shared_secret, sign_user_jwt
from racehub.cli.common import console, fails_cleanly
from racehub.config import get_settings
from racehub.errors import InvalidInput

openwebui_app = typer.Typer(no_args_is_help=True, help="Open WebUI in front of RaceHub.")
SECRET_VARIABLE = "FORWARD_USER_INFO_HEADER_JWT_SECRET"


def _env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as a shell, systemd or docker compose reads them (quotes removed)."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        try:
            parts = shlex.split(value)
        except ValueError:
            parts = [value]
        values[name.strip()] = parts[0] if len(parts) == 1 else value
    return values


@openwebui_app.command("check")
@fails_cleanly
def check(
    env_file: Path | None = typer.Option(None, help="Open WebUI's environment file (else: a hidden prompt)"),
    url: str | None = typer.Option(None, help="a running RaceHub to ask too, e.g. http://127.0.0.1:8000"),
    connector_key: str | None = typer.Option(None, help="with --url: the key Open WebUI connects with"),
    email: str | None = typer.Option(
        None, help="with --url: an Open WebUI user's email, to see who it maps to"
    ),
) -> None:
    """Check that Open WebUI's FORWARD_USER_INFO_HEADER_JWT_SECRET matches RACEHUB_OPENWEBUI_JWT_SECRET
    (without printing either), and with --url that the running server takes the header. Exits 1 if not."""
    settings = get_settings()
    if env_file is not None:
        found = _env_file(env_file)
        theirs = found.get(SECRET_VARIABLE)
        if found.get("ENABLE_FORWARD_USER_INFO_HEADERS", "").lower() != "true":
            console.print(
                f"[yellow]{env_file}: ENABLE_FORWARD_USER_INFO_HEADERS is not 'true': Open WebUI "
                "sends no user header[/yellow]"
            )
    elif sys.stdin.isatty():
        theirs = typer.prompt(f"Open WebUI's {SECRET_VARIABLE}", hide_input=True)
    else:
        theirs = sys.stdin.readline().strip()
    ours = settings.openwebui_jwt_secret.get_secret_value() if settings.openwebui_jwt_secret else None
    result = check_shared_secret(theirs, ours, settings.openwebui_jwt_issuer)
    for problem in result.problems:
        console.print(f"[red]✗[/red] {problem}")
    if not result.ok:
        raise typer.Exit(1)
    console.print("[green]✓[/green] the secrets match: RaceHub accepts the user header Open WebUI signs")
    if url is None:
        return
    if not (connector_key and theirs):
        raise InvalidInput("--url needs --connector-key (the key in Open WebUI's OPENAI_API_KEYS)")
    probe = email or "probe@example.com"
    header = sign_user_jwt(theirs, probe, settings.openwebui_jwt_issuer)
    try:
        answer = httpx.get(
            f"{url.rstrip('/')}/v1/auth/me",
            timeout=10,
            headers={"Authorization": f"Bearer {connector_key}", JWT_HEADER: header},
        )
    except httpx.HTTPError as exc:
        raise InvalidInput(f"cannot reach {url}: {type(exc).__name__}") from None
    if answer.status_code != 200:
        detail = (
            answer.json().get("detail", answer.text)
            if answer.headers.get("content-type", "").startswith("application/json")
            else answer.text
        )
        console.print(f"[red]✗[/red] {url} refused the header: HTTP {answer.status_code} {detail}")
        raise typer.Exit(1)
    who = answer.json()
    if who.get("email"):
        console.print(
            f"[green]✓[/green] {url} takes the header: {probe} is {who.get('name')} of "
            f"{who.get('organization')} ({who.get('role')})"
        )
    elif who.get("link_to"):
        console.print(
            f"[green]✓[/green] {url} takes the header; {probe} is a RaceHub user: the first chat of this "
            "Open WebUI account mails them a one-time code that links it, then it is trusted"
        )
    else:
        console.print(
            f"[green]✓[/green] {url} takes the header; {probe} is not a RaceHub user (they will be "
            "asked to log in in the chat)"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(openwebui_app, name="openwebui")
