"""Login sessions of the web page: a short-lived bearer token (`rhs_...`) issued after a passed challenge.

Tokens are random and stored as SHA-256 hashes, like API keys; a session acts for one user in one
organization and ends when it expires or is revoked (log out).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.auth.repository import KeyOwner
from racehub.auth.tokens import new_token, token_hash
from racehub.models import LoginSession

SESSION_PREFIX = "rhs_"


_hash = token_hash


def create_session(
    session: Session, *, user_id: int, org_id: int | None, via: str, ttl_s: int
) -> tuple[str, datetime]:
    """A new session token (returned once) and when it expires."""
    token = new_token(SESSION_PREFIX, 32)
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl_s)
    session.add(
        LoginSession(token_hash=_hash(token), user_id=user_id, org_id=org_id, via=via, expires_at=expires_at)
    )
    session.flush()
    return token, expires_at


def session_owner(session: Session, token: str) -> tuple[int, KeyOwner] | None:
    """The session id and who it acts for; None when unknown, expired or revoked."""
    if not token.startswith(SESSION_PREFIX):
        return None
    row = session.execute(
        text(
            """
            SELECT s.id, u.id, u.email, u.name, s.org_id, u.is_operator,
                   (SELECT m.role FROM memberships m WHERE m.user_id = u.id AND m.org_id = s.org_id)
            FROM login_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = :h AND s.revoked_at IS NULL AND s.expires_at > now()
            """
        ),
        {"h": _hash(token)},
    ).one_or_none()
    if row is None:
        return None
    return int(row[0]), KeyOwner(row[1], row[2], row[3], row[4], row[6], row[5])


def revoke_session(session: Session, token: str) -> bool:
    revoked = session.execute(
        text(
            "UPDATE login_sessions SET revoked_at = now() "
            "WHERE token_hash = :h AND revoked_at IS NULL RETURNING id"
        ),
        {"h": _hash(token)},
    ).first()
    return revoked is not None
