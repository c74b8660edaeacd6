"""A question's reading: what will be computed, completely, and how it is said back to the asker.

A Reading is a measure over a population of races with filters, optionally grouped or compared. The
parser builds it from the words of a question; the compiler turns any Reading into one parameterised
SELECT over the curated views; `explain.interpretation` renders it as the line a person checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from racehub.ask.catalog import EditionInfo, RaceInfo, Series

Status = Literal["answered", "refused", "needs_login", "clarify", "unanswerable"]


class Population(StrEnum):
    REGISTERED = "registered"
    STARTERS = "starters"
    FINISHERS = "finishers"
    DNS = "dns"
    DNF = "dnf"
    DQ = "dq"
    NON_FINISHERS = "non_finishers"  # every entry that has a result other than FIN
    AWARDS = "award_winners"


# Result statuses of each population (None: every entry, with or without a result).
STATUSES: dict[Population, tuple[str, ...] | None] = {
    Population.REGISTERED: None,
    Population.STARTERS: ("FIN", "DNF", "DQ"),
    Population.FINISHERS: ("FIN",),
    Population.DNS: ("DNS",),
    Population.DNF: ("DNF",),
    Population.DQ: ("DQ",),
    Population.NON_FINISHERS: ("DNF", "DNS", "DQ"),
    Population.AWARDS: ("FIN",),
}


class Kind(StrEnum):
    COUNT = "count"  # how many
    DISTINCT = "distinct"  # how many different clubs / states / people
    LIST = "list"  # who / which runners; a runner's own results
    RANK = "rank"  # winner, top N, the Nth place, fastest / slowest N
    AGGREGATE = "aggregate"  # average / median / fastest / slowest of time, pace or age
    EXTREME_AGE = "extreme_age"  # the oldest / youngest runner(s)
    SHARE = "share"  # a percentage of a population
    RECORD = "record"  # the fastest time ever over every edition
    SPLIT = "split"  # intermediate times
    REPEAT = "repeat"  # people across editions
    AWARDS = "awards"  # the award list as scored
    EVENTS = "events"  # the catalogue: editions in a window
    RACES = "races"  # an edition's races, distances and start times
    REPORT = "report"  # a CSV file
    HISTOGRAM = "histogram"  # finishers counted in bands of finish time or pace


class Field(StrEnum):
    SEX = "sex"
    AGE = "age"
    STATE = "state"
    CITY = "city"
    CLUB = "team"
    COUNTRY = "country"
    BIB = "bib"
    PERSON = "person"
    SOURCE = "registration_source"
    REGISTERED_AT = "registered_at"
    TIME = "time"  # finish time thresholds
    AGE_GROUP = "age_group"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    ANY_NAME = "name"  # first or last name
    OVERALL_PLACE = "overall_place"
    SEX_PLACE = "sex_place"


Op = Literal["eq", "ne", "ge", "le", "gt", "lt", "between", "in"]


@dataclass(frozen=True)
class Filter:
    """One condition on the runners: `field op value`, with the words that say it."""

    field: Field
    op: Op
    value: Any
    words: str


@dataclass(frozen=True)
class PersonRef:
    """A runner named in the question, resolved to the person rows that carry that name."""

    first: str
    last: str
    person_ids: tuple[int, ...]
    label: str  # "Helen Scott"


@dataclass(frozen=True)
class RaceSet:
    """The races a question covers, resolved against the tenant's catalogue."""

    pairs: tuple[tuple[EditionInfo, RaceInfo], ...]
    series: tuple[Series, ...] = ()
    whole_event: bool = False  # the question covers every race of its events
    year_defaulted: bool = False  # no year said: the latest (or next) edition was taken
    every_edition: bool = False  # "ever", "each year": every edition of the events

    @property
    def race_ids(self) -> list[int]:
        return [r.race_id for _, r in self.pairs]

    @property
    def editions(self) -> list[EditionInfo]:
        seen: dict[int, EditionInfo] = {}
        for ed, _ in self.pairs:
            seen.setdefault(ed.edition_id, ed)
        return list(seen.values())

    @property
    def years(self) -> list[int]:
        return sorted({ed.year for ed, _ in self.pairs})

    @property
    def race_names(self) -> list[str]:
        return sorted({r.name for _, r in self.pairs})

    @property
    def event_names(self) -> list[str]:
        return sorted({ed.series for ed, _ in self.pairs})


@dataclass(frozen=True)
class Window:
    """A date window for the catalogue (events between two dates), with the words that say it."""

    start: date | None
    end: date | None
    words: str
    status: Literal["completed", "upcoming"] | None = None
    next_only: bool = False  # "the next Boston Marathon": only the first edition in the window


@dataclass(frozen=True)
class Reading:
    kind: Kind
    population: Population = Population.FINISHERS
    population_open: bool = False  # nothing said who is counted ("how many runners were at ...")
    races: RaceSet | None = None
    filters: tuple[Filter, ...] = ()
    person: PersonRef | None = None
    # measure details
    stat: Literal["avg", "median", "min", "max"] | None = None
    quantity: Literal["time", "pace", "age"] | None = None
    n: int | None = None  # top N
    place: int | None = None  # the Nth place
    order: Literal["asc", "desc"] = "asc"
    winner: bool = False
    overall: bool = False  # both sexes ranked together ("overall")
    attribute: str | None = None  # DISTINCT / group attribute (team, state, city, country, person)
    share_of: tuple[Filter, ...] = ()  # SHARE: the part's extra conditions
    share_population: Population | None = None  # SHARE: the part's population when it differs
    columns: tuple[str, ...] = ()  # LIST of one runner: time, chip, gun, place, pace, age, bib, status
    split: str | None = None  # SPLIT: the split asked for (None: every split)
    repeat: RepeatSpec | None = None
    awards: AwardSpec | None = None
    window: Window | None = None
    company: tuple[int, str] | None = None  # operator: a timing company's editions
    report: str | None = None  # REPORT: what the file lists
    addresses: bool = False
    # how
    basis: Literal["placement", "gun", "chip", "both"] = "placement"
    pace_unit: Literal["mile", "km"] = "mile"
    group_by: tuple[str, ...] = ()  # year | race | event | sex | age_group | state | team | city
    top_groups: int | None = None  # "which club had the most": the first N groups by count
    group_order: Literal["asc", "desc"] = "desc"
    combined: bool = False  # several editions taken together, not per year
    notes: tuple[str, ...] = ()  # said in the interpretation line ("'over 50' read as 51 and older")
    chart: bool = False
    band_ms: int | None = None  # HISTOGRAM: the width of a band of time (or of pace per unit)
    difference: tuple[str, str] | None = None  # COUNT by sex: "how many more women than men" (F, M)

    def with_(self, **changes: Any) -> Reading:
        return replace(self, **changes)

    def filter_of(self, name: Field) -> Filter | None:
        return next((f for f in self.filters if f.field == name), None)


@dataclass(frozen=True)
class RepeatSpec:
    """People across editions: every edition of a range, both of two, N or more, or then-and-now."""

    mode: Literal["every", "at_least", "then_now", "both_events"]
    editions: int = 2  # every / at_least: how many
    earlier: RaceSet | None = None  # then_now: the earlier population's races
    earlier_population: Population = Population.FINISHERS
    listing: bool = False


@dataclass(frozen=True)
class AwardSpec:
    category: Literal["overall", "masters", "age_group"] | None = None
    age_group: str | None = None  # "40-44"
    winners_only: bool = False  # age-group winners: award_place = 1


@dataclass(frozen=True)
class Choice:
    """One option of a `clarify`: what it says, and what picking it binds."""

    label: str
    binding: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """A question that gets no query: refused, ambiguous or outside the domain."""

    status: Status
    message: str
    choices: tuple[Choice, ...] = ()
    understood: str | None = None  # what was understood, said back in a clarify
