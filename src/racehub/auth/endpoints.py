"""HTTP routes of API keys: an owner lists and revokes their company's keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from racehub.auth import service
from racehub.auth.dependencies import OwnerCaller, TenantSession
from racehub.auth.repository import KeyRow
from racehub.auth.schemas import ApiKeyOut, ApiKeyPage

router = APIRouter(tags=["keys"])


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
