"""Open WebUI's signed user header: the only Open WebUI identity RaceHub trusts.

With `ENABLE_FORWARD_USER_INFO_HEADERS=true` and `FORWARD_USER_INFO_HEADER_JWT_SECRET` set, Open WebUI
sends `X-OpenWebUI-User-Jwt`: an HS256 JWT with `sub, email, name, role, iss=open-webui, exp`. The
algorithm is pinned (no `none`, no RS/HS confusion), `iss` and `exp` are required and checked. The plain
`X-OpenWebUI-User-Email`/`-Name`/`-Id` headers are never read: anyone who can reach the API can set them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from racehub.errors import Unauthorized

JWT_HEADER = "X-OpenWebUI-User-Jwt"
CHAT_ID_HEADER = "X-OpenWebUI-Chat-Id"
LEEWAY_S = 30


@dataclass(frozen=True)
class OpenWebUIUser:
    sub: str
    email: str
    name: str | None
    role: str | None


def verify_user_jwt(token: str, secret: str | None, issuer: str) -> OpenWebUIUser:
    """The Open WebUI user a signed header names; Unauthorized (401) for anything not provably signed."""
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
    except jwt.InvalidTokenError:
        raise Unauthorized(f"{JWT_HEADER} is not validly signed") from None
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
            "the two secrets differ: RaceHub refuses the headers Open WebUI signs (401 'not validly signed')"
        )
    if not problems and len(racehub_secret.encode()) < MIN_SECRET_BYTES:
        problems.append(f"the shared secret is shorter than {MIN_SECRET_BYTES} bytes: openssl rand -hex 32")
    return SecretCheck(not problems, problems)
