"""Expo push service shapes (https://docs.expo.dev/push-notifications/sending-notifications/).

Send: `POST /--/api/v2/push/send` with up to 100 messages `{to, title, body, data, ttl, priority,
channelId, sound}` → `{"data": [ticket, ...]}` in the same order, a ticket being `{"status": "ok", "id"}` or
`{"status": "error", "message", "details": {"error": "DeviceNotRegistered" | "MessageTooBig" |
"MessageRateExceeded" | "InvalidCredentials" | ...}}`. Receipts, about 15 minutes later:
`POST /--/api/v2/push/getReceipts {"ids": [...]}` (up to 1,000) → `{"data": {id: receipt}}`. A request
refused as a whole answers 4xx/5xx with `{"errors": [{"code", "message"}]}` (429 `TOO_MANY_REQUESTS`).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

SEND_PATH = "/--/api/v2/push/send"
RECEIPTS_PATH = "/--/api/v2/push/getReceipts"
MAX_MESSAGES = 100
MAX_RECEIPT_IDS = 1000
MAX_MESSAGE_BYTES = 4096
TOKEN = re.compile(r"^(?:ExponentPushToken|ExpoPushToken)\[[A-Za-z0-9_\-]{10,200}\]$")


class _Expo(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Details(_Expo):
    error: str | None = None


class Ticket(_Expo):
    status: Literal["ok", "error"]
    id: str | None = None
    message: str | None = None
    details: Details | None = None

    @property
    def error(self) -> str | None:
        return self.details.error if self.details is not None else None


class SendResponse(_Expo):
    data: list[Ticket]


class Receipt(_Expo):
    status: Literal["ok", "error"]
    message: str | None = None
    details: Details | None = None

    @property
    def error(self) -> str | None:
        return self.details.error if self.details is not None else None


class ReceiptsResponse(_Expo):
    data: dict[str, Receipt]


class Message(BaseModel):
    """One notification as Expo takes it."""

    to: str
    title: str
    body: str
    data: dict[str, Any] = {}
    ttl: int | None = None
    priority: Literal["default", "normal", "high"] = "high"
    channelId: str | None = None
    sound: str | None = "default"
