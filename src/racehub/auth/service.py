"""Users, memberships and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from racehub.auth import repository
from racehub.auth.passwords import hash_secret
from racehub.auth.repository import KeyOwner, KeyRow, MemberRow
from racehub.auth.tokens import KEY_PREFIX, new_token, token_hash
from racehub.db.scope import Scope
from racehub.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    OrganizationNotFound,
    Unauthorized,
    UserNotFound,
)
from racehub.models import Organization, User

ROLES = ("owner", "staff", "viewer")
MAX_KEY_DAYS = 3650


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    org_slug: str | None,
    role: str | None,
    password: str | None = None,
    operator: bool = False,
) -> User:
    """Create a user (or add a membership to an existing one)."""
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise InvalidInput(f"not an email address: {email!r}")
    if role is not None and role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    user = repository.user_by_email(session, email)
    if user is None:
        password_hash = hash_secret(password) if password else None
        user = repository.add_user(session, email, name, password_hash, operator)
    elif password:
        user.password_hash = hash_secret(password)
    if org_slug:
        org = repository.org_by_slug(session, org_slug)
        if org is None:
            raise OrganizationNotFound(f"no organization with slug {org_slug!r}")
        repository.set_membership(session, user.id, org.id, role or "staff")
    elif not operator:
        raise InvalidInput("a user needs --org (or --operator for a platform operator)")
    return user


def create_api_key(
    session: Session,
    *,
    email: str,
    org_slug: str | None = None,
    label: str | None = None,
    expires_in_days: int | None = None,
) -> str:
    """A new API key for a user, bound to one of their organizations, valid for `expires_in_days` days
    (None: until revoked); returns the key once."""
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_KEY_DAYS:
        raise InvalidInput(f"a key's expiry must be 1 to {MAX_KEY_DAYS} days, got {expires_in_days}")
    user = repository.user_by_email(session, email)
    if user is None:
        raise UserNotFound(f"no user with email {email!r}")
    orgs = repository.memberships(session, user.id)
    org_id: int | None = None
    if org_slug:
        org = repository.org_by_slug(session, org_slug)
        if org is None or all(o != org.id for o, _ in orgs):
            raise Forbidden(f"{email} is not a member of {org_slug!r}")
        org_id = org.id
    elif len(orgs) == 1:
        org_id = orgs[0][0]
    elif len(orgs) > 1:
        raise Conflict(f"{email} belongs to {len(orgs)} organizations: name one with --org")
    elif not user.is_operator:
        raise Forbidden(f"{email} belongs to no organization")
    key = new_api_key()
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    repository.add_api_key(session, user.id, org_id, key[:10], token_hash(key), label, expires_at)
    return key


def new_api_key() -> str:
    """A fresh key value: the prefix and 192 random bits."""
    return new_token(KEY_PREFIX)


def scope_for_key(session: Session, key: str) -> tuple[Scope, KeyOwner]:
    """The tenant scope an API key grants; Unauthorized when unknown or revoked."""
    if not key.startswith(KEY_PREFIX):
        raise Unauthorized("invalid API key")
    owner = repository.key_owner(session, token_hash(key))
    if owner is None:
        raise Unauthorized("invalid API key")
    return scope_for_owner(owner), owner


def acting_owner(session: Session, email: str) -> KeyOwner | None:
    """Who a user acts as when nothing names a company (a login by email, `racehub ask --as`): their
    first organization; a platform operator without one acts for every tenant. None when the user is
    unknown or belongs to no organization."""
    user = repository.user_by_email(session, email)
    if user is None:
        return None
    orgs = repository.memberships(session, user.id)
    if not orgs and not user.is_operator:
        return None
    org_id, role = orgs[0] if orgs else (None, None)
    return KeyOwner(user.id, user.email, user.name, org_id, role, user.is_operator)


def scope_for_owner(owner: KeyOwner) -> Scope:
    if owner.org_id is not None:
        if owner.role is None:
            raise Unauthorized("membership of this key's organization was removed")
        return Scope.tenant(owner.org_id, owner.user_id, owner.role)
    if owner.is_operator:
        return Scope.operator(owner.user_id)
    raise Unauthorized("key has no organization")


def create_connector_key(session: Session, *, label: str | None = None) -> str:
    """A new connector key (no person, no tenant: it may only call the chat API); returns it once."""
    key = new_api_key()
    repository.add_connector_key(session, key[:10], token_hash(key), label)
    return key


def connector_key_id(session: Session, key: str) -> int | None:
    """The id of the connector key `key`, None when it is not a live connector key."""
    if not key.startswith(KEY_PREFIX):
        return None
    return repository.connector_key_id(session, token_hash(key))


# --- people and keys, for operators (CLI) and owners (API) ---------------------------------------------


class KeyNotFound(NotFound):
    pass


def _role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    return role


def organization(session: Session, slug: str) -> Organization:
    found = repository.org_by_slug(session, slug)
    if found is None:
        known = ", ".join(o.slug for o in repository.organizations(session)) or "none yet"
        raise OrganizationNotFound(f"no organization with slug {slug!r} (known: {known})")
    return found


def organizations(session: Session) -> list[Organization]:
    return repository.organizations(session)


def add_organization(session: Session, *, slug: str, name: str) -> Organization:
    slug = slug.strip()
    if not slug or not all(c.isalnum() or c == "-" for c in slug) or slug != slug.lower():
        raise InvalidInput(f"a slug is lower-case letters, digits and dashes, got {slug!r}")
    if repository.org_by_slug(session, slug) is not None:
        raise Conflict(f"organization {slug!r} exists")
    org = Organization(slug=slug, name=name.strip() or slug)
    session.add(org)
    session.flush()
    return org


def user_by_email(session: Session, email: str) -> User | None:
    return repository.user_by_email(session, email)


def _user(session: Session, email: str) -> User:
    user = repository.user_by_email(session, email)
    if user is None:
        raise UserNotFound(f"no user with email {email!r}")
    return user


def list_users(session: Session, *, org_slug: str | None = None) -> list[MemberRow]:
    """Users with their memberships (one row per membership), of one organization when given."""
    org_id = organization(session, org_slug).id if org_slug else None
    return repository.members(session, org_id)


@dataclass(frozen=True)
class Removal:
    email: str
    memberships: int  # memberships ended
    keys: int  # keys revoked
    deleted: bool  # the user is gone (no membership left, or removed everywhere)


def remove_user(session: Session, *, email: str, org_slug: str | None = None) -> Removal:
    """End a user's membership of one organization (their keys for it revoked), or with no organization
    delete the user with every membership, key and login session."""
    user = _user(session, email)
    memberships = repository.memberships(session, user.id)
    if org_slug is not None:
        org = organization(session, org_slug)
        if not repository.remove_membership(session, user.id, org.id):
            raise NotFound(f"{user.email} is not a member of {org_slug!r}")
        revoked = repository.revoke_keys(session, user.id, org.id)
        if len(memberships) > 1 or user.is_operator:
            return Removal(user.email, 1, revoked, deleted=False)
    revoked_all = repository.revoke_keys(session, user.id)
    repository.delete_user(session, user.id)
    ended = len(memberships)
    return Removal(user.email, ended, revoked_all + (revoked if org_slug is not None else 0), deleted=True)


def set_role(session: Session, *, email: str, org_slug: str, role: str) -> str:
    """Change a member's role in an organization; returns the role they had."""
    user = _user(session, email)
    org = organization(session, org_slug)
    current = dict(repository.memberships(session, user.id)).get(org.id)
    if current is None:
        raise NotFound(f"{user.email} is not a member of {org_slug!r}: add them with racehub users add")
    repository.set_membership(session, user.id, org.id, _role(role))
    return current


def list_keys(
    session: Session, *, org_id: int | None = None, email: str | None = None, include_revoked: bool = False
) -> list[KeyRow]:
    """Keys (never their values), newest first: of one organization, one user, or all."""
    user_id = _user(session, email).id if email else None
    return repository.keys(session, org_id=org_id, user_id=user_id, include_revoked=include_revoked)


def revoke_key(session: Session, key_id: int, *, org_id: int | None = None) -> KeyRow:
    """Revoke a key by id (only one of organization `org_id` when given: an owner's own company)."""
    revoked = repository.revoke_key(session, key_id, org_id)
    if revoked is None:
        raise KeyNotFound(f"API key {key_id} not found")
    return revoked


def key_is_live(session: Session, key: str) -> bool:
    """Whether `key` would be accepted now (not unknown, revoked, expired or orphaned)."""
    try:
        scope_for_key(session, key)
    except Unauthorized:
        return False
    return True
