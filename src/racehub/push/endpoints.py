"""HTTP routes of push: registering devices (Expo tokens, Web Push subscriptions), revoking them, test
messages, the VAPID key, and erasing one's own push data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from racehub.auth.callers import Caller
from racehub.auth.dependencies import CurrentCaller, TenantSession
from racehub.config import Settings
from racehub.errors import InvalidInput
from racehub.live import queue
from racehub.push import service
from racehub.push.schemas import DeviceIn, DeviceList, DeviceOut, ForgetReport, MessageOut, PushConfig

router = APIRouter(tags=["push"])
DeviceId = Annotated[int, Path(ge=1, le=2**63 - 1, description="device id")]


def _org(caller: Caller) -> int:
    if caller.org_id is None:
        raise InvalidInput("devices belong to one timing company: use a key of one organization")
    return caller.org_id


@router.get("/push/config")
def push_config(caller: CurrentCaller, request: Request) -> PushConfig:
    """What a client needs to subscribe: the VAPID public key (Web Push `applicationServerKey`)."""
    settings: Settings = request.app.state.settings
    return service.config(settings)


@router.post("/devices", status_code=201)
def register_device(
    caller: CurrentCaller, session: TenantSession, body: DeviceIn, request: Request
) -> DeviceOut:
    """Register this device for notifications: an Expo push token (`kind: expo`) or a browser's Web Push
    subscription (`kind: webpush`). Registering the same token again updates it."""
    settings: Settings = request.app.state.settings
    return service.register(
        session, settings, org_id=_org(caller), user_id=caller.user_id, role=caller.role, device=body
    )


@router.get("/devices")
def list_devices(
    caller: CurrentCaller,
    session: TenantSession,
    everyone: Annotated[bool, Query(alias="all", description="every device of the company (owners)")] = False,
) -> DeviceList:
    """Your devices (an owner may list everyone's, to revoke a lost phone's)."""
    _org(caller)
    return service.list_devices(session, user_id=caller.user_id, everyone=everyone, role=caller.role)


@router.delete("/devices/{device_id}", status_code=204)
def revoke_device(caller: CurrentCaller, session: TenantSession, device_id: DeviceId) -> Response:
    """Stop notifying a device and forget it (yours, or any of the company's for an owner)."""
    _org(caller)
    service.revoke(session, device_id, user_id=caller.user_id, role=caller.role)
    return Response(status_code=204)


@router.post("/devices/{device_id}/test", status_code=202)
def test_device(caller: CurrentCaller, session: TenantSession, device_id: DeviceId) -> dict[str, str]:
    """Send a test notification to one of your devices."""
    org_id = _org(caller)
    service.queue_test(session, device_id, org_id=org_id, user_id=caller.user_id)
    queue.defer_delivery(session, org_id)
    return {"status": "queued"}


@router.get("/devices/messages")
def recent_messages(
    caller: CurrentCaller, session: TenantSession, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[MessageOut]:
    """The notifications sent to your devices lately, with what became of each."""
    _org(caller)
    return [
        MessageOut.model_validate(m)
        for m in service.recent_messages(session, user_id=caller.user_id, limit=limit)
    ]


@router.delete("/me/push")
def forget_my_push_data(caller: CurrentCaller, session: TenantSession) -> ForgetReport:
    """Erase your devices, your follows and the notifications sent to you, in this company."""
    _org(caller)
    return ForgetReport(**service.forget_user(session, caller.user_id))
