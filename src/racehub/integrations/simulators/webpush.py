"""A local Web Push service: it hands out subscriptions (as a browser's push service would), then checks
and decrypts what is posted to them, and keeps it (`GET /__control/messages`).

- `POST /__control/subscriptions` → `{"endpoint", "keys": {"p256dh", "auth"}}` (it keeps the private key,
  standing in for the browser that would decrypt).
- `POST /push/{id}` (RFC 8030): needs `TTL`, `Content-Encoding: aes128gcm` and `Authorization: vapid t=<JWT>,
  k=<key>` whose ES256 signature checks out with `k`, `aud` the endpoint's origin, `exp` within 24 hours and
  a `sub`; then decrypts the body (RFC 8291) → 201 Created. Unknown subscription → 404; one expired with
  `POST /__control/subscriptions/{id}/expire` → 410 Gone. HTTP faults via `/__control/faults`.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from racehub.integrations.simulators.kit import SimulatorControls, wrap_with_faults


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Held:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    expired: bool = False


@dataclass
class PushState:
    subscriptions: dict[str, Held] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _refuse(status: int, reason: str) -> JSONResponse:
    return JSONResponse(
        {"code": status, "errno": 109 if status == 401 else 0, "error": reason, "message": reason},
        status_code=status,
    )


def _check_vapid(header: str, endpoint_origin: str) -> str | None:
    """Why the Authorization header fails RFC 8292, or None when it passes."""
    if not header.lower().startswith("vapid "):
        return "Authorization must use the vapid scheme"
    params = dict(part.strip().split("=", 1) for part in header[6:].split(",") if "=" in part)
    token, key = params.get("t"), params.get("k")
    if not token or not key:
        return "vapid needs t= and k="
    try:
        point = unb64url(key)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        claims = jwt.decode(
            token, pem, algorithms=["ES256"], audience=endpoint_origin, options={"require": ["exp", "aud"]}
        )
    except (ValueError, jwt.PyJWTError) as exc:
        return f"vapid token rejected: {type(exc).__name__}"
    if claims["exp"] > time.time() + 24 * 3600:
        return "vapid exp is more than 24 hours away"
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        return "vapid sub must be a mailto: or https: URL"
    return None


def build_app() -> FastAPI:
    app = FastAPI(title="Web Push service simulator", docs_url=None, redoc_url=None)
    state = PushState()
    app.state.push = state

    @app.post("/push/{subscription_id}", status_code=201)
    async def push(subscription_id: str, request: Request) -> Response:
        with state.lock:
            held = state.subscriptions.get(subscription_id)
        if held is None:
            return _refuse(404, "no such subscription")
        if held.expired:
            return _refuse(410, "the subscription has expired")
        if request.headers.get("content-encoding") != "aes128gcm":
            return _refuse(415, "Content-Encoding must be aes128gcm")
        ttl = request.headers.get("ttl")
        if ttl is None or not ttl.isdigit():
            return _refuse(400, "TTL header required")
        origin = f"{request.url.scheme}://{request.url.netloc}"
        problem = _check_vapid(request.headers.get("authorization", ""), origin)
        if problem is not None:
            return _refuse(401, problem)
        body = await request.body()
        try:
            clear = http_ece.decrypt(
                body, private_key=held.private_key, auth_secret=held.auth, version="aes128gcm"
            )
        except Exception as exc:
            return _refuse(400, f"cannot decrypt the payload ({type(exc).__name__})")
        try:
            payload: Any = json.loads(clear)
        except ValueError:
            payload = clear.decode(errors="replace")
        message_id = str(uuid.uuid4())
        with state.lock:
            state.messages.append(
                {
                    "id": message_id,
                    "subscription": subscription_id,
                    "ttl": int(ttl),
                    "urgency": request.headers.get("urgency"),
                    "payload": payload,
                }
            )
        return Response(status_code=201, headers={"Location": f"{origin}/message/{message_id}"})

    control = APIRouter(prefix="/__control", include_in_schema=False)

    @control.post("/subscriptions")
    def subscribe(request: Request) -> dict[str, Any]:
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth = uuid.uuid4().bytes
        subscription_id = uuid.uuid4().hex
        with state.lock:
            state.subscriptions[subscription_id] = Held(private_key, auth)
        base = str(request.base_url).rstrip("/")
        return {
            "endpoint": f"{base}/push/{subscription_id}",
            "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
        }

    @control.post("/subscriptions/{subscription_id}/expire", status_code=204)
    def expire(subscription_id: str) -> None:
        with state.lock:
            if subscription_id in state.subscriptions:
                state.subscriptions[subscription_id].expired = True

    @control.get("/messages")
    def messages() -> list[dict[str, Any]]:
        with state.lock:
            return list(state.messages)

    app.include_router(control)
    return wrap_with_faults(app, SimulatorControls(), None)
