"""HTTP routes of identity: logging in on the web page (`/v1/auth/*`), and an owner's API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from racehub.auth import service
from racehub.auth.callers import ChatCaller
from racehub.auth.challenges import AccountClaim
from racehub.auth.claims import read_claim
from racehub.auth.dependencies import (
    CurrentChatCaller,
    OwnerCaller,
    TenantSession,
    client_host,
    database_of,
    run_with_connection,
)
from racehub.auth.login import LoginService, WebLogin
from racehub.auth.repository import KeyRow
from racehub.auth.schemas import (
    ApiKeyOut,
    ApiKeyPage,
    ChallengeIn,
    ChallengeOut,
    PasswordIn,
    SessionOut,
    VerifyIn,
    WhoAmI,
)
from racehub.config import Settings
from racehub.errors import InvalidInput

router = APIRouter(tags=["keys"])
login_router = APIRouter(prefix="/auth", tags=["login"])
# The web page's wording (plain text: the page shows it as it is; its form has a code field).
CODE_SENT_WEB = (
    "If {claim} has a RaceHub account, a 6-digit login code is on its way to the email on file. "
    "Enter it below; it works once and expires in {minutes} minutes."
)


def login_service(request: Request) -> LoginService:
    """The app's login service."""
    service_: LoginService | None = getattr(request.app.state, "login_service", None)
    if service_ is None:
        settings: Settings = request.app.state.settings
        service_ = LoginService(database_of(request), settings)
        request.app.state.login_service = service_
    return service_


Logins = Annotated[LoginService, Depends(login_service)]


def _address(request: Request) -> str:
    return client_host(request) or "unknown"


def _who(caller: ChatCaller) -> WhoAmI:
    identity = caller.identity
    if identity is None:
        return WhoAmI(kind=caller.kind, link_to=caller.unlinked.email if caller.unlinked else None)
    return WhoAmI(
        kind=caller.kind,
        name=identity.name,
        email=identity.email,
        organization=identity.org_name,
        role=identity.role,
        via=identity.via,
    )


def _session_out(web: WebLogin) -> SessionOut:
    login = web.login
    user = WhoAmI(
        kind="session",
        name=login.name,
        email=login.email,
        organization=login.org_name,
        role=login.role,
        via=login.method,
    )
    return SessionOut(token=web.token, expires_at=web.expires_at, user=user)


@login_router.post("/challenge")
async def start_login(body: ChallengeIn, logins: Logins, request: Request) -> ChallengeOut:
    """Start a login: a one-time code goes to the email on file (same reply whether or not it exists)."""
    said = (body.email or body.text or "").strip()
    if "@" in said and " " not in said:
        claim: AccountClaim | None = AccountClaim(email=said)
    else:
        claimed = read_claim(said)
        claim = claimed.claim if claimed else None
    if claim is None:
        raise InvalidInput('say who you are: an email address, or "I\'m Jane from Acme Racing"')
    address = _address(request)
    issued = await run_with_connection(request, lambda: logins.start(claim, address=address, via="session"))
    ttl = logins.settings.login_code_ttl_s
    message = CODE_SENT_WEB.format(claim=claim.describe(), minutes=max(ttl // 60, 1))
    return ChallengeOut(challenge=issued.token, message=message, expires_in=ttl)


@login_router.post("/verify")
async def verify_login(body: VerifyIn, logins: Logins, request: Request) -> SessionOut:
    """Finish a login with the code from the email (or the password): returns a session token."""
    if not (body.code or body.password):
        raise InvalidInput("give the code from the email, or your password")
    address = _address(request)
    web = await run_with_connection(
        request,
        lambda: logins.verify_token(body.challenge, code=body.code, password=body.password, address=address),
    )
    return _session_out(web)


@login_router.post("/password")
async def password_login(body: PasswordIn, logins: Logins, request: Request) -> SessionOut:
    """Log in with email and password: returns a session token."""
    address = _address(request)
    web = await run_with_connection(
        request, lambda: logins.password_login(body.email, body.password, address=address)
    )
    return _session_out(web)


@login_router.get("/me")
async def who_am_i(caller: CurrentChatCaller) -> WhoAmI:
    """Who the credential on this request acts for."""
    return _who(caller)


_bearer = HTTPBearer(auto_error=False)


@login_router.post("/logout", status_code=204)
async def logout(
    request: Request,
    logins: Logins,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    """End a web session (API keys are revoked with `racehub keys`, not here)."""
    if credentials is not None:
        token = credentials.credentials.strip()
        await run_with_connection(request, lambda: logins.revoke_session(token))
    return Response(status_code=204)


def _out(key: KeyRow) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        prefix=key.prefix,
        kind="connector" if key.kind == "connector" else "user",
        label=key.label,
        user_email=key.user_email,
        organization=key.org_slug,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
    )


@router.get("/keys")
def list_keys(
    caller: OwnerCaller,
    session: TenantSession,
    revoked: Annotated[bool, Query(description="include revoked keys")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ApiKeyPage:
    """The API keys of the caller's company, newest first (owner only); never their values."""
    keys = service.list_keys(session, org_id=caller.org_id, include_revoked=revoked)
    return ApiKeyPage(
        total=len(keys), limit=limit, offset=offset, items=[_out(k) for k in keys[offset : offset + limit]]
    )


@router.delete("/keys/{key_id}")
def revoke_key(key_id: int, caller: OwnerCaller, session: TenantSession) -> ApiKeyOut:
    """Revoke one of the company's API keys at once (owner only); 404 for any other key."""
    return _out(service.revoke_key(session, key_id, org_id=caller.org_id))
