"""Open WebUI's signed user header: the only Open WebUI identity RaceHub trusts.

With `ENABLE_FORWARD_USER_INFO_HEADERS=true` and `FORWARD_USER_INFO_HEADER_JWT_SECRET` set, Open WebUI
sends `X-OpenWebUI-User-Jwt`: an HS256 JWT with `sub, email, name, role, iss=open-webui, exp`. The
algorithm is pinned (no `none`, no RS/HS confusion), `iss` and `exp` are required and checked. The plain
`X-OpenWebUI-User-Email`/`-Name`/`-Id` headers are never read: anyone who can reach the API can set them.
"""

from __future__ import annotations

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
