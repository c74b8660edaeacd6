"""Sending one Web Push message: the payload encrypted to the subscription's keys (`aes128gcm`, RFC 8291,
by pywebpush/http_ece), signed for the push service with our VAPID key (RFC 8292, by py_vapid), posted
(RFC 8030) through the hardened HTTP client: the endpoint is a URL a browser gave us, so private and
metadata addresses are refused unless allowed (a local push service in tests and the demo).

201/202 means the push service took it; 404 or 410 means the subscription is gone (stop using it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from py_vapid import Vapid
from pywebpush import WebPusher

from racehub.integrations.base import VendorError, VendorNotFound
from racehub.integrations.http import HttpPolicy, SleepFn, VendorHttp

MAX_PAYLOAD_BYTES = 3993  # 4096-byte record less the aes128gcm header and padding delimiter
GONE = frozenset({404, 410})


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Delivery:
    ok: bool
    gone: bool
    status: int | None
    error: str | None = None


class WebPushClient:
    vendor = "webpush"

    def __init__(
        self, vapid: Vapid, subject: str, *, policy: HttpPolicy | None = None, sleep: SleepFn = time.sleep
    ) -> None:
        self._vapid = vapid
        self._subject = subject
        self._http = VendorHttp(self.vendor, "", policy or HttpPolicy(max_attempts=3), sleep=sleep)

    def close(self) -> None:
        self._http.close()

    def send(
        self, subscription: Subscription, payload: bytes, *, ttl: int = 3600, urgency: str = "high"
    ) -> Delivery:
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise ValueError(
                f"a Web Push payload holds at most {MAX_PAYLOAD_BYTES} bytes, not {len(payload)}"
            )
        pusher = WebPusher(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }
        )
        body = pusher.encode(payload, "aes128gcm")["body"]
        parts = urlsplit(subscription.endpoint)
        claims = {
            "sub": self._subject,
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + 12 * 3600,
        }
        headers = {
            **self._vapid.sign(claims),
            "TTL": str(ttl),
            "Urgency": urgency,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        try:
            raw = self._http.request("POST", subscription.endpoint, headers=headers, content=body)
        except VendorNotFound as exc:
            return Delivery(False, True, exc.vendor_status, "the subscription is gone")
        except VendorError as exc:
            if exc.vendor_status in GONE:
                return Delivery(False, True, exc.vendor_status, "the subscription is gone")
            raise
        return Delivery(True, False, raw.status_code)
