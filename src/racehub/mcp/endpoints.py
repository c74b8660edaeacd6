"""`/mcp`: the MCP server over streamable HTTP, behind RaceHub API key authentication.

Every HTTP request must carry `Authorization: Bearer <RaceHub API key>`: a missing, unknown or
revoked key is answered 401 (by the app's one error renderer) before the request reaches the MCP SDK.
The caller goes to the tools in the request's ASGI scope.

Stateless mode with JSON responses: each POST is complete in itself (no session to bind to a key or
to lose when a worker restarts, nothing held open), which suits tools that only read. Only POST is
routed: the spec lets a server without a standalone SSE stream answer GET with 405, and a stateless
GET stream would only hold a connection open with nothing ever to say on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.security.utils import get_authorization_scheme_param
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from racehub.auth.dependencies import current_caller
from racehub.errors import RaceHubError
from racehub.mcp.server import CALLER_KEY, build_server

PATH = "/mcp"
_MANAGER_KEY = "racehub.mcp_sessions"


class McpUnavailable(RaceHubError):
    status = 503


@asynccontextmanager
async def run_mcp(app: Any) -> AsyncIterator[dict[str, Any]]:
    """The app's lifespan part: one running MCP session manager, handed to requests as lifespan state."""
    server = build_server()
    server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        # The SDK's DNS-rebinding guard would refuse any Host but localhost (behind a reverse proxy,
        # every request). It guards servers without authentication: a hostile page cannot make a
        # browser send a RaceHub key (keys are not cookies), so here it would add nothing.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    manager = server.session_manager
    async with manager.run():
        yield {_MANAGER_KEY: manager}


def _credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if scheme and token else None


class McpEndpoint:
    """ASGI app of `/mcp`: authenticate the key, then hand the request to the MCP session manager."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        caller = await current_caller(request, _credentials(request))
        manager: StreamableHTTPSessionManager | None = scope.get("state", {}).get(_MANAGER_KEY)
        if manager is None:
            raise McpUnavailable("the MCP server starts with the app's lifespan, which is not running")
        scope[CALLER_KEY] = caller
        await manager.handle_request(scope, receive, send)


router = APIRouter(lifespan=run_mcp)
router.routes.append(Route(PATH, McpEndpoint(), methods=["POST"], include_in_schema=False))
