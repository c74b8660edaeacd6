"""HTTP routes of chat: the OpenAI-compatible API (`/v1/models`, `/v1/chat/completions`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Annotated, Any, ClassVar

import anyio
import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from racehub.auth.callers import ChatCaller
from racehub.auth.dependencies import CurrentChatCaller, database_of, run_question
from racehub.auth.openwebui import CHAT_ID_HEADER
from racehub.chat import stream
from racehub.chat.schemas import ChatCompletionRequest, ModelCard, ModelList
from racehub.chat.service import ChatResult, ChatService, ChatTurn
from racehub.errors import InvalidInput, RaceHubError
from racehub.logging import exception_summary

log = structlog.get_logger(__name__)
router = APIRouter(tags=["chat"])
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def chat_service(request: Request) -> ChatService:
    """The app's chat service (one per app: it keeps the catalogue cache and recent intents)."""
    service: ChatService | None = getattr(request.app.state, "chat_service", None)
    if service is None:
        service = ChatService(database_of(request), request.app.state.settings)
        request.app.state.chat_service = service
    return service


ChatServiceDep = Annotated[ChatService, Depends(chat_service)]


def _turn(body: ChatCompletionRequest, request: Request, public_url: str | None) -> ChatTurn:
    users = [m for m in body.messages if m.role == "user"]
    if not users or not users[-1].text.strip():
        raise InvalidInput("messages: the last user message is empty")
    first_user = users[0]
    later = body.messages[body.messages.index(first_user) + 1 :]
    first_reply = next((m.text for m in later if m.role == "assistant"), None)
    chat_id = request.headers.get(CHAT_ID_HEADER) or body.chat_id or body.conversation_id
    return ChatTurn(
        question=users[-1].text,
        chat_id=chat_id.strip() if chat_id and chat_id.strip() else None,
        first_user=first_user.text,
        first_reply=first_reply,
        base_url=public_url or str(request.base_url),
        today=date.today(),
        replies=tuple(m.text for m in body.messages if m.role == "assistant"),
    )


@router.get("/models")
async def list_models(caller: CurrentChatCaller) -> ModelList:
    """The models this server offers to OpenAI-compatible clients: one, `racehub`."""
    return ModelList(data=[ModelCard(id=stream.MODEL_ID, created=int(time.time()))])


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest, caller: CurrentChatCaller, service: ChatServiceDep, request: Request
) -> Response:
    """Chat with RaceHub as with an OpenAI model (streaming or not): log in, then ask about your races."""
    turn = _turn(body, request, service.settings.public_url)
    tenant = _tenant(caller)
    if not body.stream:
        result = await run_question(request, tenant, lambda: service.respond(caller, turn))
        return JSONResponse(stream.completion(result.content, turn.question))
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    reply = _LiveReply(request, tenant, lambda emit: service.respond(caller, turn, emit=emit))
    first = await reply.next(FIRST_WAIT_S)
    if first is not None and first[0] == "error":
        raise first[1]  # a quick failure keeps its HTTP status (429, 422, ...)
    events = stream.ChunkStream(turn.question, include_usage=include_usage)

    async def send() -> AsyncIterator[str]:
        yield events.start()
        item = first
        while True:
            if item is None:
                yield stream.keepalive()  # still working: the client and any proxy see it alive
            elif item[0] == "part":
                for event in events.content(item[1]):
                    yield event
                    await anyio.sleep(0)
            elif item[0] == "done":
                for event in events.finish(item[1].content):
                    yield event
                    await anyio.sleep(0)
                return
            else:
                error = item[1]
                if isinstance(error, RaceHubError):
                    name, message = error.name, error.message
                else:
                    log.error("unhandled error in a streamed reply", **exception_summary(error))
                    name, message = "InternalError", ""
                for event in events.error(name, message or "the reply could not be made; try again"):
                    yield event
                return
            item = await reply.next(KEEPALIVE_S)

    return StreamingResponse(send(), media_type="text/event-stream", headers=STREAM_HEADERS)


def _tenant(caller: ChatCaller) -> str:
    """Whose questions these are, for the per-company bound: the company, else the credential."""
    identity = caller.identity
    if identity is not None and identity.org_id is not None:
        return f"org:{identity.org_id}"
    return caller.credential


# A streamed reply ready within this long is sent as before (an error keeps its HTTP status); a slower
# one starts streaming, its parts sent as they are made and a keep-alive comment every KEEPALIVE_S.
FIRST_WAIT_S = 0.5
KEEPALIVE_S = 5.0
Item = tuple[str, Any]  # ("part", text) | ("done", ChatResult) | ("error", exception)


class _LiveReply:
    """A reply being made in a worker thread, its parts handed to the event loop as they come."""

    _running: ClassVar[set[asyncio.Task[None]]] = set()  # kept referenced until they end

    def __init__(
        self, request: Request, tenant: str, make: Callable[[Callable[[str], None]], ChatResult]
    ) -> None:
        loop = asyncio.get_running_loop()
        self._items: asyncio.Queue[Item] = asyncio.Queue()

        def put(item: Item) -> None:
            loop.call_soon_threadsafe(self._items.put_nowait, item)

        def work() -> None:
            try:
                result = make(lambda text: put(("part", text)))
            except Exception as exc:  # rendered to the client; logged by the caller's error handling
                put(("error", exc))
            else:
                put(("done", result))

        # Not bound to the request: a client that goes away mid-reply does not cut a transaction short.
        task = asyncio.ensure_future(self._run(request, tenant, work, put))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    @staticmethod
    async def _run(
        request: Request, tenant: str, work: Callable[[], None], put: Callable[[Item], None]
    ) -> None:
        try:
            await run_question(request, tenant, work)
        except Exception as exc:  # a 429 while waiting for a turn: rendered like any error
            put(("error", exc))

    async def next(self, timeout: float) -> Item | None:
        """The next part, the end, or None when nothing came within `timeout` seconds."""
        try:
            return await asyncio.wait_for(self._items.get(), timeout)
        except TimeoutError:
            return None
