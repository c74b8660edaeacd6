"""What the keys API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

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
