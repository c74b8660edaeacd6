"""Request and response bodies of the keys and login endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from racehub.schemas import Page


class ApiKeyOut(BaseModel):
    """An API key as listed: its first characters, never its value (stored only as a hash)."""

    id: int
    prefix: str
    kind: Literal["user", "connector"]
    label: str | None
    user_email: str | None
    organization: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyPage(Page[ApiKeyOut]):
    """A company's API keys, newest first."""


class ChallengeIn(BaseModel):
    """Who is logging in: an email address, or a sentence such as "I'm John from Acme Racing"."""

    email: str | None = Field(default=None, max_length=254)
    text: str | None = Field(default=None, max_length=400)


class ChallengeOut(BaseModel):
    challenge: str
    message: str
    expires_in: int


class VerifyIn(BaseModel):
    challenge: str = Field(max_length=200)
    code: str | None = Field(default=None, max_length=20)
    password: str | None = Field(default=None, max_length=500)


class PasswordIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=500)


class WhoAmI(BaseModel):
    kind: str  # api_key | session | connector
    name: str | None = None
    email: str | None = None
    organization: str | None = None
    role: str | None = None
    via: str | None = None
    # An Open WebUI account not linked yet: the RaceHub user its first chat sends a code to, to link it.
    link_to: str | None = None


class SessionOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: WhoAmI
