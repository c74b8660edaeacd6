"""Shared steps of the syncs: matching a vendor's race to ours, and vendor records as staging rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from racehub.alarms import service as alarms
from racehub.integrations.base import ExternalRace, Registration, ResultRecord, as_local_naive
from racehub.scoring.service import score_race
from racehub.workflows.context import RunContext
from racehub.workflows.sync import repository, result_repository

T = TypeVar("T")


def resolve_race(
    session: Session, ctx: RunContext, provider: str, race: ExternalRace, *, create: bool = True
) -> int | None:
    """Our race for a vendor's: by its external id, else by name in the edition, else a new race."""
    edition = ctx.edition
    start = as_local_naive(race.start_time, edition.timezone) if race.start_time else None
    race_id = repository.race_by_ref(session, ctx.org_id, provider, race.external_id, edition.id)
    if race_id is None:
        race_id = repository.race_by_name(session, ctx.org_id, edition.id, race.name)
        if race_id is None:
            if not create:
                return None
            race_id = repository.insert_race(
                session, ctx.org_id, edition.id, race.name, race.distance_m, start
            )
        repository.link(session, ctx.org_id, provider, "race", race.external_id, race_id)
    repository.fill_race(session, race_id, race.distance_m, start)
    return race_id


def _age(value: int | None) -> int | None:
    # The schema allows 0-120; anything else from a vendor is noise, not a reason to fail a page set.
    return value if value is not None and 0 <= value <= 120 else None


def last_by_id(records: Iterable[T], key: str) -> list[T]:
    """One record per external id (the last one wins): vendors may repeat a row across pages."""
    seen: dict[str, T] = {}
    for record in records:
        seen[str(getattr(record, key))] = record
    return list(seen.values())


def registration_rows(registrations: Iterable[Registration], timezone: str) -> Iterator[tuple[object, ...]]:
    for reg in registrations:
        registered = as_local_naive(reg.registered_at, timezone) if reg.registered_at else None
        yield (
            reg.external_id,
            reg.bib,
            reg.first_name,
            reg.last_name,
            reg.sex,
            reg.dob,
            _age(reg.age),
            reg.email,
            reg.phone,
            reg.address1,
            reg.city,
            reg.state,
            reg.zip,
            reg.country,
            reg.team,
            registered,
            reg.source,
        )


@dataclass(frozen=True)
class ResultChanges:
    fetched: int
    inserted: int
    updated: int
    removed: int
    splits_changed: int
    entries_created: int
    skipped: int
    places_agreeing: int = 0
    places_compared: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.inserted or self.updated or self.removed or self.splits_changed or self.entries_created
        )

    def counts(self) -> tuple[int, int, int, int]:
        return self.fetched, self.inserted, self.updated, self.removed

    def detail(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "inserted": self.inserted,
            "updated": self.updated,
            "removed": self.removed,
            "splits_changed": self.splits_changed,
            "entries_created": self.entries_created,
            "skipped": self.skipped,
        }


def write_results(
    session: Session,
    ctx: RunContext,
    provider: str,
    race_id: int,
    records: list[ResultRecord],
    *,
    complete: bool,
) -> ResultChanges:
    """One race's results (and their splits) from a vendor, then RaceHub's own places and awards.

    `complete`: the records are the vendor's whole list for the race, so results of its entries that it
    no longer reports are removed. A finisher without any time is skipped (the schema requires one), and
    so is anyone erased in this tenant.
    """
    usable = [
        r for r in last_by_id(records, "entry_external_id") if r.status != "FIN" or r.gun_ms or r.chip_ms
    ]
    repository.stage(
        session,
        "wf_res",
        (
            (
                r.entry_external_id,
                r.bib,
                r.first_name,
                r.last_name,
                r.sex,
                _age(r.age),
                r.status,
                r.gun_ms,
                r.chip_ms,
                r.sex_place,
            )
            for r in usable
        ),
    )
    splits: dict[tuple[str, str], tuple[object, ...]] = {}
    for r in usable:
        # A mat that read a chip twice: the first read counts (the alarm check below reports the double).
        for split in sorted(r.splits, key=lambda split: split.chip_ms):
            splits.setdefault(
                (r.entry_external_id, split.name),
                (r.entry_external_id, split.name, split.distance_m, split.chip_ms),
            )
    repository.stage(session, "wf_split", splits.values())
    erased = repository.drop_erased(session, "wf_res", ctx.org_id, provider, race_id)
    repository.resolve_entries(session, "wf_res", ctx.org_id, provider, race_id)
    created = result_repository.insert_result_entries(session, ctx.org_id, race_id, provider)
    repository.link_staged(session, "wf_res", ctx.org_id, provider)
    inserted, updated = result_repository.merge_results(session, ctx.org_id, race_id)
    splits_changed = result_repository.merge_splits(session, ctx.org_id)
    removed = (
        result_repository.remove_unreported_results(session, ctx.org_id, provider, race_id) if complete else 0
    )
    skipped = len(records) - len(usable) + erased  # untimed finishers, erased participants
    changes = ResultChanges(len(records), inserted, updated, removed, splits_changed, created, skipped)
    if changes.changed:
        score_race(session, race_id)
        entries = result_repository.staged_entries(session)
        feed = [
            (entries[r.entry_external_id], split.name, split.chip_ms)
            for r in usable
            if r.entry_external_id in entries
            for split in r.splits
        ]
        alarms.check_race(session, race_id, alarms.rules_from(ctx.env.settings), reads_from_feed=feed)
    agreeing, compared = result_repository.place_agreement(session)
    return ResultChanges(**{**changes.__dict__, "places_agreeing": agreeing, "places_compared": compared})


def race_key(step: str, provider: str, race_external_id: str) -> str:
    return f"{step}:{provider}:{race_external_id}"
