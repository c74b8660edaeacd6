"""Plain factory functions for test data: `create_race(session, **overrides)`."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from racehub.models import Edition, Entry, EventSeries, Organization, Race, Result, Split

_seq = itertools.count(1)


def create_org(session: Session, **overrides: Any) -> Organization:
    n = next(_seq)
    org = Organization(**{"slug": f"org-{n}", "name": f"Timing Co {n}", **overrides})
    session.add(org)
    session.flush()
    return org


def create_edition(session: Session, org: Organization, **overrides: Any) -> Edition:
    name = overrides.pop("name", f"Test Run {next(_seq)}")
    series = EventSeries(org_id=org.id, name=name)
    session.add(series)
    session.flush()
    values: dict[str, Any] = {
        "org_id": org.id,
        "series_id": series.id,
        "year": 2025,
        "start_date": date(2025, 5, 4),
        "city": "Richmond",
        "state": "VA",
        "timezone": "America/New_York",
        "status": "completed",
    }
    edition = Edition(**{**values, **overrides})
    session.add(edition)
    session.flush()
    return edition


def create_race(session: Session, edition: Edition, **overrides: Any) -> Race:
    values: dict[str, Any] = {
        "org_id": edition.org_id,
        "edition_id": edition.id,
        "name": "5K",
        "distance_m": 5000.0,
        "start_time": datetime(2025, 5, 4, 8, 0),
        "placement_basis": "gun",
        "overall_award_depth": 3,
        "masters_award_depth": 1,
        "masters_min_age": 40,
        "ag_award_depth": 3,
        "age_group_width": 5,
        "exclude_award_winners_from_ag": True,
    }
    race = Race(**{**values, **overrides})
    session.add(race)
    session.flush()
    return race


def create_entry(
    session: Session,
    race: Race,
    *,
    status: str | None = "FIN",
    gun_ms: int | None = None,
    chip_ms: int | None = None,
    splits: dict[str, int] | None = None,
    **overrides: Any,
) -> Entry:
    n = next(_seq)
    values: dict[str, Any] = {
        "org_id": race.org_id,
        "race_id": race.id,
        "bib": str(n),
        "first_name": f"Runner{n}",
        "last_name": "Test",
        "sex": "M",
        "age": 30,
        "state": "VA",
    }
    entry = Entry(**{**values, **overrides})
    session.add(entry)
    session.flush()
    if status is not None:
        if status in ("FIN", "DQ") and gun_ms is None:
            gun_ms = 1_200_000 + n
        session.add(
            Result(
                entry_id=entry.id,
                org_id=race.org_id,
                race_id=race.id,
                status=status,
                gun_ms=gun_ms,
                chip_ms=chip_ms if chip_ms is not None else gun_ms,
            )
        )
    for name, ms in (splits or {}).items():
        session.add(Split(entry_id=entry.id, org_id=race.org_id, name=name, chip_ms=ms))
    session.flush()
    return entry
