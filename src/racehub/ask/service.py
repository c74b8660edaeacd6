"""Answering for a caller: the engine's answer plus the audit entry every question leaves."""

from __future__ import annotations

from datetime import date

from racehub.ask.answer import Answer
from racehub.ask.engine import AskEngine
from racehub.audit import service as audit
from racehub.auth.callers import Caller


def answer_for(
    engine: AskEngine,
    caller: Caller,
    question: str,
    today: date | None,
    *,
    via: str,
    client_addr: str | None = None,
) -> Answer:
    """Answer as the caller's tenant and record who asked what, the SQL and the row count."""
    answer = engine.ask(question, scope=caller.scope, today=today)
    audit.record_question(
        engine.database,
        actor=caller.actor(via, client_addr),
        question=question,
        status=answer.status,
        sql=answer.sql,
        row_count=len(answer.rows) if answer.status == "answered" else 0,
        elapsed_ms=answer.elapsed_ms,
        engine=answer.engine,
    )
    return answer
