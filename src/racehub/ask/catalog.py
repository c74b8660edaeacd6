"""The tenant's catalogue of events and races, and finding them in a question."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from threading import Lock
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import text

from racehub.ask.text import normalize
from racehub.db import Database, Scope

# Words that name a distance or kind of event rather than one event.
GENERIC = {
    "the",
    "a",
    "an",
    "of",
    "and",
    "&",
    "marathon",
    "half",
    "weekend",
    "run",
    "race",
    "races",
    "trail",
    "miler",
    "mile",
    "miles",
    "k",
    "km",
    "festival",
    "classic",
    "series",
    "challenge",
    "fun",
    "road",
    "annual",
    "event",
    "10",
    "5",
    "8",
    "50",
    "25",
    "1",
}
DISTANCE_TOKEN = re.compile(r"^\d+(\.\d+)?(k|km|mi|m)?$")

# (pattern, race kind): the order matters, longer phrases first.
RACE_KINDS: list[tuple[str, str]] = [
    (r"half[\s-]?marathon|13\.1|\bhalf\b", "half"),
    (r"(?:full\s+)?marathon|26\.2", "marathon"),
    (r"\b(\d+(?:\.\d+)?)\s*-?\s*(?:k|km|kilometers?|kilometres?)\b", "{0}k"),
    (r"\b(\d+|one|ten|five|three)\s*-?\s*(?:miler|mile|mi)\b", "{0}mi"),
    (r"\bfun\s+run|kids?\s+run\b", "1mi"),
]
_WORD_NUM = {"one": "1", "ten": "10", "five": "5", "three": "3"}


def race_kinds(text: str) -> list[tuple[str, int, int]]:
    """Race kinds named in normalised text, with their character spans."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in RACE_KINDS:
        for m in re.finditer(pattern, text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            value = kind
            if "{0}" in kind:
                num = _WORD_NUM.get(m.group(1), m.group(1))
                value = kind.format(num.rstrip("0").rstrip(".") if "." in num else num)
            found.append((value, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


@lru_cache(maxsize=4096)
def race_kind_of(name: str) -> str | None:
    kinds = race_kinds(normalize(name))
    return kinds[0][0] if kinds else None


@dataclass(frozen=True)
class RaceInfo:
    race_id: int
    name: str
    distance_m: float | None
    kind: str | None
    start_time: datetime | None = None
    basis: str = "gun"  # placement basis: gun | chip
    masters_min_age: int = 40
    age_group_width: int = 5
    masters_depth: int = 0


@dataclass(frozen=True)
class EditionInfo:
    edition_id: int
    org_id: int
    org_name: str
    series: str
    year: int
    start_date: date
    status: str
    races: tuple[RaceInfo, ...]
    city: str | None = None
    state: str | None = None


@dataclass
class Series:
    org_id: int
    org_name: str
    name: str
    tokens: list[str]
    distinct: list[str]
    editions: dict[int, EditionInfo] = field(default_factory=dict)

    @property
    def race_names(self) -> list[str]:
        names: dict[str, None] = {}
        for ed in sorted(self.editions.values(), key=lambda e: -e.year):
            for r in ed.races:
                names.setdefault(r.name, None)
        return list(names)


@dataclass(frozen=True)
class SeriesMatch:
    series: Series
    score: float
    matched: int
    span: tuple[int, int]  # token indices [start, end) of the mention
    full: bool  # every word of the name was said


def _tok_match(q: str, s: str) -> bool:
    if q == s:
        return True
    if len(s) >= 4 and len(q) >= 3 and not DISTANCE_TOKEN.match(q):
        return fuzz.ratio(q, s) >= 80
    return False


class Catalog:
    """Events and races visible to one scope."""

    def __init__(self, editions: list[EditionInfo]) -> None:
        self.editions = editions
        self.series: list[Series] = []
        index: dict[tuple[int, str], Series] = {}
        for ed in editions:
            key = (ed.org_id, ed.series)
            if key not in index:
                toks = normalize(ed.series).split()
                distinct = [t for t in toks if t not in GENERIC and not DISTANCE_TOKEN.match(t)] or toks
                index[key] = Series(ed.org_id, ed.org_name, ed.series, toks, distinct)
                self.series.append(index[key])
            index[key].editions[ed.year] = ed

    def match_series(self, qtokens: list[str]) -> list[SeriesMatch]:
        """Series named in the question, best first."""
        matches = []
        for s in self.series:
            hit = [any(_tok_match(q, d) for q in qtokens) for d in s.distinct]
            matched = sum(hit)
            if not matched:
                continue
            score = matched / len(s.distinct)
            if score < 0.5:
                continue
            span, full = self._span(qtokens, s)
            matches.append(SeriesMatch(s, score, matched, span, full))
        # A name said in full beats one that only shares its distinctive words ("Lakeside Trail 10K").
        matches.sort(key=lambda m: (m.score, m.full, m.matched, m.span[1] - m.span[0]), reverse=True)
        return matches

    @staticmethod
    def _span(qtokens: list[str], s: Series) -> tuple[tuple[int, int], bool]:
        """The longest run of question words that spells consecutive words of the series name."""
        best = (0, 0)
        best_full = False
        for i in range(len(qtokens)):
            for j in range(len(s.tokens)):
                k = 0
                while (
                    i + k < len(qtokens)
                    and j + k < len(s.tokens)
                    and _tok_match(qtokens[i + k], s.tokens[j + k])
                ):
                    k += 1
                if k > best[1] - best[0]:
                    best = (i, i + k)
                    best_full = k == len(s.tokens)
        return best, best_full


class CatalogCache:
    """Catalogues per scope, kept for a short while (events change rarely; answers must stay fresh)."""

    def __init__(self, database: Database, ttl_s: float = 30.0) -> None:
        self.database = database
        self.ttl_s = ttl_s
        self._cache: dict[tuple[bool, int | None], tuple[float, Catalog]] = {}
        self._lock = Lock()

    def get(self, scope: Scope) -> Catalog:
        key = (scope.platform, scope.org_id)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self.ttl_s:
                return hit[1]
        catalog = self._load(scope)
        with self._lock:
            self._cache[key] = (now, catalog)
        return catalog

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _load(self, scope: Scope) -> Catalog:
        with self.database.session(scope) as session:
            rows = session.execute(
                text(
                    """
                    SELECT ed.id, ed.org_id, o.name, s.name, ed.year, ed.start_date, ed.status,
                           r.id, r.name, r.distance_m, r.start_time, r.placement_basis,
                           r.masters_min_age, r.age_group_width, r.masters_award_depth, ed.city, ed.state
                    FROM editions ed JOIN event_series s ON s.id = ed.series_id
                    JOIN organizations o ON o.id = ed.org_id
                    LEFT JOIN races r ON r.edition_id = ed.id
                    ORDER BY ed.start_date, r.distance_m DESC NULLS LAST, r.id
                    """
                )
            ).all()
        grouped: dict[int, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        editions = []
        for ed_rows in grouped.values():
            first = ed_rows[0]
            races = tuple(
                RaceInfo(r[7], r[8], r[9], race_kind_of(r[8]), r[10], r[11], r[12], r[13], r[14])
                for r in ed_rows
                if r[7] is not None
            )
            editions.append(
                EditionInfo(
                    first[0],
                    first[1],
                    first[2],
                    first[3],
                    first[4],
                    first[5],
                    first[6],
                    races,
                    first[15],
                    first[16],
                )
            )
        return Catalog(editions)
