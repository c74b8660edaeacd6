"""`racehub users`, `racehub keys` and `racehub orgs`: the platform operator's view of accounts."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from racehub.auth import service
from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope

users_app = typer.Typer(no_args_is_help=True, help="People who use RaceHub.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
orgs_app = typer.Typer(no_args_is_help=True, help="Tenants (timing companies).")


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


@users_app.command("add")
@fails_cleanly
def add_user(
    email: str = typer.Option(...),
    name: str = typer.Option(...),
    org: str | None = typer.Option(None, help="organization slug"),
    role: str = typer.Option("staff", help="owner, staff or viewer"),
    password: str | None = typer.Option(None, help="optional password for chat login"),
    operator: bool = typer.Option(False, help="platform operator (all tenants)"),
) -> None:
    """Add a user to an organization (or as platform operator)."""
    db = database()
    with db.session(Scope.operator()) as session:
        user = service.add_user(
            session,
            email=email,
            name=name,
            org_slug=org,
            role=role if org else None,
            password=password,
            operator=operator,
        )
        console.print(f"user {user.email} (id {user.id})" + (f" is {role} of {org}" if org else ""))


@users_app.command("list")
@fails_cleanly
def list_users(org: str | None = typer.Option(None, help="organization slug (default: all)")) -> None:
    """Users and their roles, one row per membership."""
    db = database()
    with db.session(Scope.operator()) as session:
        rows = service.list_users(session, org_slug=org)
    table = Table(title="users")
    for column in ("email", "name", "organization", "role", "password", "live keys", "since"):
        table.add_column(column, justify="right" if column == "live keys" else "left")
    for row in rows:
        role = row.role or ("operator" if row.is_operator else "-")
        table.add_row(
            row.email,
            row.name,
            row.org_slug or "-",
            role,
            "yes" if row.has_password else "no",
            str(row.live_keys),
            f"{row.created_at:%Y-%m-%d}",
        )
    console.print(table)


@users_app.command("remove")
@fails_cleanly
def remove_user(
    email: str = typer.Option(...),
    org: str | None = typer.Option(None, help="end this membership only (default: the user everywhere)"),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask to confirm"),
) -> None:
    """Remove a user from an organization (their keys for it revoked), or delete them altogether."""
    where = f"from {org}" if org else "everywhere (memberships, keys and login sessions)"
    if not yes and not typer.confirm(f"Remove {email} {where}?", default=False):
        raise typer.Exit(1)
    db = database()
    with db.session(Scope.operator()) as session:
        removed = service.remove_user(session, email=email, org_slug=org)
    gone = "deleted" if removed.deleted else "kept (other memberships)"
    console.print(
        f"{removed.email}: {removed.memberships} membership(s) ended, {removed.keys} key(s) "
        f"revoked, user {gone}"
    )


@users_app.command("set-role")
@fails_cleanly
def set_role(
    email: str = typer.Option(...),
    org: str = typer.Option(..., help="organization slug"),
    role: str = typer.Option(..., help="owner, staff or viewer"),
) -> None:
    """Change a member's role in an organization."""
    db = database()
    with db.session(Scope.operator()) as session:
        before = service.set_role(session, email=email, org_slug=org, role=role)
    console.print(f"{email} in {org}: {before} → {role}")


@keys_app.command("create")
@fails_cleanly
def create_key(
    email: str = typer.Option(...),
    org: str | None = typer.Option(None, help="organization slug, when the user has several"),
    label: str | None = typer.Option(None),
    expires_days: int | None = typer.Option(
        None, "--expires-days", help="valid this many days (default: until revoked)"
    ),
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    db = database()
    with db.session(Scope.operator()) as session:
        key = service.create_api_key(
            session, email=email, org_slug=org, label=label, expires_in_days=expires_days
        )
    typer.echo(key)


@keys_app.command("list")
@fails_cleanly
def list_keys(
    org: str | None = typer.Option(None, help="organization slug"),
    email: str | None = typer.Option(None, help="one user's keys"),
    revoked: bool = typer.Option(False, "--revoked", help="also revoked keys"),
) -> None:
    """API keys (prefix, owner, use, expiry), never their values."""
    db = database()
    with db.session(Scope.operator()) as session:
        org_id = service.organization(session, org).id if org else None
        rows = service.list_keys(session, org_id=org_id, email=email, include_revoked=revoked)
    table = Table(title="API keys")
    for column in (
        "id",
        "prefix",
        "kind",
        "label",
        "user",
        "organization",
        "created",
        "last used",
        "expires",
        "revoked",
    ):
        table.add_column(column, no_wrap=column in ("id", "prefix"))
    for key in rows:
        table.add_row(
            str(key.id),
            key.prefix + "…",
            key.kind,
            key.label or "",
            key.user_email or "-",
            key.org_slug or "-",
            _when(key.created_at),
            _when(key.last_used_at),
            _when(key.expires_at),
            _when(key.revoked_at),
        )
    console.print(table)


@keys_app.command("revoke")
@fails_cleanly
def revoke_key(key_id: int = typer.Argument(..., help="the key's id (racehub keys list)")) -> None:
    """Revoke an API key at once: the next request made with it is refused."""
    db = database()
    with db.session(Scope.operator()) as session:
        key = service.revoke_key(session, key_id)
    console.print(f"key {key.id} ({key.prefix}…, {key.user_email or key.label or key.kind}) revoked")


@orgs_app.command("add")
@fails_cleanly
def add_org(slug: str = typer.Option(...), name: str = typer.Option(...)) -> None:
    """Add a timing company (tenant)."""
    db = database()
    with db.session(Scope.operator()) as session:
        service.add_organization(session, slug=slug, name=name)
    console.print(f"organization {slug} added")


@orgs_app.command("list")
@fails_cleanly
def list_orgs() -> None:
    """List tenants."""
    db = database()
    with db.session(Scope.operator()) as session:
        orgs = service.organizations(session)
    table = Table("id", "slug", "name", "contact")
    for o in orgs:
        table.add_row(str(o.id), o.slug, o.name, o.contact_email or "")
    console.print(table)
