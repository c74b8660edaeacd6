"""A local Expo push service with its real HTTP shapes: send (tickets), getReceipts, whole-request errors.

Every message it accepts is kept (`GET /__control/messages`). Tokens can be made to fail:
`POST /__control/tokens/{token}/unregister` with `{"at": "send"}` (an error ticket `DeviceNotRegistered`
from now on) or `{"at": "receipt"}` (tickets ok, receipts `DeviceNotRegistered`, as when an app was
uninstalled). `POST /__control/rate-limit {"messages": N}` answers `MessageRateExceeded` tickets past N
messages. HTTP faults (429, 503, ...) come from the shared fault middleware (`/__control/faults`).
With `access_token` set, requests without `Authorization: Bearer <it>` get 401 `InvalidCredentials`.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from racehub.integrations.expo import schemas
from racehub.integrations.simulators.kit import SimulatorControls, wrap_with_faults


@dataclass
class ExpoState:
    messages: list[dict[str, Any]] = field(default_factory=list)
    tickets: dict[str, str] = field(default_factory=dict)  # ticket id -> token
    dead_at_send: set[str] = field(default_factory=set)
    dead_at_receipt: set[str] = field(default_factory=set)
    rate_limit: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Unregister(BaseModel):
    at: str = "receipt"


class RateLimit(BaseModel):
    messages: int | None


def _errors(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message}]}, status_code=status)


def _error_ticket(message: str, error: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "details": {"error": error}}


def build_app(*, access_token: str | None = None) -> FastAPI:
    app = FastAPI(title="Expo push simulator", docs_url=None, redoc_url=None)
    state = ExpoState()
    app.state.expo = state

    def authorized(request: Request) -> bool:
        return access_token is None or request.headers.get("authorization") == f"Bearer {access_token}"

    @app.post(schemas.SEND_PATH)
    async def send(request: Request) -> JSONResponse:
        if not authorized(request):
            return _errors(401, "UNAUTHORIZED", "InvalidCredentials: the bearer token is not valid")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _errors(400, "VALIDATION_ERROR", "body is not JSON")
        messages = body if isinstance(body, list) else [body]
        if len(messages) > schemas.MAX_MESSAGES:
            return _errors(
                400,
                "PUSH_TOO_MANY_NOTIFICATIONS",
                "You are trying to send more than 100 push notifications in one request.",
            )
        tickets = []
        with state.lock:
            for message in messages:
                tickets.append(_ticket(state, message))
        return JSONResponse({"data": tickets})

    @app.post(schemas.RECEIPTS_PATH)
    async def receipts(request: Request) -> JSONResponse:
        if not authorized(request):
            return _errors(401, "UNAUTHORIZED", "InvalidCredentials: the bearer token is not valid")
        body = json.loads(await request.body())
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or len(ids) > schemas.MAX_RECEIPT_IDS:
            return _errors(400, "VALIDATION_ERROR", '"ids" must be a list of at most 1000 ticket ids')
        found: dict[str, Any] = {}
        with state.lock:
            for ticket_id in ids:
                token = state.tickets.get(str(ticket_id))
                if token is None:
                    continue
                if token in state.dead_at_receipt:
                    found[ticket_id] = _error_ticket(
                        f'"{token}" is not a registered push notification recipient', "DeviceNotRegistered"
                    )
                else:
                    found[ticket_id] = {"status": "ok"}
        return JSONResponse({"data": found})

    control = APIRouter(prefix="/__control", include_in_schema=False)

    @control.get("/messages")
    def messages() -> list[dict[str, Any]]:
        with state.lock:
            return list(state.messages)

    @control.post("/tokens/{token}/unregister", status_code=204)
    def unregister(token: str, body: Unregister) -> None:
        with state.lock:
            (state.dead_at_send if body.at == "send" else state.dead_at_receipt).add(token)

    @control.post("/rate-limit", status_code=204)
    def rate_limit(body: RateLimit) -> None:
        with state.lock:
            state.rate_limit = body.messages

    app.include_router(control)
    return wrap_with_faults(app, SimulatorControls(), None)


def _ticket(state: ExpoState, message: Any) -> dict[str, Any]:
    if not isinstance(message, dict) or not isinstance(message.get("to"), str):
        return _error_ticket('"to" is required', "InvalidRecipient")
    token = message["to"]
    if not schemas.TOKEN.match(token) or token in state.dead_at_send:
        return _error_ticket(
            f'"{token}" is not a registered push notification recipient', "DeviceNotRegistered"
        )
    if len(json.dumps(message).encode()) > schemas.MAX_MESSAGE_BYTES:
        return _error_ticket("Message too big: the payload exceeds 4096 bytes", "MessageTooBig")
    if state.rate_limit is not None and len(state.messages) >= state.rate_limit:
        return _error_ticket("Too many messages to this device", "MessageRateExceeded")
    ticket_id = str(uuid.uuid4())
    state.tickets[ticket_id] = token
    state.messages.append({**message, "ticket": ticket_id})
    return {"status": "ok", "id": ticket_id}
