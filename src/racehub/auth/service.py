"""Users, memberships and API keys."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session

from racehub.auth import repository
from racehub.auth.passwords import hash_secret
from racehub.auth.repository import KeyOwner
from racehub.db.scope import Scope
from racehub.errors import Conflict, Forbidden, InvalidInput, OrganizationNotFound, Unauthorized, UserNotFound
from racehub.models import User

ROLES = ("owner", "staff", "viewer")
KEY_PREFIX = "rh_"


def hash_api_key(key: str) -> str:
    # API keys carry 190 bits of randomness, so a fast hash is enough to make the stored value useless.
    return hashlib.sha256(key.encode()).hexdigest()


def add_user(session: Session, *, email: str, name: str, org_slug: str | None, role: str | None,
             password: str | None = None, operator: bool = False) -> User:
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


def create_api_key(session: Session, *, email: str, org_slug: str | None = None,
                   label: str | None = None) -> str:
    """A new API key for a user, bound to one of their organizations; returns the key once."""
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
    secret = secrets.token_urlsafe(24)
    key = f"{KEY_PREFIX}{secret}"
    repository.add_api_key(session, user.id, org_id, key[:10], hash_api_key(key), label)
    return key


def scope_for_key(session: Session, key: str) -> tuple[Scope, KeyOwner]:
    """The tenant scope an API key grants; Unauthorized when unknown or revoked."""
    if not key.startswith(KEY_PREFIX):
        raise Unauthorized("invalid API key")
    owner = repository.key_owner(session, hash_api_key(key))
    if owner is None:
        raise Unauthorized("invalid API key")
    return scope_for_owner(owner), owner


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
    key = f"{KEY_PREFIX}{secrets.token_urlsafe(24)}"
    repository.add_connector_key(session, key[:10], hash_api_key(key), label)
    return key


def connector_key_id(session: Session, key: str) -> int | None:
    """The id of the connector key `key`, None when it is not a live connector key."""
    if not key.startswith(KEY_PREFIX):
        return None
    return repository.connector_key_id(session, hash_api_key(key))
