"""What the recognisers found in a question, before it is assembled into a Reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from racehub.ask.catalog import Series
from racehub.ask.reading import AwardSpec, Filter, Population, Window


@dataclass
class EventMention:
    series: Series
    start: int
    end: int  # token span [start, end)
    full: bool  # every word of the event's name was said
    kinds: list[str]  # race kinds said inside the mention ("marathon" of "Shamrock Marathon")
    umbrella: bool  # the mention names the whole event ("... Weekend", "the ... event")
    exact: bool  # no typo in the mention
    years: list[int] = field(default_factory=list)  # years said right next to this mention


@dataclass
class RaceWord:
    kind: str  # "5k", "half", "marathon", "10mi", "1mi"
    start: int
    words: str


@dataclass
class YearSpec:
    years: list[int]
    mode: str  # single | list | range | every | relative
    words: str
    said_at: list[tuple[int, int]] = field(default_factory=list)  # (year, token index) in the order said


@dataclass
class PersonMention:
    first: str
    last: str
    start: int
    end: int
    person_ids: tuple[int, ...]
    label: str
    fuzzy: bool = False


@dataclass
class Facts:
    """Everything recognised, with the ledger recording which words each piece used."""

    today: date
    events: list[EventMention] = field(default_factory=list)
    race_words: list[RaceWord] = field(default_factory=list)
    whole_event: bool = False  # "both races", "all races", "across all races"
    years: YearSpec | None = None
    window: Window | None = None
    company: tuple[int, str] | None = None
    persons: list[PersonMention] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    sexes_both: bool = False  # "men and women", "by gender"
    # who is counted
    populations: list[Population] = field(default_factory=list)
    population_of: Population | None = None  # "percentage of starters": the whole of a share
    ran: bool = False  # "ran", "raced", "took part": finished or started, not said which
    people_word: bool = False  # "runners", "people" with nothing saying which
    # what is computed
    count: bool = False
    distinct: str | None = None  # team | state | city | country | person | age_group
    listing: bool = False
    winner: bool = False
    n: int | None = None
    place: int | None = None
    order: str = "asc"
    overall: bool = False
    stat: str | None = None
    quantity: str | None = None
    basis: str | None = None  # gun | chip | both
    pace_unit: str | None = None
    share: bool = False
    rate: str | None = None  # finish | dnf | dns | dq
    compare: bool = False
    more_or_fewer: bool = False
    series: bool = False  # "each year", "by year"
    combined: bool = False  # "in total", "all together", "combined"
    group_by: list[str] = field(default_factory=list)
    top_groups: int | None = None
    group_order: str = "desc"
    record: bool = False
    extreme_age: str | None = None  # oldest | youngest
    split: str | None = None
    split_asked: bool = False
    repeat: str | None = None  # every | at_least | then_now | both
    repeat_n: int | None = None
    awards: AwardSpec | None = None
    catalogue: str | None = None  # events | races | start_time | date | place | distance | count_events
    report: str | None = None  # results | registrations | awards | dns | ...
    addresses: bool = False
    columns: list[str] = field(default_factory=list)  # a runner's attributes asked for
    history: bool = False  # a runner's races across editions
    did_finish: bool = False  # "did X finish"
    chart: bool = False
    histogram: bool = False  # finish times (or paces) counted in bands
    band_ms: int | None = None  # the band width asked for ("in 10-minute bands")
    notes: list[str] = field(default_factory=list)
    said: str = ""  # the question's words, as the recognisers saw them
    overview: bool = False  # "tell me about the 2025 Boston Marathon"
    window_used: bool = False  # the window picked editions (or registration dates)
    upper_codes: set[str] = field(default_factory=set)  # two capital letters in the question (state codes)
    ambiguous_place: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
