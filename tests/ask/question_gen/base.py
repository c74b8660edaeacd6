"""What every category of generated question shares: the item, the filters and their words, sampling an
edition and the `today` that dates it, and the way staff type (typos, case, filler, politeness)."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.ask.bundle_reference import (
    POPULATIONS,
    Bundle,
    Event,
    Race,
    Where,
)
from tests.ask.question_gen.words import (
    ARTICLE_BEFORE,
    CITY_AVOID,
    COMMANDS,
    DEMONYMS,
    EVENT_NAMES,
    FILLERS_AFTER,
    FILLERS_BEFORE,
    POLITE,
    POLITE_COMMANDS,
    POLITE_FRAGMENTS,
    POLITE_OPENERS,
    POP_NOUNS,
    QUESTION_WORDS,
    RACE_NAMES,
    RACE_WORDS,
    STATE_NAMES,
    TYPOS,
    WHOLE_EVENT,
)

REPO = Path(__file__).resolve().parents[3]
BUNDLE = REPO.parent / "shared" / "data" / "racedata-v1"
REF = date(2026, 11, 25)  # the bundle's reference date
LAST_DAY = date(2026, 12, 31)  # no `today` after the bundle's last year

Expect = dict[str, Any]


def seconds_text(ms: float) -> str:
    """H:MM:SS, to the nearest second (check.py accepts a second either way)."""
    total = round(ms / 1000)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def numbers_of(text: str) -> set[float]:
    """Every number a question contains (an answer may echo them: they cannot be a gold figure)."""
    found = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)}
    return found | {2023.0, 2024.0, 2025.0, 2026.0}


@dataclass
class Item:
    question: str
    today: date
    category: str
    expect: Expect

    def as_json(self, item_id: str) -> dict[str, Any]:
        return {
            "id": item_id,
            "question": self.question,
            "today": self.today.isoformat(),
            "category": self.category,
            "expect": self.expect,
        }


class Skip(Exception):
    """This sample does not make a question that tells readings apart: draw another."""


def need(condition: bool) -> None:
    if not condition:
        raise Skip


@dataclass
class Subject:
    """The population's filters and the words that say them."""

    where: Where = field(default_factory=Where)
    noun: str | None = None  # replaces "runners"/"people": "women", "Virginians", "Norfolk residents"
    noun_pre: str = ""  # the noun's meaning before a population noun: "female" (for "female finishers")
    noun_post: str = ""  # or after it: "from Virginia" (for "finishers from Virginia")
    pre: list[str] = field(default_factory=list)  # before the population noun: "female", "M40-44"
    post: list[str] = field(default_factory=list)  # after it: "aged 40-49", "from Norfolk"
    time_words: str = ""  # "in under 4 hours" (a finish-time threshold, after the verb)


class Base:
    """The bundle, a seeded random source, and the helpers every category uses."""

    def __init__(self, bundle: Bundle, seed: int) -> None:
        self.b = bundle
        self.rng = random.Random(seed)
        self.completed = [r for r in bundle.races if any(e.status for e in bundle.entries_of(r))]
        self.by_event: dict[tuple[str, int], list[Race]] = defaultdict(list)
        for race in bundle.races:
            self.by_event[(race.event.name, race.event.year)].append(race)
        names = Counter((e.first_name, e.last_name) for e in bundle.entries)
        self.unique_named = [
            e
            for e in bundle.entries
            if names[(e.first_name, e.last_name)] and len(bundle.people_named(e.first_name, e.last_name)) == 1
        ]
        self.cities = sorted({e.city for e in bundle.entries} - CITY_AVOID)
        self.clubs = sorted({e.team for e in bundle.entries if e.team})
        self.states = sorted({e.state for e in bundle.entries})
        names = sorted(
            {*self.clubs, *{e.city for e in bundle.entries}, *(o.name for o in bundle.orgs.values())},
            key=len,
            reverse=True,
        )
        self.protected = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)

    # ------------------------------------------------------------------ sampling helpers

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day_between(self, first: date, last: date) -> date:
        need(first <= last)
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def races_of(self, event: Event) -> list[Race]:
        return self.by_event[(event.name, event.year)]

    def done_race(self, *, multi: bool | None = None) -> Race:
        """A race of an edition with results (`multi`: of an event with several races, or one)."""
        pool = self.completed
        if multi is not None:
            pool = [r for r in pool if (len(self.races_of(r.event)) > 1) == multi]
        race: Race = self.pick(pool)
        return race

    def next_edition(self, event: Event) -> Event | None:
        later = [e for e in self.b.editions(event.name) if e.year > event.year]
        return later[0] if later else None

    def previous_edition(self, event: Event) -> Event | None:
        earlier = [e for e in self.b.editions(event.name) if e.year < event.year]
        return earlier[-1] if earlier else None

    # ------------------------------------------------------------------ naming an edition

    def race_name(self, race: Race) -> str:
        return str(self.pick(RACE_NAMES[(race.event.name, race.name)]))

    def when(self, event: Event, *, results: bool, modes: Sequence[str] | None = None) -> tuple[str, date]:
        """How the question dates the edition, and the `today` that makes it mean that edition.

        explicit: the year said; last/this: relative to today; none: no year (results: the latest edition
        on or before today; registrations: the next upcoming one, else the latest)."""
        mode = self.pick(modes or ["explicit"] * 6 + ["last", "this", "none", "none"])
        start = event.start_date
        nxt, prev = self.next_edition(event), self.previous_edition(event)
        if mode == "explicit":
            if self.chance(0.6) or start >= REF:
                return "explicit", max(REF, start + timedelta(days=1)) if results else REF
            return "explicit", self.day_between(start + timedelta(days=2), LAST_DAY)
        if mode == "last":
            need(event.year + 1 <= LAST_DAY.year)
            return "last", self.day_between(
                date(event.year + 1, 1, 2), min(date(event.year + 1, 12, 30), LAST_DAY)
            )
        if mode == "this":
            if results:
                return "this", self.day_between(start + timedelta(days=2), date(event.year, 12, 30))
            return "this", self.day_between(date(event.year, 1, 2), date(event.year, 12, 30))
        # no year
        if results:
            last = (nxt.start_date - timedelta(days=2)) if nxt else LAST_DAY
            return "none", self.day_between(start + timedelta(days=2), last)
        if self.chance(0.7) or nxt is not None:
            first = (prev.start_date + timedelta(days=2)) if prev else date(event.year - 1, 6, 1)
            return "none", self.day_between(max(first, date(2023, 1, 2)), start - timedelta(days=2))
        return "none", self.day_between(start + timedelta(days=2), LAST_DAY)

    def dated(self, name: str, year: int, mode: str) -> str:
        """An edition's name with its year written the way `mode` says."""
        the = self.pick(["the ", "the ", ""]) if ARTICLE_BEFORE.search(name) else ""
        if mode == "explicit":
            return str(
                self.pick(
                    [
                        f"{the}{year} {name}",
                        f"{the}{year} {name}",
                        f"{the}{name} {year}",
                        f"{the}{name} in {year}",
                    ]
                )
            )
        if mode == "last":
            return str(self.pick([f"last year's {name}", f"{the}{name} last year"]))
        if mode == "this":
            return str(self.pick([f"this year's {name}", f"{the}{name} this year"]))
        return f"{the}{name}"

    @staticmethod
    def bare(where_text: str) -> str:
        """An edition's phrase without its article, for "winning time boston 2025" fragments."""
        return where_text.removeprefix("the ")

    def race_phrase(self, race: Race, mode: str) -> str:
        """A race named by its own name, or as "the 5K at the 2024 Harbor Half Marathon"."""
        several = len(self.races_of(race.event)) > 1
        if several and self.chance(0.3):
            word = self.pick(RACE_WORDS[race.name])
            event = self.pick(EVENT_NAMES[race.event.name])
            return f"the {word} at {self.dated(event, race.event.year, mode)}"
        return self.dated(self.race_name(race), race.event.year, mode)

    def edition_phrase(self, event: Event, mode: str, *, qualifier: bool = True) -> tuple[str, str]:
        """The whole event (every race) and, when the name alone does not say so, a qualifier."""
        races = self.races_of(event)
        if len(races) == 1:
            return self.dated(self.race_name(races[0]), event.year, mode), ""
        options = WHOLE_EVENT[event.name] if qualifier else [w for w in WHOLE_EVENT[event.name] if not w[1]]
        name, extra = self.pick(options)
        return self.dated(name, event.year, mode), extra

    # ------------------------------------------------------------------ writing

    def style(self, text: str, *, typos: bool = True) -> str:
        """The question as staff type it: typos, lower case, filler, politeness, punctuation."""
        first = text.split()[0].lower().rstrip(",")
        kind = (
            "question"
            if first in QUESTION_WORDS
            else "polite"
            if first in POLITE_OPENERS
            else "command"
            if first in COMMANDS
            else "fragment"
        )
        body = text.rstrip("?.! ")
        if typos and self.chance(0.3):
            body = self.typo(body)
        roll = self.rng.random()
        if roll < 0.12 and kind != "polite":
            low = body[0].lower() + body[1:]
            body = self.pick(
                {"question": POLITE, "command": POLITE_COMMANDS, "fragment": POLITE_FRAGMENTS}[kind]
            ).format(q=low)
            end = ""
        elif roll < 0.3:
            body = self.pick(FILLERS_BEFORE) + body[0].lower() + body[1:]
            end = self.pick(["?", "", ""]) if kind == "question" else ""
        elif roll < 0.4:
            end = self.pick(FILLERS_AFTER)
        else:
            asks = kind == "question" or text.rstrip().endswith("?")
            end = self.pick(["?", "?", "?", "", "??"]) if asks else self.pick([".", "", ""])
        out = body + end
        if self.chance(0.3):
            out = out.lower()
        return re.sub(r"\s+", " ", out).strip()

    def typo(self, text: str) -> str:
        """One misspelt word, never inside a person's, club's, city's or company's name."""
        kept: list[str] = []

        def keep(m: re.Match[str]) -> str:
            kept.append(m.group(0))
            return f"\x00{len(kept) - 1}\x00"

        masked = self.protected.sub(keep, text)
        words = [w for w in TYPOS if re.search(rf"\b{re.escape(w)}\b(?!')", masked)]
        if words:
            word = self.pick(words)
            masked = re.sub(rf"\b{re.escape(word)}\b(?!')", self.pick(TYPOS[word]), masked, count=1)
        return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], masked)

    def subject(self, race: Race, population: str, *, most: int = 2, time_ok: bool = True) -> Subject:
        """0 to `most` filters on the race's entries, each with words that say it."""
        s = Subject()
        kinds = ["sex", "sex", "age", "division", "club", "city", "state", "state", "time"]
        if population != "finishers" or not time_ok:
            kinds.remove("time")
        count = self.pick([c for c in (0, 1, 1, 2, 2, 3) if c <= most])
        chosen: list[str] = []
        while len(chosen) < count:
            kind = self.pick(kinds)
            if kind in chosen or (kind == "division" and ("sex" in chosen or "age" in chosen)):
                continue
            if kind in ("sex", "age") and "division" in chosen:
                continue
            chosen.append(kind)
        values: dict[str, Any] = {}
        for kind in chosen:
            if kind == "sex":
                sex = self.pick(["F", "F", "M", "M", "X"])
                values["sex"] = sex
                if s.noun is None and self.chance(0.5):  # a place may already have named the people
                    s.noun = self.pick(
                        {
                            "F": ["women", "ladies", "females"],
                            "M": ["men", "males"],
                            "X": ["non-binary runners"],
                        }[sex]
                    )
                    s.noun_pre = self.pick(
                        {"F": ["female", "women"], "M": ["male"], "X": ["non-binary"]}[sex]
                    )
                else:
                    s.pre.append(
                        self.pick({"F": ["female", "women"], "M": ["male"], "X": ["non-binary"]}[sex])
                    )
            elif kind == "age":
                low, high, words = self.age_range()
                values["min_age"], values["max_age"] = low, high
                if words.startswith(("masters", "grand")):
                    s.pre.append(words)
                else:
                    s.post.append(words)
            elif kind == "division":
                sex = self.pick(["M", "F"])
                low = self.pick(range(20, 75, 5))
                values.update(sex=sex, min_age=low, max_age=low + 4)
                s.pre.append(f"{self.pick([sex, sex, 'W' if sex == 'F' else 'M'])}{low}-{low + 4}")
            elif kind == "club":
                club = self.pick(self.clubs)
                values["team"] = club
                s.post.append(
                    self.pick([f"from {club}", f"in {club}", f"running for {club}", f"who run with {club}"])
                )
            elif kind == "city":
                city = self.pick(
                    [c for c in self.cities if c != race.event.city and c not in race.event.name]
                )
                values["city"] = city
                if s.noun is None and not s.pre and self.chance(0.3):
                    s.noun = f"{city} residents"
                    s.noun_post = f"from {city}"
                else:
                    s.post.append(self.pick([f"from {city}", f"who live in {city}", f"living in {city}"]))
            elif kind == "state":
                state = self.pick(self.states)
                values["state"] = state
                forms = [f"from {state}"]
                if state in STATE_NAMES:
                    forms += [f"from {STATE_NAMES[state]}"] * 2
                if s.noun is None and not s.pre and self.chance(0.35) and state in STATE_NAMES:
                    s.noun = (
                        DEMONYMS[state]
                        if state in DEMONYMS and self.chance(0.6)
                        else f"{STATE_NAMES[state]} residents"
                    )
                    s.noun_post = f"from {STATE_NAMES[state]}"
                else:
                    s.post.append(self.pick(forms))
            elif kind == "time":
                limit_ms, words = self.threshold(race)
                basis = self.pick([None, None, None, "chip", "gun"])
                values["under_ms"], values["basis"] = limit_ms, basis
                if basis:
                    words = f"{words} {self.pick(['', 'by '])}{basis} time".replace("  ", " ")
                s.time_words = words
        s.where = Where(**values)
        return s

    def age_range(self) -> tuple[int | None, int | None, str]:
        """(min age, max age, words), both inclusive."""
        shape = self.pick(
            ["range", "range", "decade", "over", "and over", "plus", "under", "and under", "masters", "grand"]
        )
        if shape == "range":
            low = self.pick(range(20, 70, 5))
            high = low + self.pick([4, 9])
            return (
                low,
                high,
                self.pick([f"aged {low}-{high}", f"between {low} and {high}", f"aged {low} to {high}"]),
            )
        if shape == "decade":
            low = self.pick([20, 30, 40, 50, 60])
            return low, low + 9, f"in their {low}s"
        if shape == "over":
            age = self.pick([40, 50, 55, 60, 65])
            return age + 1, None, f"over {age}"
        if shape == "and over":
            age = self.pick([40, 50, 60, 65, 70])
            return age, None, self.pick([f"{age} and over", f"{age} or older", f"aged {age} and up"])
        if shape == "plus":
            age = self.pick([40, 50, 60])
            return age, None, f"aged {age}+"
        if shape == "under":
            age = self.pick([20, 25, 30, 18])
            return None, age - 1, self.pick([f"under {age}", f"younger than {age}"])
        if shape == "and under":
            age = self.pick([19, 20, 25, 29])
            return None, age, f"{age} and under"
        if shape == "masters":
            return 40, None, "masters"
        return 50, None, self.pick(["grand masters", "grandmasters"])

    def threshold(self, race: Race) -> tuple[int, str]:
        """A round finish-time limit for the race's distance, with its words."""
        hour, minute = 3_600_000, 60_000
        options = {
            "Marathon": [
                (3 * hour, "under 3 hours"),
                (3 * hour, "sub-3"),
                (4 * hour, "under 4 hours"),
                (int(3.5 * hour), "under 3:30"),
                (5 * hour, "in under 5 hours"),
                (4 * hour, "sub 4"),
            ],
            "Half Marathon": [
                (90 * minute, "under 1:30"),
                (2 * hour, "under 2 hours"),
                (105 * minute, "under 1:45"),
                (2 * hour, "sub-2"),
            ],
            "10 Miler": [
                (75 * minute, "under 75 minutes"),
                (90 * minute, "under 1:30"),
                (80 * minute, "in under 80 minutes"),
            ],
            "10K": [
                (45 * minute, "under 45 minutes"),
                (50 * minute, "faster than 50 minutes"),
                (hour, "under an hour"),
            ],
            "8K": [(40 * minute, "under 40 minutes"), (35 * minute, "faster than 35 minutes")],
            "5K": [
                (20 * minute, "under 20 minutes"),
                (25 * minute, "faster than 25 minutes"),
                (30 * minute, "under 30 minutes"),
                (20 * minute, "sub-20"),
            ],
            "50K": [(5 * hour, "under 5 hours"), (6 * hour, "under 6 hours")],
            "25K": [(150 * minute, "under 2:30"), (3 * hour, "under 3 hours")],
            "1 Mile Fun Run": [(8 * minute, "under 8 minutes"), (10 * minute, "under 10 minutes")],
        }
        limit, words = self.pick(options[race.name])
        return int(limit), str(words)

    def people_phrase(self, s: Subject, population: str, *, verbal: bool) -> str:
        """ "women aged 40-49 from Norfolk" (verbal) or "female finishers aged 40-49 from Norfolk"."""
        if verbal:
            head = s.noun or ("runners" if s.pre else self.pick(["runners", "people", "runners"]))
            return " ".join(w for w in [*s.pre, head, *s.post] if w)
        noun = self.pick(POP_NOUNS[population])
        return " ".join(w for w in [*s.pre, s.noun_pre, noun, s.noun_post, *s.post] if w)

    def neighbours(self, races: Sequence[Race], population: str, where: Where) -> set[float]:
        """Counts a broader or neighbouring reading gives: another population, a filter dropped."""
        values = {float(len(self.b.population(races, p, where))) for p in POPULATIONS if p != population}
        for name in where.given():
            values.add(float(len(self.b.population(races, population, where.without(name)))))
        values.add(float(len(self.b.population(races, population))))
        return values

    def year_neighbours(
        self, event_name: str, year: int, race_name: str | None, fn: Callable[[list[Race]], float]
    ) -> set[float]:
        """The same reading one year before and after (a misread relative year)."""
        out: set[float] = set()
        for y in (year - 1, year + 1):
            races = [
                r
                for r in self.b.races
                if r.event.name == event_name
                and r.event.year == y
                and (race_name is None or r.name == race_name)
            ]
            if races and any(e.status for e in self.b.entries_of(*races)):
                try:
                    out.add(fn(races))
                except AssertionError:
                    pass
        return out
