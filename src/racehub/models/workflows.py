"""Workflow runs (syncs and vendor scoring, one row per request) and encrypted vendor credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from racehub.models.base import Base


class WorkflowRun(Base):
    __tablename__ = "workflow_runs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(Text)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    trigger: Mapped[str] = mapped_column(Text, server_default="api")
    state: Mapped[str] = mapped_column(Text, server_default="planned")
    plan: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    fetched: Mapped[int] = mapped_column(server_default="0")
    inserted: Mapped[int] = mapped_column(server_default="0")
    updated: Mapped[int] = mapped_column(server_default="0")
    removed: Mapped[int] = mapped_column(server_default="0")
    progress: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(server_default="0")
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("workflow_runs.id"))
    created_at: Mapped[datetime] = mapped_column(server_default="now()")
    confirmed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default="now()")


class Credential(Base):
    """A tenant's credentials for one vendor: field names in clear, values only inside `ciphertext`."""

    __tablename__ = "credentials"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    provider: Mapped[str] = mapped_column(Text, primary_key=True)
    field_names: Mapped[list[str]] = mapped_column(ARRAY(Text))
    ciphertext: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default="now()")
    updated_at: Mapped[datetime] = mapped_column(server_default="now()")
    rotated_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        # Never the ciphertext: reprs end up in logs and tracebacks.
        return f"Credential(org_id={self.org_id}, provider={self.provider!r}, fields={self.field_names})"
