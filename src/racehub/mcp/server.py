"""The MCP server: RaceHub's tools for assistants that speak the Model Context Protocol.

Each tool acts for the API key of the HTTP request that carried the call (checked by
`racehub.mcp.endpoints` before the request reaches the SDK), inside that key's tenant transaction.
The tools take no tenant argument, so none can widen what the key may see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field
from sqlalchemy.orm import Session
from starlette.requests import Request

from racehub.ask.endpoints import ask_engine
from racehub.ask.schemas import AnswerOut
from racehub.auth.callers import Caller
from racehub.auth.dependencies import database_of, run_with_connection
from racehub.config import Settings
from racehub.errors import RaceHubError
from racehub.events.schemas import EditionStatus
from racehub.follows.endpoints import catalogs
from racehub.follows.schemas import FollowReply
from racehub.results.schemas import AwardList, ResultPage, Sex
from racehub.tools import schemas as text
from racehub.tools import service
from racehub.tools.schemas import EventList

T = TypeVar("T")

# Where the authenticating endpoint leaves the caller, in the ASGI scope of each HTTP request.
CALLER_KEY = "racehub.caller"

INSTRUCTIONS = (
    "RaceHub holds the race data of one timing company: its events (one edition per year), races, "
    "entries, results and awards. Use `ask` for questions in plain English (counts, winners, rankings, "
    "a runner's times). For lists, call `list_events` first to find a race id, then `get_results` or "
    "`get_awards` with it. `follow` sets up push notifications in plain English ('tell me when bib 12 "
    "passes 30K'). Everything you see belongs to the company of the API key in use."
)
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

# `follow` changes what the user is told (not their race data); saying it twice sets up nothing new.
KEEPS = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

RaceId = Annotated[int, Field(ge=1, le=2**63 - 1, description=text.RACE_ID)]
Limit = Annotated[int, Field(ge=1, le=service.MAX_LIMIT, description=text.LIMIT)]
Offset = Annotated[int, Field(ge=0, le=10_000_000, description=text.OFFSET)]


def _request_and_caller(ctx: Context) -> tuple[Request, Caller]:
    request = ctx.request_context.request
    caller = request.scope.get(CALLER_KEY) if isinstance(request, Request) else None
    if not isinstance(request, Request) or not isinstance(caller, Caller):
        # Only reachable if the server were served without the authenticating endpoint.
        raise ToolError("Unauthorized: no RaceHub API key on this request")
    return request, caller


async def _in_tenant(ctx: Context, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction as the caller's tenant; domain errors become tool errors."""
    request, caller = _request_and_caller(ctx)
    database = database_of(request)

    def in_transaction() -> T:
        with database.session(caller.scope) as session:
            return work(session)

    try:
        return await run_with_connection(request, in_transaction)
    except RaceHubError as exc:
        raise ToolError(f"{exc.name}: {exc.message}") from None


async def ask(
    question: Annotated[str, Field(min_length=1, max_length=2000, description=text.QUESTION)],
    ctx: Context,
    today: Annotated[date | None, Field(description=text.TODAY)] = None,
) -> AnswerOut:
    request, caller = _request_and_caller(ctx)
    engine = ask_engine(request)
    try:
        return await run_with_connection(
            request, lambda: service.ask(engine, caller, question, today, via="mcp")
        )
    except RaceHubError as exc:
        raise ToolError(f"{exc.name}: {exc.message}") from None


async def list_events(
    ctx: Context,
    name: Annotated[str | None, Field(min_length=1, max_length=200, description=text.EVENT_NAME)] = None,
    year: Annotated[int | None, Field(ge=1900, le=2200, description=text.YEAR)] = None,
    status: Annotated[EditionStatus | None, Field(description=text.STATUS)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> EventList:
    return await _in_tenant(
        ctx,
        lambda session: service.list_events(
            session, name=name, year=year, status=status, limit=limit, offset=offset
        ),
    )


async def get_results(
    race_id: RaceId,
    ctx: Context,
    sex: Annotated[Sex | None, Field(description=text.SEX)] = None,
    age_group: Annotated[str | None, Field(min_length=1, max_length=20, description=text.AGE_GROUP)] = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> ResultPage:
    return await _in_tenant(
        ctx,
        lambda session: service.get_results(
            session, race_id, sex=sex, age_group=age_group, limit=limit, offset=offset
        ),
    )


async def get_awards(race_id: RaceId, ctx: Context) -> AwardList:
    return await _in_tenant(ctx, lambda session: service.get_awards(session, race_id))


async def follow(
    said: Annotated[str, Field(min_length=1, max_length=300, description=text.FOLLOW_TEXT)],
    ctx: Context,
    today: Annotated[date | None, Field(description=text.TODAY)] = None,
) -> FollowReply:
    request, caller = _request_and_caller(ctx)
    catalog = catalogs(request).get(caller.scope)
    settings: Settings = request.app.state.settings
    return await _in_tenant(
        ctx, lambda session: service.follow(session, caller, catalog, said, today, settings.push_max_follows)
    )


def build_server() -> MCPServer:
    """A fresh MCP server with RaceHub's four read-only tools and `follow` (which keeps what the user
    asked to be told)."""
    server: MCPServer = MCPServer(name="racehub", title="RaceHub", version="1", instructions=INSTRUCTIONS)
    server.add_tool(ask, title="Ask RaceHub", description=text.ASK, annotations=READ_ONLY)
    server.add_tool(list_events, title="List events", description=text.LIST_EVENTS, annotations=READ_ONLY)
    server.add_tool(get_results, title="Race results", description=text.GET_RESULTS, annotations=READ_ONLY)
    server.add_tool(get_awards, title="Award winners", description=text.GET_AWARDS, annotations=READ_ONLY)
    server.add_tool(follow, title="Follow for notifications", description=text.FOLLOW, annotations=KEEPS)
    return server
