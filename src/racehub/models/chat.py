"""Chat identity: conversations, login challenges and sessions, rate limits, the outbox and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from racehub.models.base import Base


class ChatConversation(Base):
    __tablename__ = "chat_conversations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key_hash: Mapped[str] = mapped_column(Text, unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    verified_via: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    secret_hash: Mapped[str | None] = mapped_column(Text)
    last_question: Mapped[str | None] = mapped_column(Text)
    last_asked_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(server_default="now()")
    updated_at: Mapped[datetime] = mapped_column(server_default="now()")


class LoginChallenge(Base):
    __tablename__ = "login_challenges"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("chat_conversations.id"))
    method: Mapped[str] = mapped_column(Text)
    account_key: Mapped[str] = mapped_column(Text)
    client_addr: Mapped[str | None] = mapped_column(Text)
    pending_question: Mapped[str | None] = mapped_column(Text)
    # An Open WebUI account (its `sub`) to link to the user the code proves, once it passes.
    openwebui_sub: Mapped[str | None] = mapped_column(Text)
    claimed: Mapped[str | None] = mapped_column(Text)  # who the claim said, as the audit shows it
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(server_default="now()")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginChallengeTarget(Base):
    __tablename__ = "login_challenge_targets"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("login_challenges.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    code_hash: Mapped[str | None] = mapped_column(Text)


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    via: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default="now()")
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class RateLimitBucket(Base):
    __tablename__ = "rate_limits"

    bucket: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[datetime]
    hits: Mapped[int]


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    to_address: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default="now()")
    sent_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default="now()")
    kind: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    actor: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str | None] = mapped_column(Text)
    client_addr: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    sql: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int | None]
    elapsed_ms: Mapped[float | None]
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
