"""Fixed-window rate limits kept in PostgreSQL, so every server process counts the same attempts.

A hit is counted in a transaction of its own that commits before the caller learns the verdict: a
failed login attempt must stay counted even though the request that made it fails.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy.orm import Session

from racehub.auth import login_repository as repository
from racehub.auth.tokens import token_hash
from racehub.db import Database, Scope
from racehub.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    """At most `max_hits` in `window_s` seconds for one bucket."""

    name: str
    max_hits: int
    window_s: int


def bucket_name(limit: Limit, subject: str) -> str:
    # Hashed: buckets are keyed by emails and addresses, which need not sit in the table in clear.
    return f"{limit.name}:{token_hash(subject.strip().lower())[:32]}"


def hit(session: Session, limit: Limit, subject: str) -> int | None:
    """Count one hit; the seconds until the window ends when the limit is now exceeded, else None."""
    hits, remaining = repository.count_hit(session, bucket_name(limit, subject), limit.window_s)
    if random.random() < 0.01:
        repository.drop_old_buckets(session)
    return max(remaining, 1) if hits > limit.max_hits else None


def enforce(database: Database, checks: list[tuple[Limit, str]]) -> None:
    """Count a hit in every bucket (committed), then raise RateLimited (429) if any is over its limit."""
    retry_after: int | None = None
    with database.session(Scope.operator()) as session:
        for limit, subject in checks:
            wait = hit(session, limit, subject)
            if wait is not None:
                retry_after = max(retry_after or 0, wait)
    if retry_after is not None:
        raise RateLimited(f"too many login attempts; try again in {retry_after} s", retry_after)
