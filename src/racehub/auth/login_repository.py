"""All SQL of logging in: challenges and their targets, web sessions, rate-limit buckets, the mail outbox,
the identities chat callers act as, and the Open WebUI accounts linked to RaceHub users.

These run before a tenant is known, as the platform role (`Scope.operator()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from racehub.auth.repository import KeyOwner
from racehub.models import LoginChallenge, LoginChallengeTarget, LoginSession, OutboxMessage

# ---------------------------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountRow:
    user_id: int
    email: str
    name: str
    org_id: int
    org_name: str


def accounts_by_email(session: Session, email: str) -> list[AccountRow]:
    """Each user with this email, with their first organization."""
    rows = session.execute(
        text(
            """
            SELECT DISTINCT ON (u.id) u.id, u.email, u.name, o.id, o.name
            FROM users u JOIN memberships m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id
            WHERE lower(u.email) = lower(:email) ORDER BY u.id, o.id
            """
        ),
        {"email": email.strip()},
    ).all()
    return [AccountRow(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def organizations(session: Session) -> list[tuple[int, str, str]]:
    """(id, slug, name) of every organization."""
    rows = session.execute(text("SELECT id, slug, name FROM organizations ORDER BY id")).all()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def members(session: Session, org_id: int) -> list[tuple[int, str, str]]:
    """(user id, email, name) of an organization's members."""
    rows = session.execute(
        text(
            "SELECT u.id, u.email, u.name FROM users u JOIN memberships m ON m.user_id = u.id "
            "WHERE m.org_id = :org ORDER BY u.id"
        ),
        {"org": org_id},
    ).all()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def org_name(session: Session, org_id: int) -> str | None:
    name = session.execute(text("SELECT name FROM organizations WHERE id = :o"), {"o": org_id}).scalar()
    return str(name) if name is not None else None


def member(session: Session, user_id: int, org_id: int) -> KeyOwner | None:
    """The user as a member of the organization, None when either or the membership is gone."""
    row = session.execute(
        text(
            "SELECT u.email, u.name, u.is_operator, m.role FROM users u "
            "JOIN memberships m ON m.user_id = u.id AND m.org_id = :o WHERE u.id = :u"
        ),
        {"u": user_id, "o": org_id},
    ).one_or_none()
    if row is None:
        return None
    return KeyOwner(user_id, row[0], row[1], org_id, row[3], row[2])


def first_membership(session: Session, user_id: int) -> tuple[int, str] | None:
    row = session.execute(
        text("SELECT org_id, role FROM memberships WHERE user_id = :u ORDER BY org_id LIMIT 1"),
        {"u": user_id},
    ).one_or_none()
    return (int(row[0]), str(row[1])) if row is not None else None


# ---------------------------------------------------------------------------------------------- challenges


@dataclass(frozen=True)
class TargetRow:
    user_id: int
    email: str
    name: str
    org_id: int
    org_name: str
    role: str
    code_hash: str | None
    password_hash: str | None


def add_challenge(session: Session, challenge: LoginChallenge) -> LoginChallenge:
    session.add(challenge)
    session.flush()
    return challenge


def add_target(session: Session, challenge_id: int, user_id: int, org_id: int, code_hash: str | None) -> None:
    session.add(
        LoginChallengeTarget(challenge_id=challenge_id, user_id=user_id, org_id=org_id, code_hash=code_hash)
    )
    session.flush()


def retire_open(session: Session, conversation_id: int, now: datetime) -> None:
    session.execute(
        update(LoginChallenge)
        .where(LoginChallenge.conversation_id == conversation_id, LoginChallenge.used_at.is_(None))
        .values(used_at=now)
    )


def forget_stale_questions(session: Session) -> None:
    """Questions asked with a login that has expired are nobody's to keep (they may name runners)."""
    session.execute(
        text(
            "UPDATE login_challenges SET pending_question = NULL "
            "WHERE pending_question IS NOT NULL AND expires_at < now() - interval '1 hour'"
        )
    )


def open_challenge(session: Session, conversation_id: int) -> LoginChallenge | None:
    """The conversation's newest challenge not yet used up (it may have expired), locked."""
    return session.scalars(
        select(LoginChallenge)
        .where(LoginChallenge.conversation_id == conversation_id, LoginChallenge.used_at.is_(None))
        .order_by(LoginChallenge.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


def challenge_by_token_hash(session: Session, token_hash: str) -> LoginChallenge | None:
    return session.scalars(
        select(LoginChallenge).where(LoginChallenge.token_hash == token_hash).with_for_update()
    ).one_or_none()


def targets(session: Session, challenge_id: int) -> list[TargetRow]:
    rows = session.execute(
        text(
            """
            SELECT t.user_id, u.email, u.name, t.org_id, o.name, m.role, t.code_hash, u.password_hash
            FROM login_challenge_targets t JOIN users u ON u.id = t.user_id
            JOIN organizations o ON o.id = t.org_id
            JOIN memberships m ON m.user_id = t.user_id AND m.org_id = t.org_id
            WHERE t.challenge_id = :c ORDER BY t.user_id
            """
        ),
        {"c": challenge_id},
    ).all()
    return [TargetRow(*row) for row in rows]


# ---------------------------------------------------------------------------------------------- sessions


def add_session(
    session: Session, token_hash: str, user_id: int, org_id: int | None, via: str, expires_at: datetime
) -> None:
    session.add(
        LoginSession(token_hash=token_hash, user_id=user_id, org_id=org_id, via=via, expires_at=expires_at)
    )
    session.flush()


def session_owner(session: Session, token_hash: str) -> tuple[int, KeyOwner] | None:
    """The session id and who it acts for; None when unknown, expired or revoked."""
    row = session.execute(
        text(
            """
            SELECT s.id, u.id, u.email, u.name, s.org_id, u.is_operator,
                   (SELECT m.role FROM memberships m WHERE m.user_id = u.id AND m.org_id = s.org_id)
            FROM login_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = :h AND s.revoked_at IS NULL AND s.expires_at > now()
            """
        ),
        {"h": token_hash},
    ).one_or_none()
    if row is None:
        return None
    return int(row[0]), KeyOwner(row[1], row[2], row[3], row[4], row[6], row[5])


def revoke_session(session: Session, token_hash: str) -> bool:
    revoked = session.execute(
        text(
            "UPDATE login_sessions SET revoked_at = now() "
            "WHERE token_hash = :h AND revoked_at IS NULL RETURNING id"
        ),
        {"h": token_hash},
    ).first()
    return revoked is not None


# ---------------------------------------------------------------------------------------------- rate limits


def count_hit(session: Session, bucket: str, window_s: int) -> tuple[int, int]:
    """Count one hit in a fixed window: (hits in the window, seconds until it ends)."""
    row = session.execute(
        text(
            """
            INSERT INTO rate_limits AS b (bucket, window_start, hits) VALUES (:bucket, now(), 1)
            ON CONFLICT (bucket) DO UPDATE SET
                hits = CASE WHEN b.window_start > now() - make_interval(secs => :window)
                            THEN b.hits + 1 ELSE 1 END,
                window_start = CASE WHEN b.window_start > now() - make_interval(secs => :window)
                                    THEN b.window_start ELSE now() END
            RETURNING hits,
                ceil(extract(epoch FROM b.window_start + make_interval(secs => :window) - now()))::int
            """
        ),
        {"bucket": bucket, "window": window_s},
    ).one()
    return int(row[0]), int(row[1])


def drop_old_buckets(session: Session) -> None:
    session.execute(text("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'"))


# ---------------------------------------------------------------------------------------------- outbox


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: datetime
    to: str
    subject: str
    body: str
    sent_at: datetime | None


def add_outbox(session: Session, to: str, subject: str, body: str) -> int:
    message = OutboxMessage(to_address=to, subject=subject, body=body)
    session.add(message)
    session.flush()
    return message.id


def outbox_message(session: Session, message_id: int) -> OutboxRow | None:
    """One message, locked while it is being sent."""
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    ).one_or_none()
    if message is None:
        return None
    return OutboxRow(
        message.id, message.created_at, message.to_address, message.subject, message.body, message.sent_at
    )


def mark_sent(session: Session, message_id: int) -> None:
    """Sent: the text (a login code) is not kept once it has left."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(sent_at=func.now(), subject="(sent)", body="(sent)")
    )


def outbox(session: Session, *, to: str | None = None, limit: int = 20) -> list[OutboxRow]:
    """The newest messages kept in the local outbox (newest first)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if to:
        query = query.where(func.lower(OutboxMessage.to_address) == to.strip().lower())
    return [
        OutboxRow(m.id, m.created_at, m.to_address, m.subject, m.body, m.sent_at)
        for m in session.scalars(query)
    ]


# ---------------------------------------------------------------------------------------------- Open WebUI


def linked_user(session: Session, issuer: str, sub: str) -> int | None:
    """The RaceHub user an Open WebUI account was linked to (by a passed code), None before."""
    found = session.execute(
        text("SELECT user_id FROM openwebui_links WHERE issuer = :i AND sub = :s"), {"i": issuer, "s": sub}
    ).scalar()
    return int(found) if found is not None else None


def link_openwebui(session: Session, issuer: str, sub: str, user_id: int) -> None:
    session.execute(
        text(
            "INSERT INTO openwebui_links (issuer, sub, user_id) VALUES (:i, :s, :u) "
            "ON CONFLICT (issuer, sub) DO UPDATE SET user_id = EXCLUDED.user_id, linked_at = now()"
        ),
        {"i": issuer, "s": sub, "u": user_id},
    )
