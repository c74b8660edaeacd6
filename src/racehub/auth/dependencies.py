"""Request dependencies: who is calling (Bearer API key, web session, or a chat connector) and the tenant
transaction they act in. Only this module knows FastAPI; who a credential names is `auth.identity`'s.

Use the typed aliases in endpoints:

    def list_things(caller: CurrentCaller, session: TenantSession) -> ...

`CurrentCaller` resolves the key in a short transaction of its own; `TenantSession` then opens the
request's transaction with the caller's scope (row-level security does the isolation), commits when
the endpoint returns and rolls back when it raises, before the response is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar
from weakref import WeakKeyDictionary

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from racehub.auth import identity
from racehub.auth.callers import Caller, ChatCaller
from racehub.auth.openwebui import JWT_HEADER
from racehub.config import Settings
from racehub.db import Database
from racehub.errors import Forbidden, RateLimited, Unauthorized

T = TypeVar("T")

# Web page session tokens (`rhs_...`) are taken too; the tool servers' specs advertise keys only.
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer rh_...`")


def client_host(request: Request) -> str | None:
    """The address the request came from (None when the server does not know it): the peer, or the
    client a trusted proxy names (`racehub.inputs.InputGuard` sets it)."""
    return request.client.host if request.client else None


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


# Per event loop (like anyio's own default limiter) and per database.
_checkout_limiters: RunVar[WeakKeyDictionary[Database, anyio.CapacityLimiter]] = RunVar("racehub_checkout")


def _checkout_limiter(request: Request) -> anyio.CapacityLimiter:
    """Threads that may wait for a pooled connection, kept apart from the endpoint thread pool.

    Why: a sync endpoint holding a connection needs a worker thread to finish and give it back. If
    threads waiting for a connection could take every worker thread, a burst larger than the
    connection pool would deadlock until the pool timeout.
    """
    try:
        limiters = _checkout_limiters.get()
    except LookupError:
        limiters = WeakKeyDictionary()
        _checkout_limiters.set(limiters)
    database = database_of(request)
    if database not in limiters:
        limiters[database] = anyio.CapacityLimiter(max(2 * database.settings.pool_size, 1))
    return limiters[database]


# Per event loop, per database and tenant: questions (the heavy queries) of one company running at once.
_tenant_limiters: RunVar[dict[tuple[int, str], anyio.CapacityLimiter]] = RunVar("racehub_tenant_questions")


async def run_question(request: Request, tenant: str, work: Callable[[], T]) -> T:
    """Run `work` (a question: generated SQL, the LLM) with at most `ask_max_concurrent_per_tenant` of
    the tenant's questions at once in this process, so one company cannot starve the others of
    connections and threads. The wait happens here, on the event loop, holding no thread; past
    `ask_queue_wait_s` it is a 429."""
    settings: Settings = request.app.state.settings
    try:
        limiters = _tenant_limiters.get()
    except LookupError:
        limiters = {}
        _tenant_limiters.set(limiters)
    key = (id(database_of(request)), tenant)
    limiter = limiters.get(key)
    if limiter is None:
        limiter = limiters[key] = anyio.CapacityLimiter(max(settings.ask_max_concurrent_per_tenant, 1))
    wait = settings.ask_queue_wait_s
    acquired = False
    with anyio.move_on_after(wait):
        await limiter.acquire()
        acquired = True
    if not acquired:
        retry = max(int(wait), 1)
        raise RateLimited(
            f"your company already has {limiter.total_tokens:g} questions running; try again in {retry} s",
            retry,
        )
    try:
        return await run_with_connection(request, work)
    finally:
        limiter.release()


async def run_with_connection(request: Request, work: Callable[[], T]) -> T:
    """Run `work` (which checks out a pooled connection) in a thread that may wait for one."""
    return await anyio.to_thread.run_sync(work, limiter=_checkout_limiter(request))


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller named by the Bearer API key (or web session token); Unauthorized (401) when missing,
    unknown, expired or revoked."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("missing API key: send `Authorization: Bearer rh_...`")
    key = credentials.credentials.strip()
    database = database_of(request)
    # The key lookup commits in its own short transaction: it stamps `last_used_at`, and holding that
    # row lock for the whole request would serialize every concurrent request made with one key.
    return await run_with_connection(request, lambda: identity.api_caller(database, key))


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def tenant_session(request: Request, caller: CurrentCaller) -> AsyncIterator[Session]:
    """One transaction as the caller's tenant: commit on success, roll back on error."""
    transaction = database_of(request).session(caller.scope)
    # Shielded: a client that disconnects must not leave an open transaction behind.
    with anyio.CancelScope(shield=True):
        session = await run_with_connection(request, transaction.__enter__)
    try:
        yield session
    except BaseException as exc:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(transaction.__exit__, type(exc), exc, exc.__traceback__)
        raise
    else:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(transaction.__exit__, None, None, None)


# scope="function": the transaction ends (commits) before the response is sent, so a client never
# sees success for work that then fails to commit.
TenantSession = Annotated[Session, Depends(tenant_session, scope="function")]


async def require_writer(caller: CurrentCaller) -> Caller:
    """The caller, when they may change data (owner, staff or operator); Forbidden (403) otherwise."""
    if not caller.can_write:
        raise Forbidden(f"role {caller.role!r} may not change data; owner or staff only")
    return caller


WriterCaller = Annotated[Caller, Depends(require_writer)]


async def require_owner(caller: CurrentCaller) -> Caller:
    """The caller, when they own their tenant's account (or operate the platform); Forbidden otherwise.
    For what cannot be undone, such as erasing a participant."""
    if caller.role not in ("owner", "operator"):
        raise Forbidden(f"role {caller.role!r} may not do this; owner only")
    return caller


OwnerCaller = Annotated[Caller, Depends(require_owner)]


_chat_bearer = HTTPBearer(
    auto_error=False, description="An API key (`rh_...`), a connector key, or a web session (`rhs_...`)"
)


async def chat_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_chat_bearer)],
) -> ChatCaller:
    """The caller of a chat endpoint; Unauthorized (401) without a valid credential or with a bad JWT."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials.strip():
        raise Unauthorized("missing credentials: send `Authorization: Bearer <API key or session token>`")
    database = database_of(request)
    settings: Settings = request.app.state.settings
    token = credentials.credentials.strip()
    jwt_header = request.headers.get(JWT_HEADER)
    address = client_host(request) or "unknown"
    return await run_with_connection(
        request, lambda: identity.chat_caller(database, settings, token, jwt_header, address)
    )


CurrentChatCaller = Annotated[ChatCaller, Depends(chat_caller)]
