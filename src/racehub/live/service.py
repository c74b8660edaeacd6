"""The live change log as people and clients see it: events built from change rows, catch-up reads,
numbering, and making a race official."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from racehub.errors import RaceNotFound
from racehub.live import repository
from racehub.live.repository import Filters
from racehub.live.schemas import (
    LiveAlarm,
    LiveEvent,
    LiveRace,
    LiveResult,
    LiveSplit,
    LiveWorkflow,
    OfficialOut,
)
from racehub.timefmt import format_ms, format_pace

CATCH_UP_LIMIT = 10_000  # a client further behind than this reloads instead of replaying


def _pace(ms: int | None, distance_m: float | None, per: str) -> str | None:
    return format_pace(ms, distance_m, per=per) if ms else None


def event_of(row: Mapping[Any, Any]) -> LiveEvent:
    """A change row (with the rows it names, as they are now) as a LiveEvent."""
    provisional = not row["official"] if row["race_id"] is not None else row["edition_status"] != "completed"
    event = LiveEvent(
        seq=row["seq"],
        kind=row["kind"],
        at=row["at"],
        edition_id=row["edition_id"],
        event_name=row["event_name"],
        year=row["year"],
        race_id=row["race_id"],
        race_name=row["race_name"],
        entry_id=row["entry_id"],
        bib=row["bib"],
        provisional=provisional,
    )
    detail: dict[str, Any] = row["detail"] or {}
    if row["entry_id"] is not None and row["status"] is not None:
        pace_ms = row["chip_ms"] if row["chip_ms"] is not None else row["gun_ms"]
        finished = row["status"] == "FIN"
        event.result = LiveResult(
            entry_id=row["entry_id"],
            bib=row["bib"],
            name=f"{row['first_name']} {row['last_name']}",
            first_name=row["first_name"],
            last_name=row["last_name"],
            sex=row["sex"],
            age=row["age"],
            age_group=row["age_group"],
            city=row["city"],
            state=row["state"],
            team=row["team"],
            status=row["status"],
            gun_ms=row["gun_ms"],
            gun_time=format_ms(row["gun_ms"]),
            chip_ms=row["chip_ms"],
            chip_time=format_ms(row["chip_ms"]),
            pace_per_km=_pace(pace_ms, row["distance_m"], "km") if finished else None,
            pace_per_mile=_pace(pace_ms, row["distance_m"], "mile") if finished else None,
            overall_place=row["overall_place"],
            sex_place=row["sex_place"],
            age_group_place=row["age_group_place"],
            provisional=provisional,
        )
    if row["kind"] == "split":
        event.split = LiveSplit(
            name=row["split_name"],
            distance_m=row["split_distance_m"],
            chip_ms=row["split_chip_ms"],
            chip_time=format_ms(row["split_chip_ms"]),
            pace_per_km=_pace(row["split_chip_ms"], row["split_distance_m"], "km"),
            removed=bool(detail.get("removed")) or row["split_chip_ms"] is None,
        )
    elif row["kind"] == "race":
        event.race = LiveRace(official=not provisional, reloaded=bool(detail.get("reloaded")))
    elif row["kind"] == "workflow":
        event.workflow = LiveWorkflow(
            run_id=detail["run_id"], workflow=detail["workflow"], state=detail["state"]
        )
    elif row["kind"] == "alarm":
        event.alarm = LiveAlarm(alarm_id=detail["alarm_id"], alarm=detail["alarm"], state=detail["state"])
    return event


def matches(event: LiveEvent, filters: Filters) -> bool:
    """Whether a live client with `filters` wants `event`."""
    if filters.edition_id is not None and event.edition_id != filters.edition_id:
        return False
    if filters.race_id is not None and event.race_id != filters.race_id:
        return False
    if filters.kinds is not None and event.kind not in filters.kinds:
        return False
    return filters.bib is None or (event.bib is not None and event.bib == filters.bib)


def read_events(
    session: Session, org_id: int, after: int, upto: int, filters: Filters | None = None, limit: int = 1000
) -> list[LiveEvent]:
    return [event_of(row) for row in repository.changes(session, org_id, after, upto, filters, limit)]


@dataclass(frozen=True)
class CatchUp:
    """Where a (re)connecting client stands: the changes it missed, or `reset` when it must reload."""

    head: int
    events: list[LiveEvent]
    reset: bool


def catch_up(session: Session, org_id: int, last_event_id: int | None, filters: Filters) -> CatchUp:
    """The changes after `last_event_id` (none without one: a new client starts at the head). Changes
    committed but not numbered yet are numbered first, so "the head" is everything committed before."""
    repository.sequence(session, org_id)
    head = repository.head(session, org_id)
    if last_event_id is None:
        return CatchUp(head, [], False)
    oldest = repository.oldest_seq(session, org_id)
    behind = head - last_event_id
    pruned = oldest is not None and last_event_id < oldest - 1
    if last_event_id > head or behind > CATCH_UP_LIMIT or pruned:
        return CatchUp(head, [], True)
    events: list[LiveEvent] = []
    after = last_event_id
    while after < head:
        batch = repository.changes(session, org_id, after, head, filters, 1000)
        events += [event_of(row) for row in batch]
        if len(batch) < 1000:
            break
        after = batch[-1]["seq"]
    return CatchUp(head, events, False)


def sequence(session: Session, org_id: int) -> int:
    """Number the tenant's committed changes; how many were numbered."""
    first, last = repository.sequence(session, org_id)
    return last - first + 1 if last else 0


def set_official(session: Session, race_id: int, official: bool) -> OfficialOut:
    """Make a race official (its places final) or provisional again. When every race of the edition is
    official the edition is `completed` (its results are final); reopening a race reopens the edition."""
    edition_id = repository.edition_of_race(session, race_id)
    if edition_id is None or not repository.set_official(session, race_id, official):
        raise RaceNotFound(f"race {race_id} not found")
    final = repository.all_races_official(session, edition_id)
    if official and final:
        repository.set_edition_status(session, edition_id, "completed")
    elif not official:
        repository.reopen_edition(session, edition_id, race_id)
    return OfficialOut(race_id=race_id, edition_id=edition_id, official=official, edition_final=final)


def exists(session: Session, edition_id: int | None, race_id: int | None) -> bool:
    """Whether the edition and race (those given) are the tenant's, the race in the edition."""
    return repository.exists(session, edition_id, race_id)


def log_per_race(session: Session) -> None:
    """A bulk writer (an import): its changes reach live clients as one "reload this race" per race."""
    repository.roll_up_per_race(session)


def pause_for_first_load(session: Session) -> bool:
    """Skip the per-row change log while a first load fills empty tables; see `resume_after_first_load`."""
    return repository.pause(session)


def resume_after_first_load(session: Session, race_ids: Sequence[int]) -> None:
    repository.resume(session, race_ids)
