"""HTTP routes of race-day alarms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from racehub.alarms import service
from racehub.alarms.schemas import AlarmList, AlarmOut
from racehub.auth.dependencies import CurrentCaller, TenantSession, WriterCaller

router = APIRouter(prefix="/alarms", tags=["live"])
AlarmId = Annotated[int, Path(ge=1, le=2**63 - 1, description="alarm id")]


@router.get("")
def list_alarms(
    caller: CurrentCaller,
    session: TenantSession,
    edition_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    race_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    resolved: Annotated[bool, Query(description="also alarms whose cause is gone")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AlarmList:
    """Race-day alarms, newest first: silent mats, impossible paces, double reads, failing syncs, each with
    why and the rows that raised it."""
    return service.list_alarms(
        session, edition_id=edition_id, race_id=race_id, include_resolved=resolved, limit=limit
    )


@router.get("/{alarm_id}")
def get_alarm(caller: CurrentCaller, session: TenantSession, alarm_id: AlarmId) -> AlarmOut:
    """One alarm with the rows that raised it."""
    return service.get_alarm(session, alarm_id)


@router.post("/{alarm_id}/acknowledge")
def acknowledge(writer: WriterCaller, session: TenantSession, alarm_id: AlarmId) -> AlarmOut:
    """Say someone is on it (owner or staff); the alarm stays until its cause is gone."""
    return service.acknowledge(session, alarm_id, writer.user_id)
