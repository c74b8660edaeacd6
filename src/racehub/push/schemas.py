"""What the devices and push API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WebPushKeys(BaseModel):
    p256dh: str = Field(
        min_length=40, max_length=200, description="the browser's P-256 public key, base64url"
    )
    auth: str = Field(min_length=10, max_length=100, description="the subscription's auth secret, base64url")


class WebPushSubscription(BaseModel):
    """A browser's `PushSubscription.toJSON()`."""

    endpoint: str = Field(min_length=10, max_length=2000)
    keys: WebPushKeys


class DeviceIn(BaseModel):
    """A device to notify: the mobile app's Expo push token, or the page's Web Push subscription."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["expo", "webpush"]
    token: str | None = Field(default=None, max_length=250, description="Expo: `ExponentPushToken[...]`")
    subscription: WebPushSubscription | None = Field(
        default=None, description="Web Push: the browser's subscription"
    )
    label: str | None = Field(
        default=None, max_length=100, description="a name to tell devices apart, e.g. `Jo's iPhone`"
    )
    alarms: bool | None = Field(
        default=None, description="race-day alarms on this device (default: on for owners and staff)"
    )


class DeviceOut(BaseModel):
    id: int
    user_id: int
    user_name: str
    kind: Literal["expo", "webpush"]
    label: str | None
    shown: str = Field(description="enough of the token or push service to recognise it")
    alarms: bool
    created_at: datetime
    last_sent_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None


class DeviceList(BaseModel):
    devices: list[DeviceOut]


class PushConfig(BaseModel):
    vapid_public_key: str = Field(description="the `applicationServerKey` for `PushManager.subscribe()`")
    max_follows: int = Field(description="runners one person may follow at once")


class MessageOut(BaseModel):
    id: int
    device_id: int
    title: str
    body: str
    state: Literal["queued", "sending", "sent", "delivered", "failed", "unknown"]
    error: str | None
    created_at: datetime
    sent_at: datetime | None


class ForgetReport(BaseModel):
    devices: int
    follows: int
    messages: int
