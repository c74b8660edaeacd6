"""Open WebUI's signed user header: the only Open WebUI identity RaceHub trusts.

With `ENABLE_FORWARD_USER_INFO_HEADERS=true` and `FORWARD_USER_INFO_HEADER_JWT_SECRET` set, Open WebUI
sends `X-OpenWebUI-User-Jwt`: an HS256 JWT with `sub, email, name, role, iss=open-webui, exp`. The
algorithm is pinned (no `none`, no RS/HS confusion), `iss` and `exp` are required and checked. The plain
`X-OpenWebUI-User-Email`/`-Name`/`-Id` headers are never read: anyone who can reach the API can set them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import jwt
import structlog

from racehub.auth.callers import OpenWebUIUser
from racehub.errors import Unauthorized

log = structlog.get_logger(__name__)

JWT_HEADER = "X-OpenWebUI-User-Jwt"
CHAT_ID_HEADER = "X-OpenWebUI-Chat-Id"
LEEWAY_S = 30
DEFAULT_MAX_LIFETIME_S = 24 * 3600
SECRET_MISMATCH = (
    f"{JWT_HEADER} does not verify with RACEHUB_OPENWEBUI_JWT_SECRET: it must be the value of Open WebUI's "
    "FORWARD_USER_INFO_HEADER_JWT_SECRET (check both with `racehub openwebui check`)"
)
_LOG_EVERY_S = 60.0
_last_logged = {"mismatch": 0.0}
_log_lock = threading.Lock()


def _warn_mismatch() -> None:
    """One log line a minute at most: a misconfigured secret refuses every header, and the operator
    needs to see why without a line per request."""
    with _log_lock:
        now = time.monotonic()
        if now - _last_logged["mismatch"] < _LOG_EVERY_S:
            return
        _last_logged["mismatch"] = now
    log.warning(
        "open webui user header does not verify: RACEHUB_OPENWEBUI_JWT_SECRET differs from Open WebUI's "
        "FORWARD_USER_INFO_HEADER_JWT_SECRET (or the header is forged)"
    )


def verify_user_jwt(
    token: str, secret: str | None, issuer: str, *, max_lifetime_s: int = DEFAULT_MAX_LIFETIME_S
) -> OpenWebUIUser:
    """The Open WebUI user a signed header names; Unauthorized (401) for anything not provably signed,
    expired, or valid for longer than `max_lifetime_s` from now."""
    if not secret:
        raise Unauthorized(f"{JWT_HEADER} cannot be verified: RACEHUB_OPENWEBUI_JWT_SECRET is not set")
    try:
        claims = jwt.decode(
            token.strip(),
            secret,
            algorithms=["HS256"],
            issuer=issuer,
            leeway=LEEWAY_S,
            options={"require": ["exp", "iss", "email"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized(f"{JWT_HEADER} has expired") from None
    except jwt.InvalidSignatureError:
        _warn_mismatch()
        raise Unauthorized(SECRET_MISMATCH) from None
    except jwt.InvalidTokenError:
        raise Unauthorized(f"{JWT_HEADER} is not validly signed") from None
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires - time.time() > max_lifetime_s + LEEWAY_S:
        raise Unauthorized(f"{JWT_HEADER} is valid for longer than {max_lifetime_s} s: refused")
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise Unauthorized(f"{JWT_HEADER} names no email")
    name, role = claims.get("name"), claims.get("role")
    return OpenWebUIUser(
        sub=str(claims.get("sub") or email),
        email=email,
        name=name if isinstance(name, str) else None,
        role=role if isinstance(role, str) else None,
    )


def sign_user_jwt(secret: str, email: str, issuer: str = "open-webui", ttl_s: int = 300) -> str:
    """A user header as Open WebUI signs it (for checking a setup: `racehub openwebui check`)."""
    now = int(time.time())
    claims = {
        "sub": f"check:{email}",
        "email": email,
        "name": None,
        "role": "user",
        "iss": issuer,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


@dataclass(frozen=True)
class SecretCheck:
    ok: bool
    problems: list[str]


MIN_SECRET_BYTES = 32


def check_shared_secret(openwebui_secret: str | None, racehub_secret: str | None, issuer: str) -> SecretCheck:
    """Whether a header Open WebUI signs with its FORWARD_USER_INFO_HEADER_JWT_SECRET passes RaceHub's
    RACEHUB_OPENWEBUI_JWT_SECRET (neither value is shown: only whether they agree)."""
    problems = []
    if not racehub_secret:
        problems.append(
            "RACEHUB_OPENWEBUI_JWT_SECRET is not set: RaceHub refuses every Open WebUI user header"
        )
    if not openwebui_secret:
        problems.append(
            "Open WebUI's FORWARD_USER_INFO_HEADER_JWT_SECRET is empty: it sends no signed header"
        )
    if not (openwebui_secret and racehub_secret):
        return SecretCheck(False, problems)
    try:
        verify_user_jwt(sign_user_jwt(openwebui_secret, "probe@example.com", issuer), racehub_secret, issuer)
    except Unauthorized:
        problems.append(
            "the two secrets differ: RaceHub refuses the headers Open WebUI signs (401 'does not verify')"
        )
    if not problems and len(racehub_secret.encode()) < MIN_SECRET_BYTES:
        problems.append(f"the shared secret is shorter than {MIN_SECRET_BYTES} bytes: openssl rand -hex 32")
    return SecretCheck(not problems, problems)
