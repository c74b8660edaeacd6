"""The HTTP API: `create_app()` wires the routers, the database and the one error renderer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as ASGIScope

from racehub.alarms.endpoints import router as alarms_router
from racehub.ask.endpoints import router as ask_router
from racehub.auth.dependencies import database_of, run_with_connection
from racehub.auth.endpoints import login_router
from racehub.auth.endpoints import router as keys_router
from racehub.chat.endpoints import router as chat_router
from racehub.config import Settings, get_settings
from racehub.db import Database, Scope, get_database
from racehub.errors import RaceHubError, RateLimited, error_payload
from racehub.events.endpoints import router as events_router
from racehub.follows.endpoints import router as follows_router
from racehub.inputs import InputGuard
from racehub.live.endpoints import router as live_router
from racehub.logging import exception_summary
from racehub.mcp.endpoints import router as mcp_router
from racehub.participants.endpoints import router as participants_router
from racehub.push.endpoints import router as push_router
from racehub.results.endpoints import router as results_router
from racehub.schemas import ErrorOut, OpenAIErrorOut, error_responses
from racehub.tools.endpoints import router as tools_router
from racehub.web import mount_web
from racehub.workflows.endpoints import router as workflows_router

log = structlog.get_logger(__name__)

# Versioned routers, mounted under /v1. Adding a domain (ask, chat, workflows) is one line here.
ROUTERS: list[APIRouter] = [
    events_router,
    results_router,
    participants_router,
    ask_router,
    chat_router,
    workflows_router,
    keys_router,
    login_router,
    live_router,
    alarms_router,
    follows_router,
    push_router,
]

_HTTP_ERROR_NAMES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "InvalidInput",
    429: "RateLimited",
}


class DatabaseUnavailable(RaceHubError):
    status = 503


def error_body(error: str, detail: str) -> dict[str, str]:
    return {"error": error, "detail": detail}


def _error(
    request: Request, status: int, name: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        error_payload(request.url.path, status, name, detail), status_code=status, headers=headers
    )


def _validation_detail(exc: RequestValidationError) -> str:
    """`limit (query): Input should be greater than or equal to 0; ...` naming each bad field."""
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        where = f"{'.'.join(loc[1:])} ({loc[0]})" if len(loc) > 1 else (loc[0] if loc else "request")
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _render_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RaceHubError)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return _error(request, exc.status, exc.name, exc.message, headers)


async def _render_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _error(request, 422, "InvalidInput", _validation_detail(exc))


async def _render_http_error(request: Request, exc: Exception) -> JSONResponse:
    # Unknown routes and wrong methods, raised by the router itself.
    assert isinstance(exc, StarletteHTTPException)
    name = _HTTP_ERROR_NAMES.get(exc.status_code, "HTTPError")
    return _error(request, exc.status_code, name, str(exc.detail), getattr(exc, "headers", None))


async def _render_data_error(request: Request, exc: Exception) -> JSONResponse:
    # A value PostgreSQL refuses (a number past bigint, a malformed date): the request's fault. Its
    # message carries the value, so neither the reply nor the log repeats it.
    log.info("value refused by the database", path=request.url.path, **exception_summary(exc))
    detail = "a value in the request is out of range or malformed"
    return _error(request, 422, "InvalidInput", detail)


class UnexpectedErrors:
    """The last word on any exception nothing else rendered: a 500 with no detail, and one log line with
    the exception's type and where it was raised (never its message or locals, which carry parameters
    and names, and never a traceback rendered on the event loop). Nothing is re-raised, so the server
    does not log it again with the full traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def noting_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, noting_start)
        except Exception as exc:
            log.error("unhandled error", method=scope["method"], path=scope["path"], **exception_summary(exc))
            if started:
                return  # the client sees the response cut short
            body = json.dumps(error_payload(scope["path"], 500, "InternalError", "internal error")).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})


class RequestLog:
    """One log line per HTTP request: method, path, status and milliseconds. Never the query string,
    which can carry a runner's name (`/v1/participants?name=...`) into logs that an erasure cannot
    reach; `racehub serve` turns uvicorn's access log (the whole request line) off for this."""

    def __init__(self, app: ASGIApp, record: Callable[..., Any] | None = None) -> None:
        self.app = app
        self.record = record

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            (self.record or log.info)(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )


def _check_database(database: Database) -> None:
    try:
        with database.session(Scope.nobody()) as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check failed", error=type(exc).__name__)
        raise DatabaseUnavailable("database unavailable") from None


def create_app(database: Database | None = None, settings: Settings | None = None) -> FastAPI:
    """The RaceHub API, serving `database` (the process-wide one when not given)."""
    if settings is None:
        settings = database.settings if database is not None else get_settings()
    if database is None:
        database = get_database()
    app = FastAPI(
        title="RaceHub",
        version="1",
        description="Race-timing data hub: events, results, awards and participants of your timing company.",
        docs_url="/docs",
    )
    app.state.database = database
    app.state.settings = settings
    # Added innermost first: RequestLog sees every request, errors included.
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(
        InputGuard, max_body_bytes=settings.max_body_bytes, trusted_proxies=settings.trusted_proxies
    )
    app.add_middleware(RequestLog)
    if settings.cors_origins:
        # Browsers on these origins may call the API with a key (Open WebUI runs a person's own tool
        # servers from their browser). No cookies are involved: keys travel in the Authorization header.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept",
                "Mcp-Session-Id",
                "Mcp-Protocol-Version",
            ],
            expose_headers=["Mcp-Session-Id", "Retry-After"],
            max_age=600,
        )

    app.add_exception_handler(RaceHubError, _render_domain_error)
    app.add_exception_handler(RequestValidationError, _render_validation_error)
    app.add_exception_handler(StarletteHTTPException, _render_http_error)
    app.add_exception_handler(DataError, _render_data_error)

    @app.get("/healthz", tags=["health"])
    async def healthz(request: Request) -> dict[str, Any]:
        """Liveness and database reachability (no authentication)."""
        db = database_of(request)
        await run_with_connection(request, lambda: _check_database(db))
        return {"status": "ok"}

    for router in ROUTERS:
        # Errors documented with the model they come in (OpenAI's shape on the OpenAI-compatible routes).
        model = OpenAIErrorOut if router is chat_router else ErrorOut
        app.include_router(router, prefix="/v1", responses=error_responses(model))
    for router in (mcp_router, tools_router):  # tool servers for other assistants, outside /v1
        app.include_router(router)
    mount_web(app)  # the built-in page at / and /static/
    return app
