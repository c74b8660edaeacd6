"""Push devices and sending.

Devices register with an Expo push token (the mobile app) or a Web Push subscription (the page). Messages
are queued in `push_messages`, one per device and event (a retried job queues nothing twice), and sent by
the `racehub.push.deliver` job: Expo in batches of up to 100 under the service's rate, Web Push one by one.
A message is marked `sending` in a committed transaction before it is handed over, so a retry never sends
it again; one left `sending` by a dead worker becomes `unknown` (at most once, never twice). Expo receipts
are read `RACEHUB_EXPO_RECEIPT_DELAY_S` later; `DeviceNotRegistered` (ticket or receipt) and Web Push
404/410 disable the device.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from racehub.config import Settings
from racehub.db import Database, Scope
from racehub.errors import Forbidden, InvalidInput, NotFound
from racehub.integrations.base import VendorError
from racehub.integrations.expo.client import ExpoPushClient
from racehub.integrations.expo.schemas import MAX_MESSAGES, TOKEN, Message
from racehub.integrations.http import LOCAL_SIMULATOR_HOSTS, HttpPolicy
from racehub.integrations.webpush.client import Subscription, WebPushClient
from racehub.push import repository, texts, vapid
from racehub.push.repository import NewMessage, Outgoing
from racehub.push.schemas import DeviceIn, DeviceList, DeviceOut, PushConfig

STUCK_AFTER = timedelta(minutes=5)
RECEIPT_BATCH = 1000


class DeviceNotFound(NotFound):
    pass


# --- devices ---------------------------------------------------------------------------------------------


def config(settings: Settings) -> PushConfig:
    return PushConfig(
        vapid_public_key=vapid.public_key(vapid.load(settings.home)), max_follows=settings.push_max_follows
    )


def _check_endpoint(endpoint: str, settings: Settings) -> None:
    parts = urlsplit(endpoint)
    local = parts.hostname in settings.webpush_allowed_hosts
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise InvalidInput("subscription.endpoint: a Web Push endpoint must be an https:// URL")
    if not parts.hostname:
        raise InvalidInput("subscription.endpoint: not a URL")


def register(
    session: Session, settings: Settings, *, org_id: int, user_id: int, role: str | None, device: DeviceIn
) -> DeviceOut:
    """Register (or refresh) the caller's device; staff devices get race-day alarms unless they opt out."""
    if device.kind == "expo":
        if device.token is None or not TOKEN.match(device.token):
            raise InvalidInput("token: an Expo push token looks like ExponentPushToken[...]")
        address, p256dh, auth = device.token, None, None
    else:
        if device.subscription is None:
            raise InvalidInput(
                "subscription: a Web Push subscription {endpoint, keys: {p256dh, auth}} is needed"
            )
        _check_endpoint(device.subscription.endpoint, settings)
        address = device.subscription.endpoint
        p256dh, auth = device.subscription.keys.p256dh, device.subscription.keys.auth
    alarms = device.alarms if device.alarms is not None else role in ("owner", "staff")
    device_id = repository.upsert_device(
        session,
        org_id=org_id,
        user_id=user_id,
        kind=device.kind,
        address=address,
        p256dh=p256dh,
        auth=auth,
        label=device.label,
        alarms=alarms,
    )
    found = repository.device(session, device_id)
    assert found is not None
    return DeviceOut.model_validate(found)


def list_devices(session: Session, *, user_id: int, everyone: bool, role: str | None) -> DeviceList:
    """The caller's devices; an owner may list everyone's in the tenant."""
    if everyone and role not in ("owner", "operator"):
        raise Forbidden("only an owner may list everyone's devices")
    rows = repository.devices(session, user_id=None if everyone else user_id)
    return DeviceList(devices=[DeviceOut.model_validate(r) for r in rows])


def revoke(session: Session, device_id: int, *, user_id: int, role: str | None) -> None:
    """Forget a device (its messages go with it): its owner may, and so may the tenant's owner."""
    found = repository.device(session, device_id)
    if found is None or (found["user_id"] != user_id and role not in ("owner", "operator")):
        raise DeviceNotFound(f"device {device_id} not found")
    repository.delete_device(session, device_id)


def forget_user(session: Session, user_id: int) -> dict[str, int]:
    """Erase a person's push data in the tenant: devices, follows and the messages sent to them."""
    return repository.delete_user_data(session, user_id)


def queue_test(session: Session, device_id: int, *, org_id: int, user_id: int) -> None:
    found = repository.device(session, device_id)
    if found is None or found["user_id"] != user_id:
        raise DeviceNotFound(f"device {device_id} not found")
    text = texts.test_message(found["label"])
    repository.insert_messages(
        session,
        [NewMessage(org_id, device_id, f"test:{uuid.uuid4()}", text.title, text.body, {"kind": "test"})],
    )


# --- sending ---------------------------------------------------------------------------------------------


@dataclass
class Senders:
    """How messages leave: built from settings, swappable in tests (no sleeping)."""

    settings: Settings
    sleep: Callable[[float], None] = time.sleep
    policy: HttpPolicy | None = None

    def expo(self) -> ExpoPushClient:
        base = self.settings.simulator_urls.get("expo", self.settings.expo_push_url)
        local = urlsplit(base).hostname in LOCAL_SIMULATOR_HOSTS
        policy = self.policy or (HttpPolicy.for_local_simulator() if local else HttpPolicy())
        token = (
            self.settings.expo_access_token.get_secret_value() if self.settings.expo_access_token else None
        )
        return ExpoPushClient(base_url=base, access_token=token, policy=policy, sleep=self.sleep)

    def webpush(self) -> WebPushClient:
        allowed = frozenset(self.settings.webpush_allowed_hosts)
        policy = self.policy or HttpPolicy(max_attempts=3, allowed_private_hosts=allowed)
        if allowed and not policy.allowed_private_hosts:
            policy = HttpPolicy(**{**policy.__dict__, "allowed_private_hosts": allowed})
        return WebPushClient(
            vapid.load(self.settings.home), self.settings.vapid_subject, policy=policy, sleep=self.sleep
        )


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    disabled: int = 0
    requeued: int = 0
    tickets: int = 0
    errors: list[str] = field(default_factory=list)


def _payload(message: Outgoing) -> dict[str, Any]:
    return {"title": message.title, "body": message.body, "data": message.data}


def deliver(database: Database, senders: Senders, org_id: int) -> DeliveryReport:
    """Send everything queued for the tenant's devices; returns what happened."""
    report = DeliveryReport()
    _deliver_expo(database, senders, org_id, report)
    _deliver_webpush(database, senders, org_id, report)
    return report


def _in_tenant(database: Database, org_id: int) -> Any:
    return database.session(Scope.tenant(org_id))


def _deliver_expo(database: Database, senders: Senders, org_id: int, report: DeliveryReport) -> None:
    with closing(senders.expo()) as client:
        while True:
            with _in_tenant(database, org_id) as session:
                batch = repository.claim(session, "expo", MAX_MESSAGES)
            if not batch:
                return
            started = time.monotonic()
            messages = [
                Message(
                    to=m.device.address,
                    title=m.title,
                    body=m.body,
                    data=m.data,
                    ttl=24 * 3600,
                    channelId="race-day",
                )
                for m in batch
            ]
            try:
                tickets = client.send(messages)
            except VendorError as exc:
                with _in_tenant(database, org_id) as session:
                    # 429 and 503 mean Expo did not act on the request: those go back in the queue. Any other
                    # failure may have been delivered: unknown, never sent twice.
                    state = "queued" if exc.retryable and exc.vendor_status in (429, 503) else "unknown"
                    for m in batch:
                        repository.mark(session, m.id, state, error=exc.message[:300])
                report.requeued += len(batch) if state == "queued" else 0
                report.errors.append(exc.message[:300])
                if state == "queued":
                    raise
                return
            with _in_tenant(database, org_id) as session:
                for m, ticket in zip(batch, tickets, strict=True):
                    if ticket.status == "ok":
                        repository.mark(session, m.id, "sent", ticket_id=ticket.id)
                        report.sent += 1
                        report.tickets += 1
                    elif ticket.error == "MessageRateExceeded":
                        repository.mark(session, m.id, "queued", error="MessageRateExceeded")
                        report.requeued += 1
                    else:
                        repository.mark(
                            session, m.id, "failed", error=f"{ticket.error}: {ticket.message}"[:300]
                        )
                        report.failed += 1
                        if ticket.error == "DeviceNotRegistered":
                            repository.disable(session, m.device.id, "DeviceNotRegistered (Expo)")
                            report.disabled += 1
                repository.drop_queued_of_disabled(session)
            # Stay under the service's rate (about 600 notifications a second per project).
            wait = len(batch) / senders.settings.expo_max_per_s - (time.monotonic() - started)
            if wait > 0:
                senders.sleep(wait)
            if report.requeued:
                return  # rate-limited: the job is retried later


def _deliver_webpush(database: Database, senders: Senders, org_id: int, report: DeliveryReport) -> None:
    with closing(senders.webpush()) as client:
        while True:
            with _in_tenant(database, org_id) as session:
                batch = repository.claim(session, "webpush", 50)
            if not batch:
                return
            for m in batch:
                assert m.device.p256dh is not None
                assert m.device.auth is not None
                subscription = Subscription(m.device.address, m.device.p256dh, m.device.auth)
                try:
                    outcome = client.send(subscription, json.dumps(_payload(m)).encode(), ttl=24 * 3600)
                except VendorError as exc:
                    with _in_tenant(database, org_id) as session:
                        repository.mark(session, m.id, "failed", error=exc.message[:300])
                    report.failed += 1
                    report.errors.append(exc.message[:300])
                    continue
                with _in_tenant(database, org_id) as session:
                    if outcome.ok:
                        repository.mark(session, m.id, "delivered")
                        report.sent += 1
                    else:
                        repository.mark(
                            session, m.id, "failed", error=f"HTTP {outcome.status}: subscription gone"
                        )
                        repository.disable(
                            session, m.device.id, f"HTTP {outcome.status} from the push service"
                        )
                        repository.drop_queued_of_disabled(session)
                        report.failed += 1
                        report.disabled += 1


@dataclass
class ReceiptReport:
    delivered: int = 0
    failed: int = 0
    disabled: int = 0
    waiting: int = 0


def read_receipts(
    database: Database, senders: Senders, org_id: int, *, before: datetime | None = None
) -> ReceiptReport:
    """Expo receipts of messages sent before `before` (default: the receipt delay ago)."""
    report = ReceiptReport()
    cutoff = before or datetime.now(UTC) - timedelta(seconds=senders.settings.expo_receipt_delay_s)
    with closing(senders.expo()) as client:
        with _in_tenant(database, org_id) as session:
            due = repository.tickets_due(session, cutoff, RECEIPT_BATCH)
        while due:
            receipts = client.receipts([ticket for _, ticket, _ in due])
            with _in_tenant(database, org_id) as session:
                for message_id, ticket, device_id in due:
                    receipt = receipts.get(ticket)
                    if receipt is None:
                        report.waiting += 1
                        continue
                    if receipt.status == "ok":
                        repository.mark(session, message_id, "delivered")
                        report.delivered += 1
                        continue
                    repository.mark(
                        session, message_id, "failed", error=f"{receipt.error}: {receipt.message}"[:300]
                    )
                    report.failed += 1
                    if receipt.error == "DeviceNotRegistered":
                        repository.disable(session, device_id, "DeviceNotRegistered (Expo receipt)")
                        report.disabled += 1
                repository.drop_queued_of_disabled(session)
            if len(due) < RECEIPT_BATCH or report.waiting:
                break
            with _in_tenant(database, org_id) as session:
                due = repository.tickets_due(session, cutoff, RECEIPT_BATCH)
    return report


def abandon_stuck(session: Session) -> int:
    return repository.abandon_stuck(session, datetime.now(UTC) - STUCK_AFTER)


def recent_messages(session: Session, *, user_id: int, limit: int = 50) -> Sequence[Any]:
    return repository.messages(session, user_id=user_id, limit=limit)
