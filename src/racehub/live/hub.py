"""One listener per process, fanning the tenant's changes out to its live clients.

The hub holds one PostgreSQL connection that LISTENs on two channels, whose payloads carry ids only:
- `racehub_changes` ('<org id>'): a transaction wrote changes; the hub numbers them (any process may; the
  tenant's head row serialises it), which sends
- `racehub_live` ('<org id>:<last seq>'): numbered changes are ready; for a tenant with clients here, the hub
  reads them once through a transaction scoped to that tenant (NOTIFY knows nothing of row-level security)
  and offers each event to that tenant's clients, each filtering for itself.

Nothing is lost when a notification is: every `poll_s` the hub compares each followed tenant's head with what
it delivered, and numbers changes left unnumbered; after its connection drops it reconnects and catches up
the same way. A client that cannot keep up is cut off (it resumes with Last-Event-ID from the log).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import psycopg
import structlog
from sqlalchemy.orm import Session

from racehub.db import Database, Scope
from racehub.db.engine import libpq_uri
from racehub.live import repository, service
from racehub.live.repository import Filters
from racehub.live.schemas import LiveEvent

log = structlog.get_logger(__name__)
T = TypeVar("T")

CHANGES_CHANNEL = "racehub_changes"
LIVE_CHANNEL = "racehub_live"
FETCH_BATCH = 1000


@dataclass(frozen=True)
class Outgoing:
    """An event and its JSON, serialised once for every client it goes to."""

    seq: int
    kind: str
    data: str

    @classmethod
    def of(cls, event: LiveEvent) -> Outgoing:
        return cls(event.seq, event.kind, event.model_dump_json())


@dataclass(eq=False)
class Subscriber:
    """One live client: its tenant, what it wants, and the events waiting to be sent to it."""

    org_id: int
    filters: Filters
    queue: asyncio.Queue[Outgoing] = field(default_factory=asyncio.Queue)
    max_queued: int = 2000
    overflowed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, event: Outgoing) -> None:
        if self.overflowed:
            return
        if self.queue.qsize() >= self.max_queued:
            self.overflowed = True
            self.wake.set()
            return
        self.queue.put_nowait(event)


class LiveHub:
    """The process's listener and fan-out (one per event loop)."""

    def __init__(self, database: Database, *, poll_s: float = 5.0, max_queued: int = 2000) -> None:
        self.database = database
        self.poll_s = poll_s
        self.max_queued = max_queued
        self.loop = asyncio.get_running_loop()
        self._subscribers: dict[int, set[Subscriber]] = {}
        self._delivered: dict[int, int] = {}
        self._running: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._again: set[tuple[str, int]] = set()
        self._reads = asyncio.Semaphore(4)  # database reads at once for catch-ups
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()
        self._closed = False

    # ------------------------------------------------------------------------------------------- lifecycle

    @property
    def closed(self) -> bool:
        return self._closed

    async def ready(self) -> None:
        """Start the listener on first call; every call returns once it listens (or 5 s have passed)."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._listen(), name="racehub-live-listen"),
                asyncio.create_task(self._tick(), name="racehub-live-tick"),
            ]
        # A client that subscribes right after must not miss a wake-up sent before LISTEN took effect;
        # the tick would catch it anyway, but a prompt start keeps the first event prompt too.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout=5)

    async def close(self) -> None:
        self._closed = True
        for task in [*self._tasks, *self._running.values()]:
            task.cancel()
        for task in [*self._tasks, *self._running.values()]:
            with contextlib.suppress(BaseException):
                await task

    @property
    def clients(self) -> int:
        return sum(len(subs) for subs in self._subscribers.values())

    # ----------------------------------------------------------------------------------------- subscribers

    async def subscribe(
        self, org_id: int, filters: Filters, last_event_id: int | None
    ) -> tuple[Subscriber, service.CatchUp]:
        """Register a client, then read what it missed; events offered meanwhile wait in its queue."""
        subscriber = Subscriber(org_id, filters, max_queued=self.max_queued)
        self._subscribers.setdefault(org_id, set()).add(subscriber)
        try:
            async with self._reads:
                caught = await self._in_tenant(
                    org_id, lambda session: service.catch_up(session, org_id, last_event_id, filters)
                )
        except BaseException:
            self.unsubscribe(subscriber)
            raise
        if org_id not in self._delivered:
            self._delivered[org_id] = caught.head
            self._schedule("fetch", org_id)  # wake-ups that came before we knew where to start
        return subscriber, caught

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subs = self._subscribers.get(subscriber.org_id)
        if subs is None:
            return
        subs.discard(subscriber)
        if not subs:
            del self._subscribers[subscriber.org_id]
            self._delivered.pop(subscriber.org_id, None)

    # ------------------------------------------------------------------------------------------- the work

    def _schedule(self, what: str, org_id: int) -> None:
        """Run `what` for the tenant now, or once more after the run under way (never two at once)."""
        key = (what, org_id)
        if self._closed:
            return
        if key in self._running:
            self._again.add(key)
            return
        work = self._sequence if what == "sequence" else self._fetch
        self._running[key] = asyncio.create_task(self._run(key, work))

    async def _run(self, key: tuple[str, int], work: Callable[[int], object]) -> None:
        try:
            while True:
                self._again.discard(key)
                try:
                    await work(key[1])  # type: ignore[misc]
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("live hub work failed", work=key[0], org_id=key[1], error=type(exc).__name__)
                if key not in self._again:
                    break
        finally:
            self._running.pop(key, None)

    async def _sequence(self, org_id: int) -> None:
        await self._in_tenant(org_id, lambda session: service.sequence(session, org_id))

    async def _fetch(self, org_id: int) -> None:
        """Read the tenant's new changes once and offer them to its clients."""
        while org_id in self._subscribers and org_id in self._delivered:
            after = self._delivered[org_id]

            def read(session: Session, after: int = after) -> list[LiveEvent]:
                head = repository.head(session, org_id)
                if head <= after:
                    return []
                return service.read_events(session, org_id, after, head, None, FETCH_BATCH)

            events = await self._in_tenant(org_id, read)
            if not events:
                return
            for event in events:
                outgoing: Outgoing | None = None
                for subscriber in list(self._subscribers.get(org_id, ())):
                    if service.matches(event, subscriber.filters):
                        outgoing = outgoing or Outgoing.of(event)
                        subscriber.offer(outgoing)
            if org_id in self._delivered:
                self._delivered[org_id] = events[-1].seq
            if len(events) < FETCH_BATCH:
                return

    async def _in_tenant(self, org_id: int, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.database.session(Scope.tenant(org_id)) as session:
                return work(session)

        return await asyncio.to_thread(run)

    # ------------------------------------------------------------------------------------- notifications

    def _notified(self, channel: str, payload: str) -> None:
        org_text = payload.split(":", 1)[0]
        if not org_text.isdigit():
            return
        org_id = int(org_text)
        if channel == CHANGES_CHANNEL:
            self._schedule("sequence", org_id)
        elif channel == LIVE_CHANNEL and org_id in self._subscribers:
            self._schedule("fetch", org_id)

    async def _listen(self) -> None:
        delay = 0.5
        while not self._closed:
            try:
                conninfo = libpq_uri(self.database.app_url)
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                    await conn.execute(f"LISTEN {LIVE_CHANNEL}")
                    self._listening.set()
                    delay = 0.5
                    self._recover()
                    async for notify in conn.notifies():
                        self._notified(notify.channel, notify.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live listener lost its connection", error=type(exc).__name__, retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _recover(self) -> None:
        """Catch up whatever may have been missed while not listening."""
        for org_id in list(self._subscribers):
            self._schedule("sequence", org_id)
            self._schedule("fetch", org_id)

    async def _tick(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.poll_s)
            for org_id in list(self._subscribers):
                with contextlib.suppress(Exception):
                    pending = await self._in_tenant(org_id, partial(repository.has_pending, org_id=org_id))
                    if pending:
                        self._schedule("sequence", org_id)
                self._schedule("fetch", org_id)


def hub_of(state: object, database: Database, *, poll_s: float, max_queued: int) -> LiveHub:
    """The hub kept on `state` (the app's) for the running event loop, created on first use; await
    `hub.ready()` before using it."""
    loop = asyncio.get_running_loop()
    hub: LiveHub | None = getattr(state, "live_hub", None)
    if hub is None or hub.loop is not loop or hub.closed:
        hub = LiveHub(database, poll_s=poll_s, max_queued=max_queued)
        state.live_hub = hub  # type: ignore[attr-defined]
    return hub
