"""All SQL of chat: conversations, their bound identity and the last question asked in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ConversationRow:
    id: int
    user_id: int | None
    org_id: int | None
    verified_via: str | None
    verified_at: datetime | None
    last_seen_at: datetime | None
    secret_hash: str | None
    last_question: str | None
    last_asked_on: date | None


_COLUMNS = (
    "id, user_id, org_id, verified_via, verified_at, last_seen_at, secret_hash, last_question, last_asked_on"
)


_UNBOUND = (
    "user_id = NULL, org_id = NULL, verified_via = NULL, verified_at = NULL, last_seen_at = NULL, "
    "last_question = NULL, last_asked_on = NULL"
)


def open_conversation(session: Session, key_hash: str, secret_hash: str | None) -> ConversationRow:
    """The conversation with this key, created (with its secret's hash) when there is none."""
    row = session.execute(
        text(
            f"""
            INSERT INTO chat_conversations (key_hash, secret_hash) VALUES (:k, :s)
            ON CONFLICT (key_hash) DO UPDATE SET updated_at = now()
            RETURNING {_COLUMNS}
            """
        ),
        {"k": key_hash, "s": secret_hash},
    ).one()
    return ConversationRow(*row)


def restart(session: Session, conversation_id: int, secret_hash: str) -> None:
    """A new secret and no bound identity: whoever continues without the old secret starts afresh."""
    session.execute(
        text(f"UPDATE chat_conversations SET secret_hash = :s, {_UNBOUND} WHERE id = :id"),
        {"s": secret_hash, "id": conversation_id},
    )


def bind_identity(session: Session, conversation_id: int, user_id: int, org_id: int, via: str) -> None:
    session.execute(
        text(
            "UPDATE chat_conversations SET user_id = :u, org_id = :o, verified_via = :v, "
            "verified_at = now(), last_seen_at = now(), last_question = NULL, last_asked_on = NULL "
            "WHERE id = :id"
        ),
        {"u": user_id, "o": org_id, "v": via, "id": conversation_id},
    )


def unbind(session: Session, conversation_id: int) -> None:
    session.execute(
        text(f"UPDATE chat_conversations SET {_UNBOUND} WHERE id = :id"),
        {"id": conversation_id},
    )


def seen(session: Session, conversation_id: int) -> None:
    session.execute(
        text("UPDATE chat_conversations SET last_seen_at = now() WHERE id = :id"), {"id": conversation_id}
    )


def remember_question(
    session: Session, conversation_id: int, user_id: int, org_id: int, via: str, question: str, day: date
) -> None:
    """Keep the last question (to rebuild follow-ups elsewhere) in the tenant it was asked for: the
    conversation belongs to that tenant, so an erasure there reaches it."""
    session.execute(
        text(
            "UPDATE chat_conversations SET last_question = :q, last_asked_on = :d, org_id = :o, "
            "user_id = :u, verified_via = coalesce(verified_via, :v) WHERE id = :id"
        ),
        {"q": question, "d": day, "o": org_id, "u": user_id, "v": via, "id": conversation_id},
    )


def rekey(session: Session, conversation_id: int, key_hash: str) -> None:
    """Key the conversation by its first exchange from now on (unless another already has that key)."""
    session.execute(
        text(
            "UPDATE chat_conversations SET key_hash = :k WHERE id = :id "
            "AND NOT EXISTS (SELECT 1 FROM chat_conversations WHERE key_hash = :k)"
        ),
        {"k": key_hash, "id": conversation_id},
    )
