"""What the tenant's runners are called and where they come from: names, clubs and cities, for finding
them in a question. Clubs and cities are kept a few minutes per tenant; names are looked up per question
(a question names at most a few runners, and the tenant may have millions)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, bindparam, text

from racehub.db import Database, Scope


@dataclass(frozen=True)
class PersonRow:
    person_id: int
    first: str  # folded, lower case
    last: str
    first_name: str  # as written
    last_name: str
    dob: object


@dataclass(frozen=True)
class Place:
    city: str
    state: str | None
    entries: int


@dataclass(frozen=True)
class Places:
    clubs: dict[str, tuple[str, int]]  # folded name -> (name, entries)
    cities: dict[str, list[Place]]  # folded city -> its places (a city name may be in several states)


class Directory:
    def __init__(self, database: Database, ttl_s: float = 300.0) -> None:
        self.database = database
        self.ttl_s = ttl_s
        self._places: dict[tuple[bool, int | None], tuple[float, Places]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._places.clear()

    def places(self, scope: Scope) -> Places:
        key = (scope.platform, scope.org_id)
        now = time.monotonic()
        with self._lock:
            hit = self._places.get(key)
            if hit and now - hit[0] < self.ttl_s:
                return hit[1]
        loaded = self._load_places(scope)
        with self._lock:
            self._places[key] = (now, loaded)
        return loaded

    def _load_places(self, scope: Scope) -> Places:
        from racehub.ask.parse.ledger import words_of

        with self.database.session(scope) as session:
            teams = session.execute(
                text("SELECT team, count(*) FROM entries WHERE team IS NOT NULL AND team <> '' GROUP BY team")
            ).all()
            cities = session.execute(
                text(
                    "SELECT city, state, count(*) FROM entries WHERE city IS NOT NULL AND city <> '' "
                    "GROUP BY city, state"
                )
            ).all()
        clubs = {" ".join(words_of(name)): (name, int(n)) for name, n in teams}
        by_city: dict[str, list[Place]] = {}
        for city, state, n in cities:
            by_city.setdefault(" ".join(words_of(city)), []).append(Place(city, state, int(n)))
        return Places(clubs, by_city)

    def persons_named(
        self, scope: Scope, pairs: Sequence[tuple[str, str]], org_ids: Sequence[int]
    ) -> list[PersonRow]:
        """Persons whose folded first and last names are one of `pairs`."""
        if not pairs:
            return []
        firsts = sorted({f for f, _ in pairs})
        lasts = sorted({last for _, last in pairs})
        wanted = set(pairs)
        rows = self._persons(
            scope,
            "search_last_name IN :lasts AND search_first_name IN :firsts",
            {"lasts": lasts, "firsts": firsts},
            org_ids,
        )
        return [r for r in rows if (r.first, r.last) in wanted]

    def persons_sharing(self, scope: Scope, words: Sequence[str], org_ids: Sequence[int]) -> list[PersonRow]:
        """Persons with a first or last name among `words` (candidates for a misspelt name)."""
        if not words:
            return []
        return self._persons(
            scope,
            "(search_last_name IN :words OR search_first_name IN :words)",
            {"words": sorted(set(words))},
            org_ids,
            limit=5000,
        )

    def _persons(
        self, scope: Scope, where: str, params: dict[str, object], org_ids: Sequence[int], limit: int = 500
    ) -> list[PersonRow]:
        expanding: list[BindParameter[Any]] = [bindparam(k, expanding=True) for k in params]
        org_filter = ""
        if org_ids:
            org_filter = " AND org_id IN :orgs"
            params = {**params, "orgs": list(org_ids)}
            expanding.append(bindparam("orgs", expanding=True))
        sql = text(
            "SELECT id, search_first_name, search_last_name, first_name, last_name, dob FROM persons "
            f"WHERE {where}{org_filter} LIMIT {int(limit)}"
        ).bindparams(*expanding)
        with self.database.session(scope) as session:
            rows = session.execute(sql, params).all()
        return [PersonRow(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]
