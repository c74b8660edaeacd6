"""What the network may hand RaceHub, checked before any endpoint sees it.

- A body larger than `RACEHUB_MAX_BODY_BYTES` is refused with 413: by its Content-Length before a byte
  of it is read, or, sent in chunks, as soon as the bytes received pass the limit.
- Control characters (NUL above all: PostgreSQL cannot store it in text) and lone surrogates are
  refused with 422 naming the field, in the path, the query string and JSON bodies. JSON text may hold
  tab, line feed and carriage return (chat messages have lines); nothing else below U+0020, nor DEL.
- The client address is the peer's, unless the peer is a configured proxy (`RACEHUB_TRUSTED_PROXIES`):
  only then does `X-Forwarded-For` count, read from the right past the trusted hops, so a caller cannot
  pick the address that rate limits count against.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as ASGIScope

from racehub.errors import error_payload

# C0 controls but tab, LF and CR; DEL; UTF-16 surrogates (a JSON "\ud800" decodes to one, and no encoder
# can write it to the database).
_BAD_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# In a path or query parameter not even tab or a line break belongs.
_BAD_IN_PARAMETER = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_JSON_TYPES = ("application/json", "+json")


def bad_character(value: str, *, parameter: bool = False) -> str | None:
    """How the first forbidden character of `value` is named (`U+0000`), None when there is none."""
    found = (_BAD_IN_PARAMETER if parameter else _BAD_IN_TEXT).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def json_problem(document: Any, where: str = "") -> tuple[str, str] | None:
    """The first string (or key) of a parsed JSON document with a forbidden character: (field, char)."""
    for field, value in _strings(document, where):
        char = bad_character(value)
        if char is not None:
            return field or "body", char
    return None


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            field = f"{where}.{key}" if where else str(key)
            yield field, str(key)
            yield from _strings(value, field)
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from _strings(value, f"{where}.{position}" if where else str(position))


Problem = tuple[int, str, str]  # status, error name, detail


def _invalid(detail: str) -> Problem:
    return 422, "InvalidInput", detail


class _TooLarge(Exception):
    pass


class InputGuard:
    """ASGI middleware: body size, control characters, and the client address behind trusted proxies."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, trusted_proxies: list[str] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.proxies = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies or []]

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope = self._with_client(scope)
        problem = self._parameter_problem(scope)
        if problem is None and scope["type"] == "http":
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body_bytes:
                problem = self._too_large()
            elif _is_json(scope) and scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
                try:
                    body = await self._read_body(receive)
                except _TooLarge:
                    problem = self._too_large()
                else:
                    problem = _json_body_problem(body)
                    receive = _replay(body, receive)
            elif declared is None:
                receive = self._counting(receive)
        if problem is not None:
            await _respond(send, scope.get("path", ""), problem)
            return
        try:
            await self.app(scope, receive, send)
        except _TooLarge:
            await _respond(send, scope.get("path", ""), self._too_large())

    def _too_large(self) -> Problem:
        return 413, "PayloadTooLarge", f"the request body is larger than {self.max_body_bytes} bytes"

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
            return message

        return counted

    @staticmethod
    def _parameter_problem(scope: ASGIScope) -> Problem | None:
        char = bad_character(scope.get("path", ""), parameter=True)
        if char is not None:
            return _invalid(f"path: control character {char} is not allowed")
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
            char = bad_character(name, parameter=True) or bad_character(value, parameter=True)
            if char is not None:
                shown = name if bad_character(name, parameter=True) is None else "query"
                return _invalid(f"{shown} (query): control character {char} is not allowed")
        return None

    def _with_client(self, scope: ASGIScope) -> ASGIScope:
        """The scope with `client` set to the real client when the peer is a trusted proxy."""
        client = scope.get("client")
        if not self.proxies or not client or not self._trusted(client[0]):
            return scope
        forwarded: list[str] = []
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                forwarded += [part.strip() for part in value.decode("latin-1").split(",") if part.strip()]
        # Read from the right: each trusted proxy appended the address it saw; the first untrusted one is
        # the client (anything left of it the client could have written itself).
        for hop in reversed(forwarded):
            if not self._trusted(hop):
                return {**scope, "client": (hop, 0)}
        return scope

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)


def _content_length(scope: ASGIScope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_json(scope: ASGIScope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.decode("latin-1").split(";")[0].strip().lower()
            return bool(media.endswith(_JSON_TYPES))
    return False


def _json_body_problem(body: bytes) -> Problem | None:
    if not body:
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: the endpoint's own validation names what is wrong
    found = json_problem(document)
    if found is None:
        return None
    field, char = found
    return _invalid(f"{field} (body): control character {char} is not allowed")


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (a disconnect, for a streamed reply)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _respond(send: Send, path: str, problem: Problem) -> None:
    status, name, detail = problem
    body = json.dumps(error_payload(path, status, name, detail)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
