"""Conversations, keyed server-side: the verified identity bound to each, and the follow-up context.

A conversation is found by the caller's credential plus Open WebUI's chat id (header) or the client's
`chat_id`/`conversation_id`. A connector's conversation (Open WebUI) also has a secret: the first reply
carries it in a markdown comment the person never sees rendered, every later request brings it back in
the history, and only a request that does may act as the person who signed in there. Without a chat id a
connector's conversation is found by that secret alone; an API key's or session's by its first user
message and first reply (their identity comes from the credential, not the conversation).

The last answer's context (its reading, or a clarify's choices) is kept in process; the conversation
row keeps the last question, from which another process rebuilds it.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict

from racehub.ask.conversation import Context
from racehub.auth.tokens import token_hash

# A CommonMark link reference definition: parsed, never rendered.
_SECRET_MARK = re.compile(r"^\[//\]: # \(racehub:(?P<secret>[A-Za-z0-9_-]{20,64})\)\s*$", re.MULTILINE)


def _norm(value: str) -> str:
    return " ".join(value.split())


def conversation_key(credential: str, chat_id: str | None, first_user: str, first_reply: str | None) -> str:
    if chat_id:
        basis = f"{credential}\x00chat\x00{chat_id.strip()}"
    else:
        basis = f"{credential}\x00first\x00{_norm(first_user)}\x00{_norm(first_reply or '')}"
    return token_hash(basis)


def secret_key(credential: str, secret: str) -> str:
    """The key of a connector conversation found by its secret alone (no chat id)."""
    return token_hash(f"{credential}\x00secret\x00{secret}")


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def secret_mark(secret: str) -> str:
    """The line that carries a conversation's secret in a reply, invisible once rendered."""
    return f"\n\n[//]: # (racehub:{secret})"


def find_secret(replies: list[str]) -> str | None:
    """The secret an earlier reply of this conversation carried (the first one found)."""
    for reply in replies:
        found = _SECRET_MARK.search(reply)
        if found:
            return found.group("secret")
    return None


def strip_secret(text: str) -> str:
    return _SECRET_MARK.sub("", text).rstrip()


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

    def forget(self, conversation_id: int) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == conversation_id]:
                del self._items[key]
