"""A local OpenAI-compatible server with scripted replies, for tests that need a real HTTP round trip.

    with fake_openai_server(["```sql\\nSELECT 1\\n```"]) as server:
        client = LLMClient(server.base_url, "llama3.1:8b", None, timeout_s=5)
        ...
        assert server.chat_requests[0]["messages"][0]["role"] == "system"

It speaks the parts of the protocol RaceHub uses: `GET /v1/models` and `POST /v1/chat/completions`,
non-streaming (`chat.completion`) and streaming (`text/event-stream` of `chat.completion.chunk`, then
`data: [DONE]`). Replies come from a list, consumed in order, or from a function of the request body.
Every request is recorded so tests can assert what the model was shown.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

DEFAULT_MODELS = ("llama3.1:8b",)


@dataclass(frozen=True)
class ScriptedReply:
    """One answer from the fake model, or (with `status_code`) one API error."""

    content: str | None = None
    # Each: {"name": str, "arguments": dict | str, "id": str (optional)}.
    tool_calls: Sequence[dict[str, Any]] = ()
    finish_reason: str | None = None  # default: "tool_calls" when there are tool calls, else "stop"
    status_code: int = 200
    error_message: str = "scripted error"
    delay_s: float = 0.0


Reply = str | ScriptedReply
Responder = Callable[[dict[str, Any]], Reply]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None


@dataclass
class FakeOpenAI:
    """The scripted model and the app serving it; `running()` puts it on a free 127.0.0.1 port."""

    replies: Sequence[Reply] | Responder = ()
    models: Sequence[str] = DEFAULT_MODELS
    api_key: str | None = None  # when set, requests must carry `Authorization: Bearer <api_key>`
    requests: list[RecordedRequest] = field(default_factory=list)
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 0

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat completion requests received, oldest first."""
        return [r.body for r in self.requests if r.path.endswith("/chat/completions") and r.body is not None]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def list_models(request: Request) -> Response:
            denied = self._record(request, None)
            if denied is not None:
                return denied
            created = int(time.time())
            data = [{"id": m, "object": "model", "created": created, "owned_by": "fake"} for m in self.models]
            return JSONResponse({"object": "list", "data": data})

        @app.post("/v1/chat/completions")
        async def chat_completions(request: Request) -> Response:
            raw = await request.body()
            try:
                body = json.loads(raw)
            except ValueError:
                self._record(request, None)
                return _error(400, "request body is not JSON", "invalid_request_error")
            denied = self._record(request, body)
            if denied is not None:
                return denied
            messages = body.get("messages") if isinstance(body, dict) else None
            if not isinstance(messages, list) or not messages:
                return _error(400, "'messages' must be a non-empty list", "invalid_request_error", "messages")
            model = body.get("model")
            if not isinstance(model, str) or model not in self.models:
                return _error(404, f"model '{model}' not found", "invalid_request_error", "model")
            reply = self._reply_for(body)
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            if reply.status_code != 200:
                return _error(reply.status_code, reply.error_message, "server_error")
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                return StreamingResponse(
                    _stream(model, body, reply, include_usage), media_type="text/event-stream"
                )
            return JSONResponse(_completion(model, body, reply))

        return app

    @contextmanager
    def running(self) -> Iterator[FakeOpenAI]:
        """Serve on a free 127.0.0.1 port in a background thread; `base_url` ends in `/v1`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("fake OpenAI server did not start")
                time.sleep(0.01)
            self.base_url = f"http://127.0.0.1:{port}/v1"
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()

    def _record(self, request: Request, body: Any) -> Response | None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(request.method, request.url.path, headers, body))
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided", "invalid_request_error")
        return None

    def _reply_for(self, body: dict[str, Any]) -> ScriptedReply:
        if callable(self.replies):
            reply = self.replies(body)
        else:
            with self._lock:
                index, self._next = self._next, self._next + 1
            if index >= len(self.replies):
                return ScriptedReply(status_code=500, error_message="fake server: no scripted reply left")
            reply = self.replies[index]
        return ScriptedReply(content=reply) if isinstance(reply, str) else reply


@contextmanager
def fake_openai_server(
    replies: Sequence[Reply] | Responder = (),
    *,
    models: Sequence[str] = DEFAULT_MODELS,
    api_key: str | None = None,
) -> Iterator[FakeOpenAI]:
    """Run a scripted OpenAI-compatible server for the duration of the `with` block."""
    with FakeOpenAI(replies=replies, models=models, api_key=api_key).running() as server:
        yield server


def _error(status: int, message: str, kind: str, param: str | None = None) -> JSONResponse:
    code = "model_not_found" if param == "model" else None
    error = {"message": message, "type": kind, "param": param, "code": code}
    return JSONResponse({"error": error}, status_code=status)


def _tool_calls(reply: ScriptedReply) -> list[dict[str, Any]]:
    calls = []
    for call in reply.tool_calls:
        arguments = call.get("arguments", {})
        calls.append(
            {
                "id": call.get("id") or f"call_{uuid.uuid4().hex[:24]}",
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                },
            }
        )
    return calls


def _finish_reason(reply: ScriptedReply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def _usage(body: dict[str, Any], reply: ScriptedReply) -> dict[str, int]:
    # Word counts stand in for tokens: enough for tests that check usage is reported.
    prompt = sum(len(str(m.get("content") or "").split()) for m in body["messages"] if isinstance(m, dict))
    completion = len((reply.content or "").split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(model: str, body: dict[str, Any], reply: ScriptedReply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    tool_calls = _tool_calls(reply)
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(reply)}
        ],
        "usage": _usage(body, reply),
    }


async def _stream(
    model: str, body: dict[str, Any], reply: ScriptedReply, include_usage: bool
) -> AsyncIterator[bytes]:
    chunk_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        payload = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        return f"data: {json.dumps(payload)}\n\n".encode()

    yield chunk({"role": "assistant", "content": ""})
    content = reply.content or ""
    # Split after spaces so the deltas join back to exactly the scripted content.
    for piece in [p for p in content.replace(" ", " \x00").split("\x00") if p]:
        yield chunk({"content": piece})
    for index, call in enumerate(_tool_calls(reply)):
        function = call["function"]
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": function["name"], "arguments": ""},
                    }
                ]
            }
        )
        arguments = function["arguments"]
        for start in range(0, len(arguments), 16):
            fragment = arguments[start : start + 16]
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})
    yield chunk({}, _finish_reason(reply))
    if include_usage:
        usage = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [],
            "usage": _usage(body, reply),
        }
        yield f"data: {json.dumps(usage)}\n\n".encode()
    yield b"data: [DONE]\n\n"
