"""Conversations, keyed server-side: the verified identity bound to each, and the follow-up context.

A conversation is found by the caller's credential plus Open WebUI's chat id (header) or the client's
`chat_id`/`conversation_id`; without either, by the first user message and the first reply (a reply to
a connector starts with a random reference, so two people who open with the same words never share
one). The last answer's context (its reading, or a clarify's choices) is kept in process; the conversation
row keeps the last question, from which another process rebuilds it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from racehub.ask.conversation import Context


@dataclass(frozen=True)
class ConversationRef:
    id: int
    user_id: int | None
    org_id: int | None
    verified_via: str | None
    last_question: str | None
    last_asked_on: date | None


def _norm(value: str) -> str:
    return " ".join(value.split())


def conversation_key(credential: str, chat_id: str | None, first_user: str, first_reply: str | None) -> str:
    if chat_id:
        basis = f"{credential}\x00chat\x00{chat_id.strip()}"
    else:
        basis = f"{credential}\x00first\x00{_norm(first_user)}\x00{_norm(first_reply or '')}"
    return hashlib.sha256(basis.encode()).hexdigest()


def open_conversation(session: Session, key_hash: str) -> ConversationRef:
    row = session.execute(
        text(
            """
            INSERT INTO chat_conversations (key_hash) VALUES (:k)
            ON CONFLICT (key_hash) DO UPDATE SET updated_at = now()
            RETURNING id, user_id, org_id, verified_via, last_question, last_asked_on
            """
        ),
        {"k": key_hash},
    ).one()
    return ConversationRef(*row)


def bind_identity(session: Session, conversation_id: int, user_id: int, org_id: int, via: str) -> None:
    session.execute(
        text(
            "UPDATE chat_conversations SET user_id = :u, org_id = :o, verified_via = :v, verified_at = :t, "
            "last_question = NULL, last_asked_on = NULL WHERE id = :id"
        ),
        {"u": user_id, "o": org_id, "v": via, "t": datetime.now(UTC), "id": conversation_id},
    )


def remember_question(session: Session, conversation_id: int, question: str, day: date) -> None:
    session.execute(
        text("UPDATE chat_conversations SET last_question = :q, last_asked_on = :d WHERE id = :id"),
        {"q": question, "d": day, "id": conversation_id},
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


class ContextMemory:
    """The last answer's context in recent conversations, per tenant (a new identity starts without one)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, int | None], Context] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: int, org_id: int | None) -> Context | None:
        with self._lock:
            intent = self._items.get((conversation_id, org_id))
            if intent is not None:
                self._items.move_to_end((conversation_id, org_id))
            return intent

    def put(self, conversation_id: int, org_id: int | None, intent: Context) -> None:
        with self._lock:
            self._items[(conversation_id, org_id)] = intent
            self._items.move_to_end((conversation_id, org_id))
            while len(self._items) > self.size:
                self._items.popitem(last=False)
