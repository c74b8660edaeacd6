"""Who is calling: the credential on a request, and the verified person behind it (if any yet).

- A user API key or a web-page session token names its person and tenant; chat text cannot change it.
- A connector key (Open WebUI) names nobody. The person comes from a login passed inside the
  conversation (bound server-side to it), or from Open WebUI's signed JWT header once that Open WebUI
  account (its `sub`) has been linked to a RaceHub user by a one-time code: an email alone proves
  nothing, since an Open WebUI admin may let anyone sign up with any address.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from racehub.auth import login_repository as repository
from racehub.auth.callers import Caller, ChatCaller, Identity
from racehub.auth.openwebui import verify_user_jwt
from racehub.auth.repository import KeyOwner
from racehub.auth.service import acting_owner, connector_key_id, scope_for_key, scope_for_owner
from racehub.auth.tokens import SESSION_PREFIX, token_hash
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.errors import Unauthorized

SESSION_ENDED = "your session has ended: log in again"


def identity_of(session: Session, owner: KeyOwner, via: str) -> Identity:
    """The identity of a key or session owner; Unauthorized when it no longer grants a tenant."""
    scope = scope_for_owner(owner)
    org_name = repository.org_name(session, owner.org_id) if owner.org_id is not None else None
    return Identity(owner.user_id, owner.email, owner.name, owner.org_id, org_name, scope.role, scope, via)


def bound_identity(session: Session, user_id: int, org_id: int, via: str) -> Identity | None:
    """The identity a conversation was bound to, while the membership still exists."""
    owner = repository.member(session, user_id, org_id)
    return identity_of(session, owner, via) if owner is not None else None


def identity_for_email(session: Session, email: str, via: str) -> Identity | None:
    """A RaceHub user by email, acting for their first organization (None when unknown or without one)."""
    owner = acting_owner(session, email)
    return None if owner is None else identity_of(session, owner, via)


def identity_for_user(session: Session, user_id: int, via: str) -> Identity | None:
    """A RaceHub user by id, acting for their first organization (None when gone or without one)."""
    first = repository.first_membership(session, user_id)
    return bound_identity(session, user_id, first[0], via) if first is not None else None


def api_caller(database: Database, key: str) -> Caller:
    """The caller behind an API key or a web session token; Unauthorized when unknown, expired or revoked."""
    if key.startswith(SESSION_PREFIX):
        # Sessions are read as the operator: they are looked up before any tenant is known.
        with database.session(Scope.operator()) as session:
            found = repository.session_owner(session, token_hash(key))
        if found is None:
            raise Unauthorized(SESSION_ENDED)
        owner = found[1]
        scope = scope_for_owner(owner)
    else:
        with database.session(Scope.nobody()) as session:
            scope, owner = scope_for_key(session, key)
    return Caller(
        scope=scope,
        user_id=owner.user_id,
        email=owner.email,
        name=owner.name,
        org_id=scope.org_id,
        role=scope.role,
    )


def chat_caller(
    database: Database, settings: Settings, token: str, openwebui_jwt: str | None, client_addr: str
) -> ChatCaller:
    """The caller behind a bearer token (and, for connector keys, Open WebUI's signed user header)."""
    credential = token_hash(token)[:32]
    with database.session(Scope.operator()) as session:
        if token.startswith(SESSION_PREFIX):
            found = repository.session_owner(session, token_hash(token))
            if found is None:
                raise Unauthorized(SESSION_ENDED)
            return ChatCaller(
                "session", f"session:{found[0]}", identity_of(session, found[1], "session"), client_addr
            )
        connector = connector_key_id(session, token)
        if connector is None:
            _, owner = scope_for_key(session, token)
            return ChatCaller(
                "api_key", f"key:{credential}", identity_of(session, owner, "api_key"), client_addr
            )
        if not openwebui_jwt:
            return ChatCaller("connector", f"connector:{connector}", None, client_addr)
        secret = settings.openwebui_jwt_secret
        user = verify_user_jwt(
            openwebui_jwt,
            secret.get_secret_value() if secret else None,
            settings.openwebui_jwt_issuer,
            max_lifetime_s=settings.openwebui_jwt_max_lifetime_s,
        )
        credential = f"connector:{connector}:owui:{user.sub}"
        linked = repository.linked_user(session, settings.openwebui_jwt_issuer, user.sub)
        if linked is not None:
            identity = identity_for_user(session, linked, "openwebui")
            return ChatCaller("connector", credential, identity, client_addr, user)
        unlinked = identity_for_email(session, user.email, "openwebui")
        return ChatCaller("connector", credential, None, client_addr, user, unlinked=unlinked)
