"""OpenAI chat-completion objects: the `chat.completion` reply and its streamed `chat.completion.chunk`s."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from typing import Any

MODEL_ID = "racehub"
CHUNK_CHARS = 48
_PIECE = re.compile(r"\S+\s*|\s+")


def completion_id() -> str:
    return f"chatcmpl-{secrets.token_hex(12)}"


def estimate_tokens(text: str) -> int:
    # About four characters a token for English; clients only show it.
    return max(1, (len(text) + 3) // 4) if text else 0


def usage(prompt: str, content: str) -> dict[str, int]:
    prompt_tokens, completion_tokens = estimate_tokens(prompt), estimate_tokens(content)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion(content: str, prompt: str, *, model: str = MODEL_ID) -> dict[str, Any]:
    """A non-streaming `chat.completion`."""
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage(prompt, content),
    }


def pieces(content: str, size: int = CHUNK_CHARS) -> list[str]:
    """Content split at whitespace into deltas of about `size` characters; they join back exactly."""
    out: list[str] = []
    current = ""
    for match in _PIECE.finditer(content):
        if current and len(current) + len(match.group()) > size:
            out.append(current)
            current = ""
        current += match.group()
    if current:
        out.append(current)
    return out


def _event(payload: dict[str, Any] | str) -> str:
    data = (
        payload
        if isinstance(payload, str)
        else json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    )
    return f"data: {data}\n\n"


class ChunkStream:
    """The server-sent events of one streamed `chat.completion.chunk` reply, as OpenAI sends them:
    the role, content deltas as the reply is made, the finish (or an error), [usage], [DONE]."""

    def __init__(self, prompt: str, *, model: str = MODEL_ID, include_usage: bool = False) -> None:
        self.ident, self.created = completion_id(), int(time.time())
        self.prompt, self.model, self.include_usage = prompt, model, include_usage
        self.sent = ""  # the content sent so far

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.ident,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        if self.include_usage:
            body["usage"] = None
        return body

    def start(self) -> str:
        return _event(self._chunk({"role": "assistant", "content": ""}))

    def content(self, text: str) -> Iterator[str]:
        """Deltas of `text`, cut at whitespace so that words arrive whole."""
        for piece in pieces(text):
            self.sent += piece
            yield _event(self._chunk({"content": piece}))

    def finish(self, content: str) -> Iterator[str]:
        """What of `content` (the whole reply) was not sent yet, then the end of the stream."""
        if content.startswith(self.sent):
            yield from self.content(content[len(self.sent) :])
        yield _event(self._chunk({}, "stop"))
        if self.include_usage:
            yield _event(
                {
                    "id": self.ident,
                    "object": "chat.completion.chunk",
                    "created": self.created,
                    "model": self.model,
                    "choices": [],
                    "usage": usage(self.prompt, self.sent),
                }
            )
        yield _event("[DONE]")

    def error(self, name: str, message: str) -> Iterator[str]:
        """A failure once the stream has begun (the HTTP status is already sent): as OpenAI reports it."""
        yield _event({"error": {"message": message, "type": name, "code": None}})
        yield _event("[DONE]")


def keepalive() -> str:
    """An SSE comment: clients ignore it, proxies see the reply is alive while it is being made."""
    return ": working\n\n"


def chunks(content: str, prompt: str, *, model: str = MODEL_ID, include_usage: bool = False) -> Iterator[str]:
    """Server-sent events as OpenAI streams them: role, content deltas, finish, [usage], [DONE]."""
    events = ChunkStream(prompt, model=model, include_usage=include_usage)
    yield events.start()
    yield from events.finish(content)
