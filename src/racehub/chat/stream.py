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


def chunks(content: str, prompt: str, *, model: str = MODEL_ID, include_usage: bool = False) -> Iterator[str]:
    """Server-sent events as OpenAI streams them: role, content deltas, finish, [usage], [DONE]."""
    ident, created = completion_id(), int(time.time())

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        if include_usage:
            body["usage"] = None
        return body

    yield _event(chunk({"role": "assistant", "content": ""}))
    for piece in pieces(content):
        yield _event(chunk({"content": piece}))
    yield _event(chunk({}, "stop"))
    if include_usage:
        yield _event(
            {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [],
                "usage": usage(prompt, content),
            }
        )
    yield _event("[DONE]")
