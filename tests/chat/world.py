"""The chat tests' world: the racedata-v1 bundle (Acme, Tidewater, Summit) plus people, keys and clients.

The bundle database is cloned once into a template that also holds the users and keys; every test then
gets its own copy of that template (a file copy, well under a second), so no test sees another's
challenges, rate-limit counts or audit rows.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql as pgsql
from sqlalchemy import text

from racehub.app import create_app
from racehub.auth.service import add_user, create_api_key, create_connector_key
from racehub.chat.conversations import strip_secret
from racehub.config import Settings
from racehub.db import Database, Scope
from tests.conftest import _create_database, _drop_database, _url_for

PASSWORD = "correct horse battery"
CODE_IN_MAIL = re.compile(r"login code is (\d{6})")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    org: str
    key: str


@dataclass(frozen=True)
class ChatWorld:
    john: Person  # John Carter, Acme Racing (owner)
    john_reed: Person  # a second John at Acme Racing (staff)
    maria: Person  # Maria Lopez, Tidewater Timing
    dave: Person  # Dave Kim, Summit Sports Timing (times the Boston Marathon)
    connector_key: str  # Open WebUI's key: no person, no tenant


PEOPLE = (
    ("john", "john@acmeracing.example", "John Carter", "acme-racing", "owner"),
    ("john_reed", "john.reed@acmeracing.example", "John Reed", "acme-racing", "staff"),
    ("maria", "maria@tidewatertiming.example", "Maria Lopez", "tidewater-timing", "owner"),
    ("dave", "dave@summittiming.example", "Dave Kim", "summit-sports-timing", "owner"),
)


def clone(admin_url: str, source: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # A template must have no other sessions: pooled connections of other fixtures are closed here.
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (source,))
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        conn.execute(
            pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                pgsql.Identifier(name), pgsql.Identifier(source)
            )
        )


@contextmanager
def world_template(
    admin_url: str, bundle_db: Database, settings: Settings, tag: str = "chat"
) -> Iterator[tuple[str, ChatWorld]]:
    """A copy of the bundle database with the chat world's people and keys (its name, and who is in it)."""
    source = bundle_db.owner_url.database
    assert source
    bundle_db.dispose()
    name = f"racehub_{tag}_tpl_{os.getpid()}"
    clone(admin_url, source, name)
    database = Database(settings, owner_url=_url_for(admin_url, name))
    people: dict[str, Person] = {}
    with database.session(Scope.operator()) as session:
        for handle, email, full_name, org, role in PEOPLE:
            add_user(session, email=email, name=full_name, org_slug=org, role=role, password=PASSWORD)
            people[handle] = Person(email, full_name, org, create_api_key(session, email=email, org_slug=org))
        connector = create_connector_key(session, label="openwebui")
    database.dispose()
    try:
        yield name, ChatWorld(connector_key=connector, **people)
    finally:
        _drop_database(admin_url, name)


@contextmanager
def copied_database(admin_url: str, template: str, settings: Settings, tag: str) -> Iterator[Database]:
    """A database of one test (or module) of its own, copied from the template."""
    name = f"racehub_chat_{tag}_{os.getpid()}"
    _create_database(admin_url, name, template=template)
    database = Database(settings, owner_url=_url_for(admin_url, name))
    try:
        yield database
    finally:
        database.dispose()
        _drop_database(admin_url, name)


def make_app(database: Database, settings: Settings) -> FastAPI:
    return create_app(database, settings)


def client_for(database: Database, settings: Settings, address: str = "203.0.113.7") -> TestClient:
    return TestClient(make_app(database, settings), raise_server_exceptions=True, client=(address, 50000))


# ---------------------------------------------------------------------------------------------- helpers


def bearer(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def chat(
    client: TestClient,
    key: str,
    *messages: str,
    chat_id: str | None = None,
    headers: dict[str, str] | None = None,
    stream: bool = False,
) -> Any:
    """POST /v1/chat/completions with alternating user/assistant messages (the last is the user's).

    With a `chat_id` and one message, the earlier turns of that chat on this client go first, as a real
    client sends them (a connector's conversation continues only with its history, which holds its
    secret)."""
    roles = ["user" if (len(messages) - 1 - i) % 2 == 0 else "assistant" for i in range(len(messages))]
    turns = [{"role": r, "content": m} for r, m in zip(roles, messages, strict=True)]
    histories: dict[tuple[str, str], list[dict[str, str]]] = client.__dict__.setdefault("chat_histories", {})
    history = histories.setdefault((key, chat_id), []) if chat_id and len(messages) == 1 else None
    body: dict[str, Any] = {"model": "racehub", "stream": stream, "messages": [*(history or []), *turns]}
    if chat_id:
        body["chat_id"] = chat_id
    response = client.post("/v1/chat/completions", json=body, headers=bearer(key, **(headers or {})))
    if history is not None and response.status_code == 200:
        content = (
            streamed_text(response.text)
            if stream
            else str(response.json()["choices"][0]["message"]["content"])
        )
        history += [*turns, {"role": "assistant", "content": content}]
    return response


def streamed_text(body: str) -> str:
    """The reply text of a streamed chat completion."""
    parts = []
    for event in sse_events(body):
        if isinstance(event, dict):
            for choice in event.get("choices", []):
                parts.append((choice.get("delta") or {}).get("content") or "")
    return "".join(parts)


def raw_reply(response: Any) -> str:
    """The reply's content as a client stores it and sends it back (a connector's secret line too)."""
    assert response.status_code == 200, response.text
    return str(response.json()["choices"][0]["message"]["content"])


def reply(response: Any) -> str:
    """The reply's text as the person sees it (a connector conversation's secret line left out)."""
    assert response.status_code == 200, response.text
    return strip_secret(str(response.json()["choices"][0]["message"]["content"]))


def sse_events(body: str) -> list[Any]:
    """The data payloads of a server-sent event stream, JSON-decoded except the final [DONE]."""
    events: list[Any] = []
    for block in body.split("\n\n"):
        if not block:
            continue
        assert block.startswith("data: "), block
        data = block[len("data: ") :]
        events.append(data if data == "[DONE]" else json.loads(data))
    return events


def outbox_codes(database: Database, email: str) -> list[str]:
    """The login codes mailed to `email`, newest first."""
    with database.session(Scope.operator()) as session:
        bodies = (
            session.execute(
                text("SELECT body FROM outbox WHERE lower(to_address) = lower(:e) ORDER BY id DESC"),
                {"e": email},
            )
            .scalars()
            .all()
        )
    return [match.group(1) for b in bodies if (match := CODE_IN_MAIL.search(b))]


def operator_rows(database: Database, sql: str, **params: Any) -> list[Any]:
    with database.session(Scope.operator()) as session:
        return list(session.execute(text(sql), params).all())
