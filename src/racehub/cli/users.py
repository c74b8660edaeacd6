"""`racehub users`, `racehub keys` and `racehub orgs`."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from racehub.auth import service
from racehub.cli.common import console, database, fails_cleanly
from racehub.db import Scope
from racehub.errors import InvalidInput
from racehub.models import Organization

users_app = typer.Typer(no_args_is_help=True, help="People who use RaceHub.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
orgs_app = typer.Typer(no_args_is_help=True, help="Tenants (timing companies).")


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
        user = service.add_user(session, email=email, name=name, org_slug=org, role=role if org else None,
                                password=password, operator=operator)
        console.print(f"user {user.email} (id {user.id})" + (f" is {role} of {org}" if org else ""))


@keys_app.command("create")
@fails_cleanly
def create_key(
    email: str = typer.Option(...),
    org: str | None = typer.Option(None, help="organization slug, when the user has several"),
    label: str | None = typer.Option(None),
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    db = database()
    with db.session(Scope.operator()) as session:
        key = service.create_api_key(session, email=email, org_slug=org, label=label)
    typer.echo(key)


@orgs_app.command("add")
@fails_cleanly
def add_org(slug: str = typer.Option(...), name: str = typer.Option(...)) -> None:
    """Add a timing company (tenant)."""
    db = database()
    with db.session(Scope.operator()) as session:
        if session.scalars(select(Organization).where(Organization.slug == slug)).first():
            raise InvalidInput(f"organization {slug!r} exists")
        session.add(Organization(slug=slug, name=name))
    console.print(f"organization {slug} added")


@orgs_app.command("list")
def list_orgs() -> None:
    """List tenants."""
    db = database()
    with db.session(Scope.operator()) as session:
        orgs = session.scalars(select(Organization).order_by(Organization.id)).all()
    table = Table("id", "slug", "name", "contact")
    for o in orgs:
        table.add_row(str(o.id), o.slug, o.name, o.contact_email or "")
    console.print(table)
