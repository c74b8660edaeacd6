"""HTTP routes of race day: the live stream of a tenant's changes (Server-Sent Events) and official races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse

from racehub.auth.callers import Caller
from racehub.auth.dependencies import (
    CurrentCaller,
    TenantSession,
    WriterCaller,
    database_of,
    run_with_connection,
)
from racehub.config import Settings
from racehub.errors import EventNotFound, InvalidInput, RaceNotFound
from racehub.live import service
from racehub.live.hub import Subscriber, hub_of
from racehub.live.repository import Filters
from racehub.live.schemas import CHANGE_KINDS, LiveEvent, OfficialOut

router = APIRouter(tags=["live"])
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
RaceId = Annotated[int, Path(ge=1, le=2**63 - 1, description="race id")]

_STREAM_DOC = """A stream (`text/event-stream`) of the changes to your timing company's results, splits,
races, workflow runs and alarms, in order, as they are committed.

Each event has `id:` (the change number), `event:` (its kind: result, places, split, removed, race, alarm,
workflow) and `data:` (a `LiveEvent` as JSON: the result as your staff see it now, places provisional until
the race is official). A comment line (`: heartbeat`) comes every 15 s. After a disconnect, reconnect with
the header `Last-Event-ID: <last id received>` (or `?last_event_id=`) to receive exactly what you missed;
without one the stream starts with the next change. An `event: reset` means the stream cannot replay that
far back: reload what you show, then go on from its `id`.

Browsers' `EventSource` cannot send an Authorization header: use `fetch()` and read the body as a stream,
as the built-in page does."""


def _sse(event_id: int, kind: str, data: str) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n"


def _last_event_id(header: str | None, query: int | None) -> int | None:
    if header is not None and header.strip():
        value = header.strip()
        if not value.isdigit() or len(value) > 18:
            raise InvalidInput(f"Last-Event-ID must be a change number (a whole number), got {value[:20]!r}")
        return int(value)
    return query


def _kinds(text: str | None) -> frozenset[str] | None:
    if text is None or not text.strip():
        return None
    kinds = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(kinds - set(CHANGE_KINDS))
    if unknown:
        raise InvalidInput(f"kinds: unknown kind {unknown[0]!r}; expected some of {', '.join(CHANGE_KINDS)}")
    return kinds


async def _events(
    subscriber: Subscriber,
    caught: service.CatchUp,
    unsubscribe: Callable[[Subscriber], None],
    heartbeat_s: float,
) -> AsyncIterator[str]:
    cursor = caught.head
    try:
        yield f"retry: 3000\n: connected, change {caught.head}\n\n"
        if caught.reset:
            yield _sse(caught.head, "reset", f'{{"head": {caught.head}}}')
        if caught.events:
            yield "".join(_sse(e.seq, e.kind, e.model_dump_json()) for e in caught.events)
        while True:
            try:
                first = subscriber.queue.get_nowait()
            except asyncio.QueueEmpty:
                try:
                    first = await asyncio.wait_for(subscriber.queue.get(), timeout=heartbeat_s)
                except TimeoutError:
                    if subscriber.overflowed:
                        return  # too far behind: the client resumes from the log with Last-Event-ID
                    yield ": heartbeat\n\n"
                    continue
            # Everything waiting goes out in one write: under load, far fewer sends than events.
            batch = [first]
            while not subscriber.queue.empty():
                batch.append(subscriber.queue.get_nowait())
            frames = []
            for event in batch:
                if event.seq <= cursor:
                    continue  # already sent in the catch-up
                cursor = event.seq
                frames.append(_sse(event.seq, event.kind, event.data))
            if frames:
                yield "".join(frames)
            if subscriber.overflowed and subscriber.queue.empty():
                return
    finally:
        unsubscribe(subscriber)


@router.get(
    "/live",
    response_class=StreamingResponse,
    summary="Live changes (Server-Sent Events)",
    description=_STREAM_DOC,
    responses={
        200: {
            "model": LiveEvent,
            "description": "an endless stream of events, each `data:` a `LiveEvent`",
            "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/LiveEvent"}}},
        }
    },
)
async def live(
    request: Request,
    caller: CurrentCaller,
    edition_id: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="only this event edition")
    ] = None,
    race_id: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="only this race")] = None,
    bib: Annotated[
        str | None, Query(min_length=1, max_length=20, description="only entries with this bib")
    ] = None,
    kinds: Annotated[
        str | None, Query(max_length=100, description="comma-separated kinds, e.g. `result,split`")
    ] = None,
    last_event_id_query: Annotated[
        int | None, Query(alias="last_event_id", ge=0, le=2**62, description="as the Last-Event-ID header")
    ] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", include_in_schema=False)] = None,
) -> StreamingResponse:
    after = _last_event_id(last_event_id, last_event_id_query)
    filters = Filters(
        edition_id=edition_id, race_id=race_id, bib=bib.strip() if bib else None, kinds=_kinds(kinds)
    )
    if caller.org_id is None:
        raise InvalidInput("the live stream follows one timing company: use a key of one organization")
    database = database_of(request)
    if edition_id is not None or race_id is not None:
        found = await run_with_connection(request, lambda: _exists(request, caller, edition_id, race_id))
        if not found:
            raise (
                RaceNotFound(f"race {race_id} not found")
                if race_id is not None
                else EventNotFound(f"event edition {edition_id} not found")
            )
    settings: Settings = request.app.state.settings
    hub = hub_of(
        request.app.state, database, poll_s=settings.live_check_s, max_queued=settings.live_client_queue
    )
    await hub.ready()
    subscriber, caught = await hub.subscribe(caller.org_id, filters, after)
    stream = _events(subscriber, caught, hub.unsubscribe, settings.live_heartbeat_s)
    return StreamingResponse(stream, media_type="text/event-stream", headers=STREAM_HEADERS)


def _exists(request: Request, caller: Caller, edition_id: int | None, race_id: int | None) -> bool:
    with database_of(request).session(caller.scope) as session:
        return service.exists(session, edition_id, race_id)


@router.put("/races/{race_id}/official", tags=["results"])
def make_official(writer: WriterCaller, session: TenantSession, race_id: RaceId) -> OfficialOut:
    """Make a race's results official: its places are final (owner or staff). When every race of the
    edition is official, the edition's results are final."""
    return service.set_official(session, race_id, True)


@router.delete("/races/{race_id}/official", tags=["results"])
def make_provisional(writer: WriterCaller, session: TenantSession, race_id: RaceId) -> OfficialOut:
    """Make a race's results provisional again, e.g. to correct them (owner or staff)."""
    return service.set_official(session, race_id, False)
