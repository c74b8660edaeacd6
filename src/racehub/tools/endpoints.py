"""The OpenAPI tool server at `/tools`: five operations Open WebUI (or any assistant) can call.

Open WebUI reads `{base}/openapi.json`, turns each operation into a tool named by its operationId and
calls `{base}{path}`; so the spec below lists only these operations, with paths relative to `/tools`.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from racehub.ask.endpoints import ask_engine
from racehub.ask.schemas import AnswerOut
from racehub.auth.dependencies import CurrentCaller, TenantSession, run_with_connection
from racehub.config import Settings
from racehub.events.schemas import EditionStatus
from racehub.follows.endpoints import catalogs
from racehub.follows.schemas import FollowReply
from racehub.results.schemas import AwardList, ResultPage, Sex
from racehub.tools import schemas as text
from racehub.tools import service
from racehub.tools.schemas import EventList

PREFIX = "/tools"

operations = APIRouter(responses={401: {"description": "missing, unknown or revoked API key"}})
router = APIRouter(prefix=PREFIX)

RaceId = Annotated[int, Path(ge=1, le=2**63 - 1, description=text.RACE_ID)]
Limit = Annotated[int, Query(ge=1, le=service.MAX_LIMIT, description=text.LIMIT)]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description=text.OFFSET)]


class Question(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description=text.QUESTION)
    today: date | None = Field(None, description=text.TODAY)


@operations.post(
    "/ask", operation_id="ask", summary="Answer a question about your race data", description=text.ASK
)
async def ask(body: Question, caller: CurrentCaller, request: Request) -> AnswerOut:
    engine = ask_engine(request)
    return await run_with_connection(
        request, lambda: service.ask(engine, caller, body.question, body.today, via="tools")
    )


@operations.get(
    "/events",
    operation_id="list_events",
    summary="List event editions and their races",
    description=text.LIST_EVENTS,
)
def list_events(
    session: TenantSession,
    name: Annotated[str | None, Query(min_length=1, max_length=200, description=text.EVENT_NAME)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200, description=text.YEAR)] = None,
    status: Annotated[EditionStatus | None, Query(description=text.STATUS)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> EventList:
    return service.list_events(session, name=name, year=year, status=status, limit=limit, offset=offset)


@operations.get(
    "/races/{race_id}/results",
    operation_id="get_results",
    summary="Results of a race",
    description=text.GET_RESULTS,
    responses={404: {"description": "no such race (RaceNotFound)"}},
)
def get_results(
    session: TenantSession,
    race_id: RaceId,
    sex: Annotated[Sex | None, Query(description=text.SEX)] = None,
    age_group: Annotated[str | None, Query(min_length=1, max_length=20, description=text.AGE_GROUP)] = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> ResultPage:
    return service.get_results(session, race_id, sex=sex, age_group=age_group, limit=limit, offset=offset)


@operations.get(
    "/races/{race_id}/awards",
    operation_id="get_awards",
    summary="Award winners of a race",
    description=text.GET_AWARDS,
    responses={404: {"description": "no such race (RaceNotFound)"}},
)
def get_awards(session: TenantSession, race_id: RaceId) -> AwardList:
    return service.get_awards(session, race_id)


_FOLLOW_TEXT, _TODAY = text.FOLLOW_TEXT, text.TODAY


class FollowSaid(BaseModel):
    text: str = Field(min_length=1, max_length=300, description=_FOLLOW_TEXT)
    today: date | None = Field(None, description=_TODAY)


@operations.post(
    "/follows",
    operation_id="follow",
    summary="Follow runners and races for notifications",
    description=text.FOLLOW,
)
def follow(body: FollowSaid, caller: CurrentCaller, session: TenantSession, request: Request) -> FollowReply:
    catalog = catalogs(request).get(caller.scope)
    settings: Settings = request.app.state.settings
    return service.follow(session, caller, catalog, body.text, body.today, settings.push_max_follows)


router.include_router(operations, include_in_schema=False)


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {type: null}]` becomes X (with the description and default kept)."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return schema
    kept = [branch for branch in branches if branch != {"type": "null"}]
    if len(kept) != 1 or len(kept) == len(branches):
        return schema
    return {**kept[0], **{key: value for key, value in schema.items() if key != "anyOf"}}


def _simplify_inputs(spec: dict[str, Any]) -> None:
    """Plain types on optional inputs. Simple OpenAPI-to-tool converters (Open WebUI's among them) read
    `type` and `enum` directly and would otherwise tell the model that every optional is a string; an
    optional input may be left out, so nothing is lost. Response schemas keep their nulls."""
    bodies: set[str] = set()
    for methods in spec.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _without_null(parameter.get("schema", {}))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                bodies.add(ref.rsplit("/", 1)[1])
    for name in bodies:
        properties = spec["components"]["schemas"][name].get("properties", {})
        for key, schema in properties.items():
            properties[key] = _without_null(schema)


@cache
def tool_server_openapi() -> dict[str, Any]:
    """The tool server's own OpenAPI document (the five operations, Bearer API key security)."""
    spec = get_openapi(
        title="RaceHub tools",
        version="1",
        description="Events, results, awards and plain-English answers from your timing company's race "
        "data. Authenticate with a RaceHub API key: `Authorization: Bearer rh_...`.",
        routes=operations.routes,
        servers=[{"url": PREFIX}],
    )
    _simplify_inputs(spec)
    return spec


@router.get("/openapi.json", include_in_schema=False)
def openapi_document() -> dict[str, Any]:
    """The tool server's OpenAPI document (no key needed to read it)."""
    return tool_server_openapi()


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Swagger UI of the tool server."""
    return get_swagger_ui_html(openapi_url=f"{PREFIX}/openapi.json", title="RaceHub tools")
