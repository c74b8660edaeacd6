"""What a question asks, as slots the compiler turns into SQL."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from racehub.ask.catalog import EditionInfo, RaceInfo, Series

# What is counted or listed.
SUBJECTS = ("finishers", "registered", "dnf", "dns", "dq", "starters", "non_finishers")
# Kinds of question the compiler knows.
KINDS = (
    "count",
    "winner",
    "top",
    "place",
    "person",
    "aggregate",
    "superlative",
    "split",
    "events",
    "group",
    "record",
    "repeat",
    "report",
    "race_info",
)


@dataclass(frozen=True)
class Scope:
    """The races a question is about: one or more editions of one series, and which of their races."""

    series: Series
    editions: tuple[EditionInfo, ...]
    race_kind: str | None  # None: every race of each edition
    race_explicit: bool

    def races(self) -> list[tuple[EditionInfo, RaceInfo]]:
        chosen = []
        for ed in self.editions:
            for race in ed.races:
                if self.race_kind is None or race.kind == self.race_kind:
                    chosen.append((ed, race))
        return chosen

    @property
    def race_ids(self) -> list[int]:
        return [r.race_id for _, r in self.races()]

    @property
    def years(self) -> list[int]:
        return [ed.year for ed in self.editions]


@dataclass(frozen=True)
class Intent:
    kind: str
    subject: str = "finishers"
    scope: Scope | None = None
    years: tuple[int, ...] = ()
    year_mode: str = "default"  # default | single | both | range | each | all
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    age_label: str | None = None
    state: str | None = None
    state_excluded: bool = False
    city: str | None = None
    team: str | None = None
    source: str | None = None  # registration source
    person: tuple[str, str] | None = None
    n: int | None = None
    place: int | None = None
    group_by: str | None = None
    order: str = "desc"
    measure: str | None = None  # avg_time | median_time | min_time | max_time | avg_age | ... | avg_pace
    time_max_ms: int | None = None
    time_min_ms: int | None = None
    split: str | None = None
    report: str | None = None  # awards | results | age_groups | registrations
    date_from: date | None = None
    date_to: date | None = None
    upcoming: bool = False
    notes: tuple[str, ...] = field(default=())

    def with_(self, **changes: object) -> Intent:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Outcome:
    """A question that gets no query: refused, ambiguous or outside the domain."""

    status: str  # refused | clarify | unanswerable
    message: str
    choices: tuple[str, ...] = ()
