"""All SQL of stored credentials (a tenant table that the reader role cannot see)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class StoredCredential:
    org_id: int
    org_slug: str
    provider: str
    field_names: tuple[str, ...]
    key_id: str
    updated_at: datetime
    rotated_at: datetime | None


def upsert(
    session: Session, org_id: int, provider: str, field_names: Sequence[str], ciphertext: str, key_id: str
) -> None:
    session.execute(
        text(
            """
            INSERT INTO credentials (org_id, provider, field_names, ciphertext, key_id)
            VALUES (:org, :provider, :names, :ciphertext, :key_id)
            ON CONFLICT (org_id, provider) DO UPDATE SET field_names = EXCLUDED.field_names,
                ciphertext = EXCLUDED.ciphertext, key_id = EXCLUDED.key_id, updated_at = now()
            """
        ),
        {
            "org": org_id,
            "provider": provider,
            "names": list(field_names),
            "ciphertext": ciphertext,
            "key_id": key_id,
        },
    )


def ciphertext(session: Session, org_id: int, provider: str) -> str | None:
    value = session.execute(
        text("SELECT ciphertext FROM credentials WHERE org_id = :org AND provider = :provider"),
        {"org": org_id, "provider": provider},
    ).scalar()
    return str(value) if value is not None else None


def listing(session: Session, org_id: int | None = None) -> list[StoredCredential]:
    rows = session.execute(
        text(
            """
            SELECT c.org_id, o.slug, c.provider, c.field_names, c.key_id, c.updated_at, c.rotated_at
            FROM credentials c JOIN organizations o ON o.id = c.org_id
            WHERE CAST(:org AS bigint) IS NULL OR c.org_id = :org
            ORDER BY o.slug, c.provider
            """
        ),
        {"org": org_id},
    ).all()
    return [StoredCredential(r[0], r[1], r[2], tuple(r[3]), r[4], r[5], r[6]) for r in rows]


def lock_all(session: Session) -> list[tuple[int, str, str]]:
    """(org_id, provider, ciphertext) of every row, locked until the transaction ends."""
    rows = session.execute(
        text("SELECT org_id, provider, ciphertext FROM credentials ORDER BY org_id, provider FOR UPDATE")
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def store_rotated(session: Session, org_id: int, provider: str, ciphertext: str, key_id: str) -> None:
    session.execute(
        text(
            "UPDATE credentials SET ciphertext = :ciphertext, key_id = :key_id, rotated_at = now() "
            "WHERE org_id = :org AND provider = :provider"
        ),
        {"ciphertext": ciphertext, "key_id": key_id, "org": org_id, "provider": provider},
    )


def delete(session: Session, org_id: int, provider: str) -> bool:
    result = session.execute(
        text("DELETE FROM credentials WHERE org_id = :org AND provider = :provider RETURNING 1"),
        {"org": org_id, "provider": provider},
    )
    return result.first() is not None


def org_id_by_slug(session: Session, slug: str) -> int | None:
    value = session.execute(text("SELECT id FROM organizations WHERE slug = :slug"), {"slug": slug}).scalar()
    return int(value) if value is not None else None
