"""All SQL of the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from racehub.models import AuditEntry, User


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    kind: str
    outcome: str
    user_email: str | None
    org_id: int | None
    actor: str | None
    via: str | None
    client_addr: str | None
    subject: str | None
    sql: str | None
    row_count: int | None
    elapsed_ms: float | None


def add(session: Session, values: dict[str, Any]) -> None:
    # No RETURNING: the application may append to the log without being able to read it back.
    session.execute(insert(AuditEntry).values(**values))


def entries(
    session: Session,
    *,
    user: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
) -> list[AuditRow]:
    """Newest first; `user` is an email (the verified user's, or the claimed one) or a user id."""
    query = select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.kind,
        AuditEntry.outcome,
        User.email.label("user_email"),
        AuditEntry.org_id,
        AuditEntry.actor,
        AuditEntry.via,
        AuditEntry.client_addr,
        AuditEntry.subject,
        AuditEntry.sql,
        AuditEntry.row_count,
        AuditEntry.elapsed_ms,
    ).outerjoin(User, User.id == AuditEntry.user_id)
    if user:
        if user.isdigit():
            query = query.where(AuditEntry.user_id == int(user))
        else:
            lowered = user.strip().lower()
            query = query.where(
                (func.lower(User.email) == lowered) | (func.lower(AuditEntry.actor) == lowered)
            )
    if kind:
        query = query.where((AuditEntry.kind == kind) | AuditEntry.kind.startswith(f"{kind}."))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return [AuditRow(**row._asdict()) for row in session.execute(query).all()]
