"""Keys and race ids of two bundle tenants (Acme Racing, Summit Sports Timing), for the tool servers' tests.

Only users, memberships and API keys are added to the shared bundle database (under emails of their
own), so the tests that read it see the same events, races and results as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from racehub.auth import repository as auth_repository
from racehub.auth.service import add_user, create_api_key, create_connector_key
from racehub.db import Database, Scope
from racehub.models import Edition, Entry, EventSeries, Organization, Race

ACME = "acme-racing"
SUMMIT = "summit-sports-timing"


@dataclass
class BundleTenant:
    slug: str
    org_id: int
    key: str
    race_id: int  # the 2025 Marathon of its flagship event
    runner_names: set[str] = field(default_factory=set)  # runners of that race


@dataclass
class BundleTenants:
    acme: BundleTenant  # Shamrock Marathon Weekend 2025, Marathon
    summit: BundleTenant  # Boston Marathon 2025, Marathon
    revoked_key: str  # an Acme user's key, revoked
    connector_key: str  # a chat connector's key: it names no person and no tenant

    def only_summit_names(self) -> set[str]:
        """Summit's Boston runners whose names no Acme runner of the Shamrock Marathon shares."""
        return self.summit.runner_names - self.acme.runner_names


def _race_id(session: Session, slug: str, event: str, year: int, race: str) -> int:
    race_id = session.scalar(
        select(Race.id)
        .join(Edition, Edition.id == Race.edition_id)
        .join(EventSeries, EventSeries.id == Edition.series_id)
        .join(Organization, Organization.id == Race.org_id)
        .where(Organization.slug == slug, EventSeries.name == event, Edition.year == year, Race.name == race)
    )
    assert race_id is not None, (slug, event, year, race)
    return race_id


def _tenant(session: Session, slug: str, label: str, event: str) -> BundleTenant:
    email = f"{label}-viewer@{slug}.example"
    add_user(session, email=email, name=f"{label} viewer", org_slug=slug, role="viewer")
    key = create_api_key(session, email=email, org_slug=slug, label=label)
    org_id = session.scalar(select(Organization.id).where(Organization.slug == slug))
    assert org_id is not None
    race_id = _race_id(session, slug, event, 2025, "Marathon")
    names = session.execute(select(Entry.first_name, Entry.last_name).where(Entry.race_id == race_id)).all()
    return BundleTenant(slug, org_id, key, race_id, {f"{first} {last}" for first, last in names})


def _revoked_key(session: Session, label: str) -> str:
    email = f"{label}-revoked@{ACME}.example"
    user = add_user(session, email=email, name=f"{label} revoked", org_slug=ACME, role="staff")
    key = create_api_key(session, email=email, org_slug=ACME)
    auth_repository.revoke_keys(session, user.id)
    return key


def bundle_tenants(database: Database, label: str) -> BundleTenants:
    """A viewer key for Acme and one for Summit, with `label` in the users' emails."""
    with database.session(Scope.operator()) as session:
        return BundleTenants(
            acme=_tenant(session, ACME, label, "Shamrock Marathon Weekend"),
            summit=_tenant(session, SUMMIT, label, "Boston Marathon"),
            revoked_key=_revoked_key(session, label),
            connector_key=create_connector_key(session, label=f"{label} connector"),
        )
