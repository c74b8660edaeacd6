"""All SQL of push: devices, the messages outbox and its states."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from racehub.db import rowcount


@dataclass(frozen=True)
class Device:
    id: int
    user_id: int
    kind: str
    address: str
    p256dh: str | None
    auth: str | None


@dataclass(frozen=True)
class NewMessage:
    org_id: int
    device_id: int
    event_key: str
    title: str
    body: str
    data: dict[str, Any]
    follow_id: int | None = None
    entry_id: int | None = None
    alarm_id: int | None = None


@dataclass(frozen=True)
class Outgoing:
    id: int
    device: Device
    title: str
    body: str
    data: dict[str, Any]


_DEVICE_COLUMNS = """
    d.id, d.user_id, d.kind, d.label, d.alarms, d.created_at, d.last_sent_at, d.disabled_at,
    d.disabled_reason,
    CASE d.kind WHEN 'expo' THEN left(d.address, 24) || '…' ELSE split_part(d.address, '/', 3) END AS shown,
    u.name AS user_name, u.email AS user_email"""


def upsert_device(
    session: Session,
    *,
    org_id: int,
    user_id: int,
    kind: str,
    address: str,
    p256dh: str | None,
    auth: str | None,
    label: str | None,
    alarms: bool,
) -> int:
    """A device (re)registered: the same token or endpoint again is the same device, now this user's,
    enabled again with fresh keys."""
    return int(
        session.execute(
            text(
                """
                INSERT INTO push_devices (org_id, user_id, kind, address, p256dh, auth, label, alarms)
                VALUES (:o, :u, :k, :a, :p, :auth, :l, :alarms)
                ON CONFLICT (org_id, kind, address) DO UPDATE SET user_id = EXCLUDED.user_id,
                    p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, label = EXCLUDED.label,
                    alarms = EXCLUDED.alarms, disabled_at = NULL, disabled_reason = NULL
                RETURNING id
                """
            ),
            {
                "o": org_id,
                "u": user_id,
                "k": kind,
                "a": address,
                "p": p256dh,
                "auth": auth,
                "l": label,
                "alarms": alarms,
            },
        ).scalar_one()
    )


def devices(session: Session, *, user_id: int | None) -> Sequence[RowMapping]:
    """The tenant's devices (one user's when `user_id` is given), newest first."""
    sql = f"SELECT {_DEVICE_COLUMNS} FROM push_devices d JOIN users u ON u.id = d.user_id"
    params: dict[str, Any] = {}
    if user_id is not None:
        sql += " WHERE d.user_id = :u"
        params["u"] = user_id
    return session.execute(text(sql + " ORDER BY d.id DESC"), params).mappings().all()


def device(session: Session, device_id: int) -> RowMapping | None:
    return (
        session.execute(
            text(
                f"SELECT {_DEVICE_COLUMNS} FROM push_devices d JOIN users u ON u.id = d.user_id "
                "WHERE d.id = :d"
            ),
            {"d": device_id},
        )
        .mappings()
        .one_or_none()
    )


def delete_device(session: Session, device_id: int) -> bool:
    return bool(rowcount(session.execute(text("DELETE FROM push_devices WHERE id = :d"), {"d": device_id})))


def disable(session: Session, device_id: int, reason: str) -> None:
    session.execute(
        text(
            "UPDATE push_devices SET disabled_at = coalesce(disabled_at, now()), disabled_reason = :r "
            "WHERE id = :d"
        ),
        {"d": device_id, "r": reason},
    )


def active_devices(session: Session) -> dict[int, list[Device]]:
    """Enabled devices of the tenant, by user."""
    rows = session.execute(
        text("SELECT id, user_id, kind, address, p256dh, auth FROM push_devices WHERE disabled_at IS NULL")
    )
    found: dict[int, list[Device]] = {}
    for row in rows:
        found.setdefault(int(row[1]), []).append(Device(*row))
    return found


def alarm_devices(session: Session, org_id: int) -> list[Device]:
    """Enabled devices, alarms on, of the tenant's owners and staff."""
    rows = session.execute(
        text(
            """
            SELECT d.id, d.user_id, d.kind, d.address, d.p256dh, d.auth FROM push_devices d
            JOIN memberships m ON m.user_id = d.user_id AND m.org_id = :o
            WHERE d.disabled_at IS NULL AND d.alarms AND m.role IN ('owner', 'staff')
            """
        ),
        {"o": org_id},
    )
    return [Device(*row) for row in rows]


def delete_user_data(session: Session, user_id: int) -> dict[str, int]:
    """A user's devices (and their messages) and follows in the tenant."""
    messages = rowcount(
        session.execute(
            text(
                "DELETE FROM push_messages WHERE device_id IN "
                "(SELECT id FROM push_devices WHERE user_id = :u)"
            ),
            {"u": user_id},
        )
    )
    devices_gone = rowcount(
        session.execute(text("DELETE FROM push_devices WHERE user_id = :u"), {"u": user_id})
    )
    follows = rowcount(session.execute(text("DELETE FROM follows WHERE user_id = :u"), {"u": user_id}))
    return {"devices": devices_gone, "follows": follows, "messages": messages}


# --- messages -----------------------------------------------------------------------------------------------


def insert_messages(session: Session, messages: Sequence[NewMessage]) -> int:
    """Queue messages; one already queued or sent for the same device and event is not queued again."""
    if not messages:
        return 0
    inserted = session.execute(
        text(
            """
            INSERT INTO push_messages (org_id, device_id, event_key, title, body, data, follow_id, entry_id,
                                       alarm_id)
            SELECT :org_id, :device_id, :event_key, :title, :body, CAST(:data AS jsonb), :follow_id,
                   :entry_id, :alarm_id
            ON CONFLICT (device_id, event_key) DO NOTHING
            """
        ),
        [{**m.__dict__, "data": json.dumps(m.data)} for m in messages],
    )
    return rowcount(inserted)


def claim(session: Session, kind: str, limit: int) -> list[Outgoing]:
    """Queued messages to `kind` devices, marked `sending` (and locked against another sender)."""
    rows = session.execute(
        text(
            """
            WITH picked AS (
                SELECT m.id FROM push_messages m JOIN push_devices d ON d.id = m.device_id
                WHERE m.state = 'queued' AND d.kind = :kind AND d.disabled_at IS NULL
                ORDER BY m.id LIMIT :limit FOR UPDATE OF m SKIP LOCKED)
            UPDATE push_messages m SET state = 'sending', sending_at = now(), attempts = attempts + 1
            FROM picked, push_devices d WHERE m.id = picked.id AND d.id = m.device_id
            RETURNING m.id, m.title, m.body, m.data, d.id, d.user_id, d.kind, d.address, d.p256dh, d.auth
            """
        ),
        {"kind": kind, "limit": limit},
    ).all()
    return sorted(
        (
            Outgoing(int(r[0]), Device(int(r[4]), int(r[5]), r[6], r[7], r[8], r[9]), r[1], r[2], r[3])
            for r in rows
        ),
        key=lambda o: o.id,
    )


def mark(
    session: Session, message_id: int, state: str, *, ticket_id: str | None = None, error: str | None = None
) -> None:
    session.execute(
        text(
            """
            UPDATE push_messages SET state = :state, ticket_id = coalesce(:ticket, ticket_id),
                error = :error,
                sent_at = CASE WHEN :state IN ('sent', 'delivered') THEN coalesce(sent_at, now())
                               ELSE sent_at END,
                checked_at = CASE WHEN :state IN ('delivered', 'failed') AND ticket_id IS NOT NULL THEN now()
                                  ELSE checked_at END
            WHERE id = :id
            """
        ),
        {"id": message_id, "state": state, "ticket": ticket_id, "error": error},
    )
    if state in ("sent", "delivered"):
        session.execute(
            text(
                "UPDATE push_devices SET last_sent_at = now() "
                "WHERE id = (SELECT device_id FROM push_messages WHERE id = :id)"
            ),
            {"id": message_id},
        )


def drop_queued_of_disabled(session: Session) -> int:
    """Messages waiting for a device that was disabled meanwhile: failed, not sent."""
    return rowcount(
        session.execute(
            text(
                "UPDATE push_messages m SET state = 'failed', error = 'device disabled' FROM push_devices d "
                "WHERE d.id = m.device_id AND m.state = 'queued' AND d.disabled_at IS NOT NULL"
            )
        )
    )


def tickets_due(session: Session, before: datetime, limit: int) -> list[tuple[int, str, int]]:
    """(message id, ticket id, device id) of Expo messages sent before `before` without a receipt yet."""
    rows = session.execute(
        text(
            "SELECT id, ticket_id, device_id FROM push_messages WHERE state = 'sent' "
            "AND ticket_id IS NOT NULL AND sent_at <= :before ORDER BY sent_at LIMIT :limit"
        ),
        {"before": before, "limit": limit},
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def oldest_ticket(session: Session) -> datetime | None:
    value: datetime | None = session.execute(
        text("SELECT min(sent_at) FROM push_messages WHERE state = 'sent' AND ticket_id IS NOT NULL")
    ).scalar()
    return value


def orgs_with_queued(session: Session) -> list[int]:
    """Tenants with messages waiting to be sent (operator scope)."""
    rows = session.execute(text("SELECT DISTINCT org_id FROM push_messages WHERE state = 'queued'"))
    return [int(r[0]) for r in rows]


def abandon_stuck(session: Session, older_than: datetime) -> int:
    """Messages left `sending` by a worker that died: `unknown`, never sent again (at most once)."""
    return rowcount(
        session.execute(
            text(
                "UPDATE push_messages SET state = 'unknown', "
                "error = 'the sender stopped before recording the outcome' "
                "WHERE state = 'sending' AND sending_at < :t"
            ),
            {"t": older_than},
        )
    )


def messages(session: Session, *, user_id: int | None, limit: int) -> Sequence[RowMapping]:
    sql = """
        SELECT m.id, m.device_id, m.title, m.body, m.state, m.error, m.created_at, m.sent_at, m.event_key
        FROM push_messages m JOIN push_devices d ON d.id = m.device_id"""
    params: dict[str, Any] = {"limit": limit}
    if user_id is not None:
        sql += " WHERE d.user_id = :u"
        params["u"] = user_id
    return session.execute(text(sql + " ORDER BY m.id DESC LIMIT :limit"), params).mappings().all()
