"""Who is calling, as services see it: plain values, no web framework (the endpoints build them)."""

from __future__ import annotations

from dataclasses import dataclass

from racehub.audit.service import Actor
from racehub.db.scope import Scope


@dataclass(frozen=True)
class Caller:
    """The person behind an API key (or web session) and the tenant scope they act in."""

    scope: Scope
    user_id: int
    email: str
    name: str
    org_id: int | None
    role: str | None  # owner | staff | viewer | operator

    @property
    def can_write(self) -> bool:
        return self.scope.can_write

    def actor(self, via: str, client_addr: str | None) -> Actor:
        """Who acted, as the audit log records it."""
        return Actor(self.user_id, self.org_id, self.email, via, client_addr)


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
class OpenWebUIUser:
    """The user Open WebUI's signed header names."""

    sub: str
    email: str
    name: str | None
    role: str | None


@dataclass(frozen=True)
class ChatCaller:
    """The caller of a chat endpoint: the credential, and the verified person behind it (if any yet)."""

    kind: str  # api_key | session | connector
    credential: str  # stable and opaque: scopes conversation keys to this credential
    identity: Identity | None
    client_addr: str
    openwebui: OpenWebUIUser | None = None
    # An Open WebUI account not yet linked to the RaceHub user its email names: a code links it.
    unlinked: Identity | None = None

    @property
    def limiter_addr(self) -> str:
        # Every Open WebUI user reaches RaceHub from the Open WebUI server's address.
        return f"openwebui:{self.openwebui.sub}" if self.openwebui else self.client_addr
