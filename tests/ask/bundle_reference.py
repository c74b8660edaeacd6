"""Expected answers straight from the racedata-v1 CSV files, by the rules in its README (no racehub code).

A deliberately plain reimplementation: finishers are status FIN, placement time is the race's gun or chip
time, places use competition ranking (1, 2, 2, 4), age groups are 5- or 10-year bands per sex, and awards go
overall, then masters, then age groups, each among those who won nothing before.
"""

from __future__ import annotations

import csv
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path


def time_ms(text: str) -> int | None:
    """`H:MM:SS.t` as milliseconds; None for an empty cell."""
    if not text:
        return None
    hours, minutes, seconds = text.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def format_time(ms: float) -> str:
    """Milliseconds as `H:MM:SS.t` (to the nearest tenth)."""
    tenths = round(ms / 100)
    seconds, tenth = divmod(tenths, 10)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}.{tenth}"


def age_group(age: int, width: int) -> str:
    """The README's age-group label for an age on race day."""
    if width == 5:
        if age <= 14:
            return "14 & under"
        if age >= 80:
            return "80 & over"
        low = age // 5 * 5
        return f"{low}-{low + 4}"
    if age <= 19:
        return "19 & under"
    if age >= 70:
        return "70 & over"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


@dataclass(frozen=True)
class Org:
    org_id: str
    slug: str
    name: str


@dataclass(frozen=True)
class Event:
    event_id: str
    org_id: str
    name: str
    year: int
    start_date: date
    city: str
    state: str
    status: str


@dataclass(frozen=True)
class Race:
    race_id: str
    event: Event
    name: str
    distance_m: float
    basis: str
    overall_depth: int
    masters_depth: int
    masters_min_age: int
    ag_depth: int
    ag_width: int
    exclude_winners_from_ag: bool
    start_time: str = ""  # local ISO, e.g. 2025-03-16T07:00:00


@dataclass(frozen=True)
class Entry:
    participant_id: str
    race: Race
    bib: str
    first_name: str
    last_name: str
    sex: str
    dob: str
    age: int
    email: str
    phone: str
    address1: str
    city: str
    state: str
    zip: str
    team: str
    status: str | None  # None: no result row (an upcoming edition)
    gun_ms: int | None
    chip_ms: int | None
    gun_time: str
    chip_time: str
    country: str = ""
    registered_at: str = ""  # local ISO
    source: str = ""  # registration source: runsignup | raceroster

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def person(self) -> tuple[str, str, str]:
        """(first_name, last_name, dob) identifies a person across editions."""
        return (self.first_name, self.last_name, self.dob)

    @property
    def finished(self) -> bool:
        return self.status == "FIN"

    @property
    def placement_ms(self) -> int:
        value = self.gun_ms if self.race.basis == "gun" else self.chip_ms
        assert value is not None, f"{self.participant_id} has no {self.race.basis} time"
        return value

    @property
    def placement_time(self) -> str:
        return self.gun_time if self.race.basis == "gun" else self.chip_time


@dataclass(frozen=True)
class Award:
    category: str  # Overall | Masters | an age-group label
    sex: str
    place: int
    entry: Entry


def ranked(entries: Iterable[Entry]) -> list[tuple[int, Entry]]:
    """Finishers with competition-ranked places (1, 2, 2, 4) by placement time."""
    ordered = sorted((e for e in entries if e.finished), key=lambda e: e.placement_ms)
    places: list[tuple[int, Entry]] = []
    for position, entry in enumerate(ordered, start=1):
        if places and places[-1][1].placement_ms == entry.placement_ms:
            places.append((places[-1][0], entry))
        else:
            places.append((position, entry))
    return places


def top_places(entries: Iterable[Entry], depth: int) -> list[tuple[int, Entry]]:
    return [(place, e) for place, e in ranked(entries) if place <= depth]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class Bundle:
    """The bundle's events, races and entries, with the questions' answers computed by hand."""

    def __init__(self, directory: Path) -> None:
        self.orgs = {
            r["org_id"]: Org(r["org_id"], r["slug"], r["name"])
            for r in _read(directory / "organizations.csv")
        }
        self.events = [
            Event(
                r["event_id"],
                r["org_id"],
                r["name"],
                int(r["edition_year"]),
                date.fromisoformat(r["start_date"]),
                r["city"],
                r["state"],
                r["status"],
            )
            for r in _read(directory / "ct_events.csv")
        ]
        by_event = {e.event_id: e for e in self.events}
        self.races = [
            Race(
                r["race_id"],
                by_event[r["event_id"]],
                r["name"],
                float(r["distance_m"]),
                r["placement_basis"],
                int(r["overall_award_depth"]),
                int(r["masters_award_depth"]),
                int(r["masters_min_age"]),
                int(r["ag_award_depth"]),
                int(r["age_group_width"]),
                r["exclude_award_winners_from_ag"] == "true",
                r["start_time"],
            )
            for r in _read(directory / "ct_races.csv")
        ]
        by_race = {r.race_id: r for r in self.races}
        results = {r["participant_id"]: r for r in _read(directory / "ct_results.csv")}
        self.entries: list[Entry] = []
        for p in _read(directory / "ct_participants.csv"):
            result = results.get(p["participant_id"], {})
            self.entries.append(
                Entry(
                    p["participant_id"],
                    by_race[p["race_id"]],
                    p["bib"],
                    p["first_name"],
                    p["last_name"],
                    p["sex"],
                    p["dob"],
                    int(p["age"]),
                    p["email"],
                    p["phone"],
                    p["address1"],
                    p["city"],
                    p["state"],
                    p["zip"],
                    p["team"],
                    result.get("status"),
                    time_ms(result.get("gun_time", "")),
                    time_ms(result.get("chip_time", "")),
                    result.get("gun_time", ""),
                    result.get("chip_time", ""),
                    p["country"],
                    p["registered_at"],
                    p["registration_source"],
                )
            )
        self.splits: dict[str, dict[str, str]] = defaultdict(dict)
        for s in _read(directory / "ct_splits.csv"):
            self.splits[s["participant_id"]][s["split_name"]] = s["chip_elapsed"]

    # ------------------------------------------------------------------ lookups

    @cached_property
    def _entries_by_race(self) -> dict[str, list[Entry]]:
        grouped: dict[str, list[Entry]] = defaultdict(list)
        for e in self.entries:
            grouped[e.race.race_id].append(e)
        return grouped

    def org(self, slug: str) -> Org:
        return next(o for o in self.orgs.values() if o.slug == slug)

    def event(self, name: str, year: int) -> Event:
        return next(e for e in self.events if e.name == name and e.year == year)

    def race(self, event_name: str, year: int, race_name: str) -> Race:
        return next(
            r
            for r in self.races
            if r.event.name == event_name and r.event.year == year and r.name == race_name
        )

    def races_of(self, event_name: str, year: int) -> list[Race]:
        return [r for r in self.races if r.event.name == event_name and r.event.year == year]

    def entries_of(self, *races: Race, where: Callable[[Entry], bool] | None = None) -> list[Entry]:
        chosen = [e for r in races for e in self._entries_by_race[r.race_id]]
        return [e for e in chosen if where is None or where(e)]

    def finishers(self, *races: Race, where: Callable[[Entry], bool] | None = None) -> list[Entry]:
        return [e for e in self.entries_of(*races, where=where) if e.finished]

    def count(
        self, *races: Race, status: str | None = "FIN", where: Callable[[Entry], bool] | None = None
    ) -> int:
        """Entries with `status` (None: every registration)."""
        return sum(1 for e in self.entries_of(*races, where=where) if status is None or e.status == status)

    # ------------------------------------------------------------------ answers

    def sex_ranked(self, race: Race, sex: str) -> list[tuple[int, Entry]]:
        return ranked(self.finishers(race, where=lambda e: e.sex == sex))

    def winner(self, race: Race, sex: str) -> Entry:
        winners = [e for place, e in self.sex_ranked(race, sex) if place == 1]
        assert len(winners) == 1, "the test expects an untied winner"
        return winners[0]

    def average_ms(self, race: Race) -> float:
        return statistics.fmean(e.placement_ms for e in self.finishers(race))

    def median_ms(self, race: Race) -> float:
        return statistics.median(e.placement_ms for e in self.finishers(race))

    def ages(self, race: Race) -> list[int]:
        return [e.age for e in self.finishers(race)]

    def oldest(self, race: Race) -> tuple[int, set[str]]:
        top = max(self.ages(race))
        return top, {e.name for e in self.finishers(race) if e.age == top}

    def youngest(self, race: Race) -> tuple[int, set[str]]:
        low = min(self.ages(race))
        return low, {e.name for e in self.finishers(race) if e.age == low}

    def record(self, event_name: str, race_name: str) -> tuple[int, list[Entry]]:
        races = [r for r in self.races if r.event.name == event_name and r.name == race_name]
        best = min(e.placement_ms for e in self.finishers(*races))
        return best, [e for e in self.finishers(*races) if e.placement_ms == best]

    def repeaters(self, event_name: str, race_name: str, years: Iterable[int]) -> set[tuple[str, str, str]]:
        """People who finished the race in every one of `years`."""
        sets = [{e.person for e in self.finishers(self.race(event_name, y, race_name))} for y in years]
        return set.intersection(*sets)

    def counts_by(self, key: Callable[[Entry], str], *races: Race) -> Counter[str]:
        return Counter(key(e) for e in self.finishers(*races))

    def awards(self, race: Race) -> list[Award]:
        """Per sex: overall, then masters, then age groups among those not yet awarded."""
        won: list[Award] = []
        for sex in ("F", "M", "X"):
            pool = [e for e in self.finishers(race) if e.sex == sex]
            awarded: set[str] = set()
            for place, e in top_places(pool, race.overall_depth):
                won.append(Award("Overall", sex, place, e))
                awarded.add(e.participant_id)
            masters = [e for e in pool if e.age >= race.masters_min_age and e.participant_id not in awarded]
            for place, e in top_places(masters, race.masters_depth):
                won.append(Award("Masters", sex, place, e))
                awarded.add(e.participant_id)
            groups: dict[str, list[Entry]] = defaultdict(list)
            for e in pool:
                if not race.exclude_winners_from_ag or e.participant_id not in awarded:
                    groups[age_group(e.age, race.ag_width)].append(e)
            for label, members in groups.items():
                for place, e in top_places(members, race.ag_depth):
                    won.append(Award(label, sex, place, e))
        return won

    # ------------------------------------------------------------------ readings (src/racehub/ask/README.md)

    def editions(self, event_name: str) -> list[Event]:
        """The event's editions, oldest first."""
        return sorted((e for e in self.events if e.name == event_name), key=lambda e: e.year)

    def event_names(self) -> list[str]:
        return list(dict.fromkeys(e.name for e in self.events))

    def races_named(self, event_name: str, race_name: str) -> list[Race]:
        """The race in every edition that has it, oldest first."""
        return sorted(
            (r for r in self.races if r.event.name == event_name and r.name == race_name),
            key=lambda r: r.event.year,
        )

    def population(
        self, races: Iterable[Race], name: str = "finishers", where: Callable[[Entry], bool] | None = None
    ) -> list[Entry]:
        """Entries of the races in a population (POPULATIONS, or "award winners") that meet `where`."""
        chosen = list(races)
        if name == "award winners":
            won = {a.entry.participant_id: a.entry for r in chosen for a in self.awards(r)}
            return [e for e in won.values() if where is None or where(e)]
        statuses = POPULATIONS[name]
        return [e for e in self.entries_of(*chosen, where=where) if statuses is None or e.status in statuses]

    @cached_property
    def _entries_by_name(self) -> dict[tuple[str, str], list[Entry]]:
        grouped: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for e in self.entries:
            grouped[(e.first_name, e.last_name)].append(e)
        return grouped

    def people_named(self, first_name: str, last_name: str) -> set[tuple[str, str, str]]:
        """Every distinct person (first name, last name, date of birth) with this name."""
        return {e.person for e in self._entries_by_name.get((first_name, last_name), [])}

    def history(self, person: tuple[str, str, str]) -> list[Entry]:
        """A person's entries across every event, by date."""
        first, last, _ = person
        mine = [e for e in self._entries_by_name.get((first, last), []) if e.person == person]
        return sorted(mine, key=lambda e: (e.race.event.start_date, e.race.start_time))

    def events_between(self, first: date, last: date) -> list[Event]:
        """Editions whose start date lies in [first, last]."""
        return sorted((e for e in self.events if first <= e.start_date <= last), key=lambda e: e.start_date)

    def split_time(self, entry: Entry, split_name: str) -> str | None:
        return self.splits.get(entry.participant_id, {}).get(split_name)


# ---------------------------------------------------------------------- readings of questions
# What src/racehub/ask/README.md (the readings the engine commits to) means on top of the README's
# rules, kept as plain as the rest: a population of entries, conditions on an entry, and measures over
# the entries that remain. The question generator and the hand-written paraphrases take their gold here.

MILE_M = 1609.344
KM_M = 1000.0
STARTED = frozenset({"FIN", "DNF", "DQ"})
# Population -> the result statuses it holds (None: every entry, whatever its result).
POPULATIONS: dict[str, frozenset[str] | None] = {
    "registrations": None,
    "starters": STARTED,
    "finishers": frozenset({"FIN"}),
    "dnf": frozenset({"DNF"}),
    "dns": frozenset({"DNS"}),
    "dq": frozenset({"DQ"}),
}


def time_on(entry: Entry, basis: str | None = None) -> int | None:
    """The entry's time in ms: gun or chip as asked, else its race's placement basis."""
    which = basis or entry.race.basis
    return entry.gun_ms if which == "gun" else entry.chip_ms


def ranked_on(entries: Iterable[Entry], basis: str | None = None) -> list[tuple[int, Entry]]:
    """Finishers with competition-ranked places (1, 2, 2, 4) by gun, chip or placement time."""

    def key(e: Entry) -> int:
        value = time_on(e, basis)
        assert value is not None, f"{e.participant_id} finished without a time"
        return value

    ordered = sorted((e for e in entries if e.finished), key=key)
    places: list[tuple[int, Entry]] = []
    for position, entry in enumerate(ordered, start=1):
        if places and key(places[-1][1]) == key(entry):
            places.append((places[-1][0], entry))
        else:
            places.append((position, entry))
    return places


def pace_ms(entry: Entry, basis: str | None = None, unit_m: float = MILE_M) -> float:
    """Time per mile (or per `unit_m` metres) of a finisher."""
    value = time_on(entry, basis)
    assert value is not None
    return value / entry.race.distance_m * unit_m


def time_stat(entries: Iterable[Entry], stat: str, basis: str | None = None) -> float:
    """mean | median | min | max of the finishers' times, in ms."""
    values = [time_on(e, basis) for e in entries if e.finished]
    return _stat([v for v in values if v is not None], stat)


def pace_stat(entries: Iterable[Entry], stat: str, basis: str | None = None, unit_m: float = MILE_M) -> float:
    """mean | median | min | max of the finishers' paces (each finisher's time / distance), in ms."""
    return _stat([pace_ms(e, basis, unit_m) for e in entries if e.finished], stat)


def age_stat(entries: Iterable[Entry], stat: str) -> float:
    return _stat([e.age for e in entries], stat)


def _stat(values: list[float] | list[int], stat: str) -> float:
    assert values, "a statistic of nobody"
    if stat == "mean":
        return statistics.fmean(values)
    if stat == "median":
        return float(statistics.median(values))
    if stat == "min":
        return float(min(values))
    if stat == "max":
        return float(max(values))
    raise ValueError(stat)


def distinct(entries: Iterable[Entry], what: str) -> int:
    """Distinct clubs (non-empty team), states, cities, countries or people among the entries."""
    if what == "clubs":
        return len({e.team for e in entries if e.team})
    if what == "states":
        return len({e.state for e in entries if e.state})
    if what == "cities":
        return len({(e.city, e.state) for e in entries if e.city})
    if what == "countries":
        return len({e.country for e in entries if e.country})
    if what == "people":
        return len({e.person for e in entries})
    raise ValueError(what)


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole


def age_group_place(bundle: Bundle, entry: Entry) -> int:
    """The finisher's place in their sex's age group (the race's group width)."""
    label = age_group(entry.age, entry.race.ag_width)
    pool = bundle.finishers(
        entry.race, where=lambda e: e.sex == entry.sex and age_group(e.age, e.race.ag_width) == label
    )
    return next(place for place, e in ranked(pool) if e.participant_id == entry.participant_id)


@dataclass(frozen=True)
class Where:
    """Conditions on an entry; None is no condition, and every condition given must hold."""

    sex: str | None = None
    min_age: int | None = None  # inclusive
    max_age: int | None = None  # inclusive
    team: str | None = None
    city: str | None = None
    state: str | None = None
    source: str | None = None
    registered_from: str | None = None  # ISO date, inclusive
    registered_to: str | None = None  # ISO date, inclusive
    under_ms: int | None = None  # a finish time strictly under this, on `basis`
    basis: str | None = None
    bib: str | None = None

    def __call__(self, e: Entry) -> bool:
        if self.sex is not None and e.sex != self.sex:
            return False
        if self.min_age is not None and e.age < self.min_age:
            return False
        if self.max_age is not None and e.age > self.max_age:
            return False
        if self.team is not None and e.team != self.team:
            return False
        if self.city is not None and e.city != self.city:
            return False
        if self.state is not None and e.state != self.state:
            return False
        if self.source is not None and e.source != self.source:
            return False
        day = e.registered_at[:10]
        if self.registered_from is not None and day < self.registered_from:
            return False
        if self.registered_to is not None and day > self.registered_to:
            return False
        if self.under_ms is not None:
            value = time_on(e, self.basis)
            if not e.finished or value is None or value >= self.under_ms:
                return False
        return self.bib is None or e.bib == self.bib

    def without(self, *names: str) -> Where:
        """The same conditions but these (a broader question)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        for name in names:
            values[name] = None
        if "under_ms" in names:
            values["basis"] = None
        return Where(**values)

    def given(self) -> list[str]:
        """Names of the conditions set (the basis only goes with a time threshold)."""
        return [f for f in self.__dataclass_fields__ if f != "basis" and getattr(self, f) is not None]
