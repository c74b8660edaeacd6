"""Who is chatting: the credential on the request, and the verified person behind it (if any yet).

- A user API key or a web-page session token names its person and tenant; chat text cannot change it.
- A connector key (Open WebUI) names nobody. The person comes from Open WebUI's signed JWT header, or
  from a login passed inside the conversation (bound server-side to that conversation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.auth.dependencies import database_of, run_with_connection
from racehub.auth.openwebui import JWT_HEADER, OpenWebUIUser, verify_user_jwt
from racehub.auth.repository import KeyOwner
from racehub.auth.service import acting_owner, connector_key_id, scope_for_key, scope_for_owner
from racehub.auth.sessions import SESSION_PREFIX, session_owner
from racehub.auth.tokens import token_hash
from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.errors import Unauthorized

_bearer = HTTPBearer(
    auto_error=False, description="An API key (`rh_...`), a connector key, or a web session (`rhs_...`)"
)


@dataclass(frozen=True)
class Identity:
    """A verified person and the tenant they act for."""

    user_id: int
    email: str
    name: str
    org_id: int | None
    org_name: str | None
    role: str | None
    scope: Scope
    via: str  # api_key | session | openwebui | chat_login

    def describe(self) -> str:
        return f"{self.name} ({self.org_name})" if self.org_name else self.name


@dataclass(frozen=True)
class ChatCaller:
    kind: str  # api_key | session | connector
    credential: str  # stable and opaque: scopes conversation keys to this credential
    identity: Identity | None
    client_addr: str
    openwebui: OpenWebUIUser | None = None

    @property
    def limiter_addr(self) -> str:
        # Every Open WebUI user reaches RaceHub from the Open WebUI server's address.
        return f"openwebui:{self.openwebui.sub}" if self.openwebui else self.client_addr


def _org_name(session: Session, org_id: int | None) -> str | None:
    if org_id is None:
        return None
    name = session.execute(text("SELECT name FROM organizations WHERE id = :o"), {"o": org_id}).scalar()
    return str(name) if name is not None else None


def identity_of(session: Session, owner: KeyOwner, via: str) -> Identity:
    """The identity of a key or session owner; Unauthorized when it no longer grants a tenant."""
    scope = scope_for_owner(owner)
    return Identity(
        owner.user_id,
        owner.email,
        owner.name,
        owner.org_id,
        _org_name(session, owner.org_id),
        scope.role,
        scope,
        via,
    )


def bound_identity(session: Session, user_id: int, org_id: int, via: str) -> Identity | None:
    """The identity a conversation was bound to, while the membership still exists."""
    row = session.execute(
        text(
            "SELECT u.email, u.name, u.is_operator, m.role FROM users u "
            "JOIN memberships m ON m.user_id = u.id AND m.org_id = :o WHERE u.id = :u"
        ),
        {"u": user_id, "o": org_id},
    ).one_or_none()
    if row is None:
        return None
    return identity_of(session, KeyOwner(user_id, row[0], row[1], org_id, row[3], row[2]), via)


def identity_for_email(session: Session, email: str, via: str) -> Identity | None:
    """A RaceHub user by email, acting for their first organization (None when unknown or without one)."""
    owner = acting_owner(session, email)
    return None if owner is None else identity_of(session, owner, via)


def resolve_caller(
    database: Database, settings: Settings, token: str, openwebui_jwt: str | None, client_addr: str
) -> ChatCaller:
    """The caller behind a bearer token (and, for connector keys, Open WebUI's signed user header)."""
    credential = token_hash(token)[:32]
    with database.session(Scope.operator()) as session:
        if token.startswith(SESSION_PREFIX):
            found = session_owner(session, token)
            if found is None:
                raise Unauthorized("your session has ended: log in again")
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
        user = verify_user_jwt(
            openwebui_jwt,
            settings.openwebui_jwt_secret.get_secret_value() if settings.openwebui_jwt_secret else None,
            settings.openwebui_jwt_issuer,
        )
        identity = identity_for_email(session, user.email, "openwebui")
        return ChatCaller("connector", f"connector:{connector}:owui:{user.sub}", identity, client_addr, user)


async def chat_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ChatCaller:
    """The caller of a chat endpoint; Unauthorized (401) without a valid credential or with a bad JWT."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials.strip():
        raise Unauthorized("missing credentials: send `Authorization: Bearer <API key or session token>`")
    database = database_of(request)
    settings: Settings = request.app.state.settings
    token = credentials.credentials.strip()
    jwt_header = request.headers.get(JWT_HEADER)
    address = request.client.host if request.client else "unknown"
    return await run_with_connection(
        request, lambda: resolve_caller(database, settings, token, jwt_header, address)
    )


CurrentChatCaller = Annotated[ChatCaller, Depends(chat_caller)]
