"""Bearer secrets RaceHub hands out (API keys, web sessions, login challenges): how they are made and
how they are stored (only as a hash)."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "rh_"  # API keys (user and connector)
SESSION_PREFIX = "rhs_"  # web page sessions


def new_token(prefix: str = "", random_bytes: int = 24) -> str:
    """A fresh bearer secret: `prefix` and `random_bytes` of randomness, URL-safe."""
    return f"{prefix}{secrets.token_urlsafe(random_bytes)}"


def token_hash(token: str) -> str:
    """What is stored of a token (the one hash for keys, sessions, challenges, conversation secrets and
    rate-limit subjects). Tokens carry 190+ random bits, so a fast hash already makes the stored value
    useless to a reader of the database; a slow one (argon2) is for passwords and short codes."""
    return hashlib.sha256(token.encode()).hexdigest()
