"""All SQL of identity: users, memberships, API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from racehub.models import ApiKey, Membership, Organization, User


@dataclass(frozen=True)
class KeyOwner:
    """Who an API key acts for."""

    user_id: int
    email: str
    name: str
    org_id: int | None
    role: str | None
    is_operator: bool


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).one_or_none()


def org_by_slug(session: Session, slug: str) -> Organization | None:
    return session.scalars(select(Organization).where(Organization.slug == slug)).one_or_none()


def add_user(session: Session, email: str, name: str, password_hash: str | None, is_operator: bool) -> User:
    user = User(email=email, name=name, password_hash=password_hash, is_operator=is_operator)
    session.add(user)
    session.flush()
    return user


def set_membership(session: Session, user_id: int, org_id: int, role: str) -> None:
    existing = session.get(Membership, (user_id, org_id))
    if existing is None:
        session.add(Membership(user_id=user_id, org_id=org_id, role=role))
    else:
        existing.role = role
    session.flush()


def memberships(session: Session, user_id: int) -> list[tuple[int, str]]:
    rows = session.execute(
        text("SELECT org_id, role FROM memberships WHERE user_id = :u ORDER BY org_id"), {"u": user_id}
    ).all()
    return [(r[0], r[1]) for r in rows]


def add_api_key(
    session: Session,
    user_id: int,
    org_id: int | None,
    prefix: str,
    key_hash: str,
    label: str | None,
    expires_at: datetime | None = None,
) -> ApiKey:
    key = ApiKey(
        user_id=user_id, org_id=org_id, prefix=prefix, key_hash=key_hash, label=label, expires_at=expires_at
    )
    session.add(key)
    session.flush()
    return key


# `last_used_at` is stamped at most this often: a write (and a row lock) on every request would cost
# more than the request itself under load.
KEY_USE_STAMP_INTERVAL = "5 minutes"


def key_owner(session: Session, key_hash: str) -> KeyOwner | None:
    row = session.execute(
        text(
            f"""
            WITH found AS (
                SELECT k.id, k.org_id, k.last_used_at, u.id AS user_id, u.email, u.name, u.is_operator
                FROM api_keys k JOIN users u ON u.id = k.user_id
                WHERE k.key_hash = :h AND k.revoked_at IS NULL
                  AND (k.expires_at IS NULL OR k.expires_at > now())),
            stamped AS (
                UPDATE api_keys k SET last_used_at = now() FROM found f
                WHERE k.id = f.id AND k.revoked_at IS NULL AND (f.last_used_at IS NULL
                    OR f.last_used_at < now() - interval '{KEY_USE_STAMP_INTERVAL}')
                RETURNING k.id)
            SELECT f.user_id, f.email, f.name, f.org_id, f.is_operator,
                (SELECT m.role FROM memberships m WHERE m.user_id = f.user_id AND m.org_id = f.org_id)
            FROM found f
            """
        ),
        {"h": key_hash},
    ).one_or_none()
    if row is None:
        return None
    return KeyOwner(row[0], row[1], row[2], row[3], row[5], row[4])


def revoke_keys(session: Session, user_id: int, org_id: int | None = None) -> int:
    """Revoke a user's live keys (those of one organization when `org_id` is given); how many."""
    revoked = session.execute(
        text(
            "UPDATE api_keys SET revoked_at = now() WHERE user_id = :u AND revoked_at IS NULL "
            "AND (CAST(:o AS bigint) IS NULL OR org_id = :o) RETURNING id"
        ),
        {"u": user_id, "o": org_id},
    ).all()
    return len(revoked)


@dataclass(frozen=True)
class KeyRow:
    """An API key as listed: never its value, which is stored only as a hash."""

    id: int
    prefix: str
    kind: str
    label: str | None
    user_email: str | None
    org_slug: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


def keys(
    session: Session, *, org_id: int | None = None, user_id: int | None = None, include_revoked: bool = False
) -> list[KeyRow]:
    rows = session.execute(
        text(
            """
            SELECT k.id, k.prefix, k.kind, k.label, u.email, o.slug, k.created_at, k.last_used_at,
                   k.expires_at, k.revoked_at
            FROM api_keys k LEFT JOIN users u ON u.id = k.user_id LEFT JOIN organizations o ON o.id = k.org_id
            WHERE (CAST(:o AS bigint) IS NULL OR k.org_id = :o)
              AND (CAST(:u AS bigint) IS NULL OR k.user_id = :u)
              AND (:all OR k.revoked_at IS NULL)
            ORDER BY k.created_at DESC, k.id DESC
            """
        ),
        {"o": org_id, "u": user_id, "all": include_revoked},
    ).all()
    return [KeyRow(*row) for row in rows]


def revoke_key(session: Session, key_id: int, org_id: int | None) -> KeyRow | None:
    """Revoke one key (of organization `org_id` only, when given); None when there is no such key."""
    found = session.execute(
        text(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
            "WHERE id = :k AND (CAST(:o AS bigint) IS NULL OR org_id = :o) RETURNING id"
        ),
        {"k": key_id, "o": org_id},
    ).scalar()
    if found is None:
        return None
    return next((k for k in keys(session, include_revoked=True) if k.id == key_id), None)


@dataclass(frozen=True)
class MemberRow:
    """A user with one of their memberships (no organization for a platform operator without one)."""

    user_id: int
    email: str
    name: str
    org_slug: str | None
    role: str | None
    is_operator: bool
    has_password: bool
    live_keys: int
    created_at: datetime


def members(session: Session, org_id: int | None = None) -> list[MemberRow]:
    rows = session.execute(
        text(
            """
            SELECT u.id, u.email, u.name, o.slug, m.role, u.is_operator, u.password_hash IS NOT NULL,
                   (SELECT count(*) FROM api_keys k WHERE k.user_id = u.id AND k.revoked_at IS NULL
                      AND (k.expires_at IS NULL OR k.expires_at > now())
                      AND (m.org_id IS NULL OR k.org_id = m.org_id)),
                   u.created_at
            FROM users u LEFT JOIN memberships m ON m.user_id = u.id
                 LEFT JOIN organizations o ON o.id = m.org_id
            WHERE CAST(:o AS bigint) IS NULL OR m.org_id = :o
            ORDER BY o.slug NULLS FIRST, lower(u.email)
            """
        ),
        {"o": org_id},
    ).all()
    return [MemberRow(*row) for row in rows]


def remove_membership(session: Session, user_id: int, org_id: int) -> bool:
    gone = session.execute(
        text("DELETE FROM memberships WHERE user_id = :u AND org_id = :o RETURNING user_id"),
        {"u": user_id, "o": org_id},
    ).all()
    return bool(gone)


def delete_user(session: Session, user_id: int) -> None:
    """The user row; memberships, keys and login sessions go with it (their foreign keys cascade),
    audit rows and workflow runs keep their text and lose the link."""
    session.execute(text("DELETE FROM users WHERE id = :u"), {"u": user_id})


def organizations(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.id)).all())


def add_connector_key(session: Session, prefix: str, key_hash: str, label: str | None) -> int:
    """A key that names no user and no tenant (chat connectors such as Open WebUI)."""
    return int(
        session.execute(
            text(
                "INSERT INTO api_keys (user_id, org_id, prefix, key_hash, label, kind) "
                "VALUES (NULL, NULL, :p, :h, :l, 'connector') RETURNING id"
            ),
            {"p": prefix, "h": key_hash, "l": label},
        ).scalar_one()
    )


def connector_key_id(session: Session, key_hash: str) -> int | None:
    """The id of a live connector key with this hash (stamping its use), None for any other key."""
    found = session.execute(
        text(
            "UPDATE api_keys SET last_used_at = now() "
            "WHERE key_hash = :h AND kind = 'connector' AND revoked_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > now()) RETURNING id"
        ),
        {"h": key_hash},
    ).scalar()
    return int(found) if found is not None else None
