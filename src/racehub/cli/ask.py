"""`racehub ask`: questions in plain English, one at a time or as JSON lines."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from racehub.ask.answer import Answer
from racehub.ask.engine import AskEngine, engine_for
from racehub.auth import service as auth
from racehub.auth.service import acting_owner, scope_for_owner
from racehub.cli.common import console, database, fails_cleanly
from racehub.config import get_settings
from racehub.db import Database, Scope
from racehub.errors import Forbidden, InvalidInput, UserNotFound


def _scope_for(db: Database, email: str | None) -> Scope:
    if email is None:
        return Scope.operator()
    with db.session(Scope.operator()) as session:
        owner = acting_owner(session, email)
        if owner is None:
            known = auth.user_by_email(session, email) is not None
            raise (
                Forbidden(f"{email} belongs to no organization")
                if known
                else UserNotFound(f"no user with email {email!r}")
            )
    return scope_for_owner(owner)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--today must be YYYY-MM-DD, got {value!r}") from None


def _show(answer: Answer) -> None:
    style = {"answered": "green", "clarify": "yellow", "refused": "red"}.get(answer.status, "white")
    if answer.interpretation:
        console.print(f"[dim]Read as: {escape(answer.interpretation)}[/dim]")
    console.print(Panel(escape(answer.answer), title=answer.status, border_style=style))
    if answer.rows:
        table = Table(*answer.columns)
        for row in answer.rows[:50]:
            table.add_row(*["" if v is None else str(v) for v in row])
        console.print(table)
    if answer.sql:
        console.print(Syntax(answer.sql, "sql", word_wrap=True))
    for f in answer.files:
        console.print(f"file: {f.get('path') or f.get('url')}")


def _jsonl(engine: AskEngine, scope: Scope, default_today: date | None) -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        out: dict[str, object]
        item: Any = None  # this line's own: a bad line must not inherit the previous line's id
        try:
            item = json.loads(line)
            question = str(item["question"])
            today = _parse_day(item.get("today")) or default_today
        except (ValueError, KeyError, TypeError, InvalidInput) as exc:
            out = {
                "status": "unanswerable",
                "answer": f"bad input line: {exc}",
                "columns": [],
                "rows": [],
                "sql": None,
                "engine": "parser",
                "files": [],
            }
        else:
            answer = engine.ask(question, scope=scope, today=today, with_paths=True)
            out = answer.to_dict()
        if isinstance(item, dict) and "id" in item:
            out = {"id": item["id"], **out}
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        sys.stdout.flush()


@fails_cleanly
def ask(
    question: str | None = typer.Argument(None, help="the question (omit with --jsonl)"),
    as_json: bool = typer.Option(False, "--json", help="print the answer object as JSON"),
    jsonl: bool = typer.Option(False, "--jsonl", help="answer JSON lines {id, question, today} from stdin"),
    today: str | None = typer.Option(None, help="reference date YYYY-MM-DD for 'last year', 'upcoming'"),
    as_user: str | None = typer.Option(None, "--as", help="answer as this user (their tenant only)"),
) -> None:
    """Answer a question about race data: the figure, the table behind it and the SQL."""
    db = database()
    settings = get_settings()
    engine = engine_for(db, settings)
    scope = _scope_for(db, as_user)
    day = _parse_day(today)
    if jsonl:
        _jsonl(engine, scope, day)
        return
    if not question:
        raise InvalidInput("give a question, or --jsonl to read questions from stdin")
    answer = engine.ask(question, scope=scope, today=day, with_paths=True)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), default=str))
    else:
        _show(answer)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
