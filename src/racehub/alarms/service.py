"""Race-day alarms: checking a race's live data after each write, tracking failing syncs, and showing them.

`check_race` runs in the transaction that wrote the race's results (a sync, a manual correction), so an
alarm and the data that raised it commit together; each new alarm is a change in the live log, which pushes
it to staff. An alarm whose cause is gone is resolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from racehub.alarms import detect, repository
from racehub.alarms.detect import Finding, Rules
from racehub.alarms.schemas import AlarmList, AlarmOut, AlarmRow
from racehub.config import Settings
from racehub.errors import NotFound
from racehub.timefmt import format_ms

RACE_KINDS = ("silent_mat", "impossible_pace")


class AlarmNotFound(NotFound):
    pass


def rules_from(settings: Settings) -> Rules:
    return Rules(
        quiet_ms=round(settings.alarm_silent_mat_min * 60_000),
        min_runners=settings.alarm_silent_mat_runners,
        min_pace_ms_per_km=settings.alarm_min_pace_s_per_km * 1000,
        double_read_ms=round(settings.alarm_double_read_s * 1000),
    )


def check_race(
    session: Session,
    race_id: int,
    rules: Rules,
    *,
    reads_from_feed: Iterable[tuple[int, str, int]] | None = None,
) -> list[int]:
    """Raise, update or resolve the race's alarms from its data as it now stands; `reads_from_feed` (entry
    id, mat, chip ms), when a vendor feed was just read, also checks for double reads. New alarm ids."""
    race = repository.race(session, race_id)
    if race is None:
        return []
    points, runners = repository.reads(session, race)
    findings = detect.silent_mats(points, runners, rules) + detect.impossible_paces(points, runners, rules)
    kinds: list[str] = list(RACE_KINDS)
    if reads_from_feed is not None:
        findings += detect.double_reads(reads_from_feed, rules)
        kinds.append("double_read")
    return _apply(session, race, findings, kinds)


def _apply(
    session: Session, race: repository.RaceRef, findings: list[Finding], kinds: list[str]
) -> list[int]:
    current = repository.current(session, race.edition_id, race.id, kinds)
    raised: list[int] = []
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        key = (finding.kind, finding.subject)
        seen.add(key)
        found = current.get(key)
        if found is None:
            alarm_id = repository.insert(
                session,
                org_id=race.org_id,
                edition_id=race.edition_id,
                race_id=race.id,
                kind=finding.kind,
                subject=finding.subject,
                title=finding.title,
                why=finding.why,
            )
            raised.append(alarm_id)
        else:
            alarm_id = found.id
            if found.why != finding.why:
                repository.update(session, alarm_id, why=finding.why, title=finding.title)
        repository.set_rows(session, alarm_id, race.org_id, finding.rows)
    repository.resolve(session, [c.id for key, c in current.items() if key not in seen])
    return raised


def sync_failed(
    session: Session, *, org_id: int, edition_id: int, workflow: str, vendor: str, error: str, threshold: int
) -> None:
    """One more failed attempt of an edition's sync: an alarm once `threshold` failed in a row."""
    current = repository.current(session, edition_id, None, ["sync_failing"]).get(("sync_failing", workflow))
    count = 1 if current is None else repository.occurrences(session, current.id) + 1
    what = "registrations" if workflow == "sync_registrations" else "results"
    times = f"{count} time{'s' if count > 1 else ''}"
    why = f"The {vendor} {what} sync failed {times} in a row. Last error: {error}"
    state = "open" if count >= threshold else "pending"
    if current is None:
        alarm_id = repository.insert(
            session,
            org_id=org_id,
            edition_id=edition_id,
            race_id=None,
            kind="sync_failing",
            subject=workflow,
            title=f"The {what} sync keeps failing",
            why=why,
            state=state,
        )
        del alarm_id
    else:
        repository.update(session, current.id, why=why, state=state, occurrences=count)


def sync_succeeded(session: Session, *, edition_id: int, workflow: str) -> None:
    current = repository.current(session, edition_id, None, ["sync_failing"]).get(("sync_failing", workflow))
    if current is not None:
        repository.resolve(session, [current.id])


def _row_text(kind: str, row: Mapping[Any, Any]) -> str:
    who = (
        f"Bib {row['bib']} {row['first_name']} {row['last_name']}"
        if row["bib"]
        else (f"{row['first_name']} {row['last_name']}")
    )
    d: dict[str, Any] = row["detail"]
    if kind == "silent_mat" and "due_ms" in d:
        at, due = format_ms(d["chip_ms"], tenths=False), format_ms(d["due_ms"], tenths=False)
        return f"{who}: {d['point']} at {at}, due by {due}"
    if kind == "silent_mat":
        return f"{who}: {d['point']} at {format_ms(d['chip_ms'], tenths=False)}, no read at {d['missing']}"
    if kind == "impossible_pace":
        partner = " (likely swap partner)" if d.get("role") == "swap partner" else ""
        return (
            f"{who}{partner}: {d['from']} {format_ms(d['from_ms'], tenths=False)} → {d['to']} "
            f"{format_ms(d['to_ms'], tenths=False)}"
        )
    if kind == "double_read":
        times = " and ".join(format_ms(ms) or "" for ms in d.get("reads_ms", []))
        return f"{who}: {d['mat']} read at {times}"
    return who


def _out(row: Mapping[Any, Any], rows: Sequence[Mapping[Any, Any]]) -> AlarmOut:
    return AlarmOut.model_validate(
        {
            **row,
            "state": "resolved" if row["state"] == "resolved" else "open",
            "rows": [
                AlarmRow(
                    entry_id=r["entry_id"],
                    bib=r["bib"],
                    name=f"{r['first_name']} {r['last_name']}",
                    text=_row_text(row["kind"], r),
                    detail=r["detail"],
                )
                for r in rows
            ],
        }
    )


def list_alarms(
    session: Session,
    *,
    edition_id: int | None = None,
    race_id: int | None = None,
    include_resolved: bool = False,
    limit: int = 100,
) -> AlarmList:
    states = ["open", "resolved"] if include_resolved else ["open"]
    found = repository.listing(session, edition_id=edition_id, race_id=race_id, states=states, limit=limit)
    rows = repository.rows_of(session, [int(a["id"]) for a in found])
    alarms = [_out(a, rows.get(int(a["id"]), [])) for a in found]
    return AlarmList(total=len(alarms), alarms=alarms)


def get_alarm(session: Session, alarm_id: int) -> AlarmOut:
    found = repository.alarm(session, alarm_id)
    if found is None or found["state"] == "pending":
        raise AlarmNotFound(f"alarm {alarm_id} not found")
    return _out(found, repository.rows_of(session, [alarm_id]).get(alarm_id, []))


def acknowledge(session: Session, alarm_id: int, user_id: int | None) -> AlarmOut:
    get_alarm(session, alarm_id)
    repository.acknowledge(session, alarm_id, user_id, datetime.now(UTC))
    return get_alarm(session, alarm_id)
