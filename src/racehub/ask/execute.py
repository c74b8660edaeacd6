"""Running SQL for an answer: read-only, as the asking tenant's reader role, bounded in time and size."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, bindparam, text
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import TypeEngine

from racehub.db import Database, Scope
from racehub.db.engine import READER_ROLE
from racehub.errors import RaceHubError
from racehub.timefmt import format_ms

WORK_MEM = "64MB"


class QueryFailed(RaceHubError):
    status = 422


class QueryTimeout(QueryFailed):
    status = 504


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


def _sql_type(value: Any) -> TypeEngine[Any]:
    sample = value[0] if isinstance(value, list | tuple) and value else value
    if isinstance(sample, bool):
        return Boolean()
    if isinstance(sample, int):
        return Integer()
    if isinstance(sample, float):
        return Float()
    return String()


# What SQLAlchemy's text() reads as a bind parameter (its own pattern): `:name` not after `:`, a word
# character or a backslash.
_BIND = re.compile(r"(?<![:\w\\]):(?=\w)")


def statement(sql: str, params: dict[str, Any]) -> TextClause:
    """A text statement whose parameters carry types (lists expand to IN lists). Without parameters
    every colon is literal: generated SQL may hold `':b'` in a string, which is text, not a parameter."""
    if not params:
        return text(_BIND.sub(r"\\:", sql))
    binds = [
        bindparam(k, type_=_sql_type(v), expanding=isinstance(v, list | tuple)) for k, v in params.items()
    ]
    return text(sql).bindparams(*binds)


# SQLAlchemy's dialect constructors carry no annotations.
_POSTGRESQL = PGDialect()  # type: ignore[no-untyped-call]


def render_sql(sql: str, params: dict[str, Any]) -> str:
    """The statement with its parameters written in, for people to read and re-run."""
    stmt = statement(sql, params).bindparams(**params)
    compiled = stmt.compile(dialect=_POSTGRESQL, compile_kwargs={"literal_binds": True})
    return str(compiled)


def run_readonly(
    database: Database,
    scope: Scope,
    sql: str,
    params: dict[str, Any],
    *,
    timeout_ms: int,
    max_rows: int,
    max_bytes: int,
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    """Execute one SELECT in a read-only transaction scoped to `scope`'s tenant; never commits."""
    token = secrets.token_hex(16)
    with database.engine.connect() as conn:
        tx = conn.begin()
        try:
            # One round trip: the grant row, then role, read-only mode and timeout for this transaction only.
            # Memory enough to rank a series' every finisher (200k rows) without spilling to disk.
            conn.execute(
                text(
                    "WITH g AS (INSERT INTO tenant_grants (token, org_id, all_orgs) VALUES (:t, :o, :a)) "
                    "SELECT set_config('app.grant_token', :t, true), "
                    "set_config('statement_timeout', :ms, true), "
                    f"set_config('work_mem', '{WORK_MEM}', true), "
                    "set_config('transaction_read_only', 'on', true), "
                    f"set_config('role', '{READER_ROLE}', true)"
                ),
                {"t": token, "o": scope.org_id, "a": scope.platform, "ms": str(int(timeout_ms))},
            )
            result = conn.execute(statement(sql, params), params)
            columns = list(result.keys())
            rows = result.fetchmany(max_rows + 1)
        except StatementError as exc:
            tx.rollback()
            if not isinstance(exc, DBAPIError):  # refused before it reached the server
                raise QueryFailed(f"the query could not be run: {type(exc).__name__}") from None
            message = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            if "statement timeout" in message or "canceling statement" in message:
                raise QueryTimeout(f"the query took longer than {timeout_ms} ms and was stopped") from None
            raise QueryFailed(f"the query failed: {message}") from None
        else:
            tx.rollback()  # the grant row and anything else vanish with the transaction
    truncated = len(rows) > max_rows
    kept: list[tuple[Any, ...]] = []
    size = 0
    for row in rows[:max_rows]:
        size += len(json.dumps([jsonable(v) for v in row], default=str))
        if size > max_bytes:
            truncated = True
            break
        kept.append(tuple(row))
    return columns, kept, truncated


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def present(columns: list[str], rows: list[tuple[Any, ...]]) -> Table:
    """Columns ending in `_ms` become readable times (`H:MM:SS.t`), paces `M:SS`."""
    out_cols = []
    kinds: list[str | None] = []
    for c in columns:
        if c.endswith("_ms"):
            out_cols.append(c[:-3])
            kinds.append("pace" if "pace" in c else "time")
        else:
            out_cols.append(c)
            kinds.append(None)
    out_rows = []
    for row in rows:
        cells: list[Any] = []
        for value, kind in zip(row, kinds, strict=True):
            if kind == "time" and value is not None:
                cells.append(format_ms(float(value)))
            elif kind == "pace" and value is not None:
                sec = round(float(value) / 1000)
                cells.append(f"{sec // 60}:{sec % 60:02d}")
            else:
                v = jsonable(value)
                cells.append(round(v, 2) if isinstance(v, float) else v)
        out_rows.append(cells)
    return Table(out_cols, out_rows, False)
