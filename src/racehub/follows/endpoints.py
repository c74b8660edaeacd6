"""HTTP routes of follows: say what to be told in plain English, list, stop."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from racehub.ask.catalog import CatalogCache
from racehub.auth.callers import Caller
from racehub.auth.dependencies import CurrentCaller, TenantSession, database_of
from racehub.config import Settings
from racehub.errors import InvalidInput
from racehub.follows import service
from racehub.follows.schemas import FollowList, FollowReply, FollowText

router = APIRouter(prefix="/follows", tags=["push"])
FollowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="follow id")]


def catalogs(request: Request) -> CatalogCache:
    """The app's catalogue cache for resolving event names (shared with chat's follow handling)."""
    cache: CatalogCache | None = getattr(request.app.state, "follow_catalogs", None)
    if cache is None:
        cache = CatalogCache(database_of(request))
        request.app.state.follow_catalogs = cache
    return cache


def _follower(caller: Caller) -> service.Follower:
    if caller.org_id is None:
        raise InvalidInput("follows belong to one timing company: use a key of one organization")
    return service.Follower(caller.org_id, caller.user_id)


@router.post("", responses={201: {"description": "a follow was set up"}})
def say(
    caller: CurrentCaller, session: TenantSession, body: FollowText, request: Request, response: Response
) -> FollowReply:
    """Follow, stop or list in plain English: "Tell me when bib 1234 passes 30K", "Notify me when the 2026
    Shamrock Marathon results are final", "Tell me when the first woman finishes Boston", "Stop notifying me
    about 1234", "What am I following?". The reply says exactly what was set up, or asks which one."""
    follower = _follower(caller)
    settings: Settings = request.app.state.settings
    catalog = catalogs(request).get(caller.scope)
    reply = service.say(
        session, follower, catalog, body.text, body.today or date.today(), settings.push_max_follows
    )
    if reply is None:
        raise InvalidInput(
            "text: I could not read that as a follow. Try: tell me when bib 1234 passes 30K; "
            "stop notifying me about 1234; what am I following?"
        )
    if reply.kind == "followed":
        response.status_code = 201
    return reply


@router.get("")
def list_follows(caller: CurrentCaller, session: TenantSession, request: Request) -> FollowList:
    """What you follow, each in a sentence."""
    settings: Settings = request.app.state.settings
    return service.list_follows(session, _follower(caller), settings.push_max_follows)


@router.delete("/{follow_id}", status_code=204)
def stop_following(caller: CurrentCaller, session: TenantSession, follow_id: FollowId) -> Response:
    """Stop one follow."""
    service.remove(session, _follower(caller), follow_id)
    return Response(status_code=204)
