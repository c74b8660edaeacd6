"""Recording and reading the audit log: who did what, when, through which door, with what result.

Records of identity events are written in a transaction of their own, as the platform role: a failed
login must stay on record although its request fails, and it may name no tenant at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from racehub.audit import repository
from racehub.audit.repository import AuditRow
from racehub.db import Database, Scope
from racehub.errors import InvalidInput

MAX_TEXT = 4000


@dataclass(frozen=True)
class Actor:
    """Who acted: the verified user (when there is one), how they came in and from where."""

    user_id: int | None = None
    org_id: int | None = None
    name: str | None = None  # their email, or the account they claimed to be
    via: str | None = None  # api_key | session | openwebui | chat_login | cli
    client_addr: str | None = None


def _clip(value: str | None) -> str | None:
    return value if value is None or len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


# What the log records: logins and login challenges, questions, workflow requests, erasures.
KINDS = ("login", "login.challenge", "question", "workflow", "erasure")


def _values(kind: str, outcome: str, actor: Actor, **fields: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "outcome": outcome,
        "user_id": actor.user_id,
        "org_id": actor.org_id,
        "actor": _clip(actor.name),
        "via": actor.via,
        "client_addr": actor.client_addr,
        "subject": _clip(fields.get("subject")),
        "sql": _clip(fields.get("sql")),
        "row_count": fields.get("row_count"),
        "elapsed_ms": fields.get("elapsed_ms"),
        "detail": fields.get("detail"),
    }


def record(database: Database, kind: str, outcome: str, actor: Actor, **fields: Any) -> None:
    """Append one entry in a transaction of its own."""
    with database.session(Scope.operator()) as session:
        repository.add(session, _values(kind, outcome, actor, **fields))


def record_login(
    database: Database, *, ok: bool, actor: Actor, method: str, claim: str | None = None
) -> None:
    record(database, "login", "ok" if ok else "failed", actor, subject=claim, detail={"method": method})


def record_challenge(database: Database, *, actor: Actor, claim: str, method: str) -> None:
    record(database, "login.challenge", "issued", actor, subject=claim, detail={"method": method})


def record_question(
    database: Database,
    *,
    actor: Actor,
    question: str,
    status: str,
    sql: str | None,
    row_count: int,
    elapsed_ms: float,
    engine: str | None = None,
) -> None:
    record(
        database,
        "question",
        status,
        actor,
        subject=question,
        sql=sql,
        row_count=row_count,
        elapsed_ms=round(elapsed_ms, 1),
        detail={"engine": engine} if engine else None,
    )


def record_workflow_request(
    target: Session | Database,
    *,
    actor: Actor,
    workflow: str,
    outcome: str,
    arguments: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    """Record a workflow request ("score Boston Marathon in Copernico") and its result.

    Given a Session, the entry joins that transaction (it commits or rolls back with the request; a
    tenant's session may only record its own tenant). Given a Database, it commits on its own.
    """
    values = _values(
        "workflow",
        outcome,
        actor,
        subject=workflow,
        detail={"arguments": arguments or {}, "result": result or {}},
    )
    if isinstance(target, Database):
        with target.session(Scope.operator()) as session:
            repository.add(session, values)
    else:
        repository.add(target, values)


def record_erasure(
    session: Session,
    actor: Actor,
    *,
    org_id: int,
    what: str,
    removed: dict[str, int],
    redacted: dict[str, int],
) -> None:
    """Record an erasure in its transaction: what was erased, by id, and counts; never a name."""
    values = _values("erasure", "ok", actor, subject=what, detail={"removed": removed, "redacted": redacted})
    repository.add(session, {**values, "org_id": org_id})


def record_edit(
    session: Session, actor: Actor, *, org_id: int | None, what: str, detail: dict[str, Any]
) -> None:
    """Record a manual correction of race data in its transaction: ids and field names, never values
    that name a person."""
    repository.add(session, {**_values("edit", "ok", actor, subject=what, detail=detail), "org_id": org_id})


def list_entries(
    database: Database,
    *,
    user: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
) -> list[AuditRow]:
    """Entries for the platform operator, newest first; `kind` is one of KINDS ("login" takes in
    "login.challenge" too)."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"unknown audit kind {kind!r}; expected one of {', '.join(KINDS)}")
    with database.session(Scope.operator()) as session:
        return repository.entries(session, user=user, kind=kind, since=since, limit=limit)
