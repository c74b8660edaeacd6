"""What every vendor simulator shares: faults, the `/__control` knob, registration changes, a server thread.

Faults are injected by an ASGI middleware in front of the vendor routes, so the vendor code stays clean.
A fault matches requests whose path starts with `path_prefix`, for `count` requests (None: until cleared).
`/__control/...` requests are never faulted nor counted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from racehub.integrations.simulators.bundle import Bundle, BundleParticipant

FaultKind = Literal[
    "rate_limit", "unavailable", "server_error", "slow", "html", "truncated", "oversized", "redirect"
]
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
CONTROL_PREFIX = "/__control"


@dataclass
class Fault:
    """One injected misbehaviour (see the module docstring for matching)."""

    kind: FaultKind
    count: int | None = None
    path_prefix: str = ""
    retry_after: float | None = None
    delay_s: float = 5.0
    size_bytes: int = 50 * 1024 * 1024
    declare_length: bool = False
    location: str = METADATA_URL


class FaultModel(BaseModel):
    kind: FaultKind
    count: int | None = None
    path_prefix: str = ""
    retry_after: float | None = None
    delay_s: float = 5.0
    size_bytes: int = 50 * 1024 * 1024
    declare_length: bool = False
    location: str = METADATA_URL


class ChangeModel(BaseModel):
    changes: dict[str, str] = {}


class SimulatorControls:
    """Thread-safe fault list and request counters (uvicorn runs the app in its own thread)."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = [dataclasses.replace(fault) for fault in faults]
        self.requests: Counter[str] = Counter()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Fault | None:
        """The first fault matching `path`, counting one use of it."""
        with self._lock:
            self.requests[path] += 1
            for fault in self._faults:
                if path.startswith(fault.path_prefix):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self._faults.remove(fault)
                    return dataclasses.replace(fault)
            return None


def _retry_after_header(fault: Fault) -> list[tuple[bytes, bytes]]:
    if fault.retry_after is None:
        return []
    value = fault.retry_after
    return [(b"retry-after", (str(int(value)) if value == int(value) else str(value)).encode())]


async def _respond(
    send: Send, status: int, body: bytes, content_type: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class FaultMiddleware:
    """Answers a request with its matching fault instead of (or, for `slow`, after) the vendor route."""

    def __init__(self, app: ASGIApp, controls: SimulatorControls) -> None:
        self.app = app
        self.controls = controls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        fault = self.controls.take(scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "slow":
            await asyncio.sleep(fault.delay_s)
            await self.app(scope, receive, send)
        elif fault.kind == "rate_limit":
            await _respond(
                send, 429, b'{"error":"rate limit exceeded"}', b"application/json", _retry_after_header(fault)
            )
        elif fault.kind == "unavailable":
            body = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
            await _respond(send, 503, body, b"text/html", _retry_after_header(fault))
        elif fault.kind == "server_error":
            await _respond(send, 500, b'{"error":"internal server error"}', b"application/json", [])
        elif fault.kind == "html":
            body = (
                b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>"
            )
            await _respond(send, 200, body, b"text/html; charset=utf-8", [])
        elif fault.kind == "truncated":
            await _respond(send, 200, b'{"data": [{"id": 1, "name": "Jef', b"application/json", [])
        elif fault.kind == "redirect":
            await _respond(send, 302, b"", b"text/plain", [(b"location", fault.location.encode())])
        else:
            await self._oversized(send, fault)

    async def _oversized(self, send: Send, fault: Fault) -> None:
        headers = [(b"content-type", b"application/json")]
        if fault.declare_length:
            headers.append((b"content-length", str(fault.size_bytes).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        chunk = b"[" + b"0," * 32767 + b"0"
        sent = 0
        while sent < fault.size_bytes:
            piece = chunk[: fault.size_bytes - sent]
            sent += len(piece)
            await send({"type": "http.response.body", "body": piece, "more_body": sent < fault.size_bytes})


_CHANGEABLE = frozenset(
    {
        "bib",
        "first_name",
        "last_name",
        "email",
        "phone",
        "address1",
        "city",
        "state",
        "zip",
        "country",
        "team",
    }
)


class RegistrationStore:
    """Bundle registrations of one vendor's editions plus the changes and removals made since (in memory)."""

    def __init__(self, bundle: Bundle, vendor: str) -> None:
        self.bundle = bundle
        self._lock = threading.Lock()
        self._overrides: dict[str, BundleParticipant] = {}
        self._modified: dict[str, float] = {}
        self._removed: dict[str, float] = {}
        self.race_ids = {
            race.race_id
            for event in bundle.editions(registration_provider=vendor)
            for race in bundle.races_by_event.get(event.event_id, [])
        }

    def registered_epoch(self, participant: BundleParticipant) -> float:
        event = self.bundle.events[self.bundle.races[participant.race_id].event_id]
        return participant.registered_at.replace(tzinfo=event.tz).timestamp()

    def modified_epoch(self, participant: BundleParticipant) -> float:
        return self._modified.get(participant.participant_id) or self.registered_epoch(participant)

    def active(self, race_id: str) -> list[BundleParticipant]:
        with self._lock:
            return [
                self._overrides.get(participant.participant_id, participant)
                for participant in self.bundle.participants_by_race.get(race_id, [])
                if participant.participant_id not in self._removed
            ]

    def removed(self, race_id: str) -> list[tuple[str, float]]:
        with self._lock:
            return [
                (participant_id, when)
                for participant_id, when in self._removed.items()
                if self.bundle.participants[participant_id].race_id == race_id
            ]

    def _known(self, participant_id: str) -> BundleParticipant:
        participant = self.bundle.participants.get(participant_id)
        if participant is None or participant.race_id not in self.race_ids:
            raise HTTPException(404, f"no registration {participant_id} at this vendor")
        return participant

    def modify(self, participant_id: str, changes: dict[str, str]) -> None:
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise HTTPException(422, f"cannot change {sorted(unknown)}")
        with self._lock:
            current = self._overrides.get(participant_id) or self._known(participant_id)
            fields: dict[str, Any] = dict(changes)
            self._overrides[participant_id] = dataclasses.replace(current, **fields)
            self._modified[participant_id] = time.time()

    def remove(self, participant_id: str) -> None:
        self._known(participant_id)
        with self._lock:
            self._removed[participant_id] = time.time()


def control_router(controls: SimulatorControls, store: RegistrationStore | None) -> APIRouter:
    """The `/__control` knob: faults, counters and (registration vendors) changes to the data."""
    router = APIRouter(prefix=CONTROL_PREFIX, include_in_schema=False)

    @router.post("/faults", status_code=204)
    def add_fault(fault: FaultModel) -> None:
        controls.add(Fault(**fault.model_dump()))

    @router.delete("/faults", status_code=204)
    def clear_faults() -> None:
        controls.clear()

    @router.get("/stats")
    def stats() -> dict[str, Any]:
        return {"requests": sum(controls.requests.values()), "by_path": dict(controls.requests)}

    @router.post("/registrations/{participant_id}", status_code=204)
    def change_registration(participant_id: str, body: ChangeModel) -> None:
        if store is None:
            raise HTTPException(404, "this vendor takes no registrations")
        store.modify(participant_id, body.changes)

    @router.post("/registrations/{participant_id}/remove", status_code=204)
    def remove_registration(participant_id: str) -> None:
        if store is None:
            raise HTTPException(404, "this vendor takes no registrations")
        store.remove(participant_id)

    return router


def wrap_with_faults(app: FastAPI, controls: SimulatorControls, store: RegistrationStore | None) -> FastAPI:
    """Add the control routes and the fault middleware to a vendor app."""
    app.include_router(control_router(controls, store))
    app.add_middleware(FaultMiddleware, controls=controls)
    app.state.controls = controls
    app.state.store = store
    return app


@dataclass
class RunningServer:
    """A uvicorn server on a background thread (tests, demos); `stop()` ends it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: Any = field(repr=False, default=None)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve `app` on host:port (0 = a free port) from a daemon thread; returns once it is accepting."""
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets of that protocol, and
    # without it every keep-alive response waits ~40 ms on delayed ACKs.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("simulator server did not start")
        time.sleep(0.005)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    return RunningServer(url=f"http://{shown}:{bound_port}", server=server, thread=thread, app=app)


def competition_places(times: list[tuple[str, int]]) -> dict[str, int]:
    """Places by ascending time where equal times share a place (1, 2, 2, 4): the vendors' own placings."""
    places: dict[str, int] = {}
    previous: int | None = None
    place = 0
    for index, (key, value) in enumerate(sorted(times, key=lambda item: (item[1], item[0])), start=1):
        if value != previous:
            place, previous = index, value
        places[key] = place
    return places


def require(condition: bool, status: int, message: str) -> None:
    """Raise the HTTP error a vendor would answer with when `condition` fails."""
    if not condition:
        raise HTTPException(status, message)
