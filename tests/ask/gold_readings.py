"""Readings of hand-written questions over the plain reference: small functions that give a question's gold.

Each function names a reading of the ask README (a count of a population with filters, the Nth place,
a pace, a share, people across editions, a window of the catalogue, a report's rows, why a question
must be clarified) and returns the function that computes its expectation from the bundle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.ask.bundle_reference import (
    Bundle,
    Entry,
    Race,
    Where,
    age_group_place,
    age_stat,
    pace_ms,
    pace_stat,
    percent,
    ranked_on,
    time_on,
    time_stat,
)
from tests.ask.question_gen import REF, seconds_text

Expect = dict[str, Any]
Gold = Callable[[Bundle], Expect]

SHAMROCK, HARBOR, JINGLE, TROT = (
    "Shamrock Marathon Weekend",
    "Harbor Half Marathon",
    "Jingle Bell Run",
    "Richmond Turkey Trot",
)
LAKESIDE, CHERRY, BOSTON, RIDGE, RIVER = (
    "Lakeside 10K",
    "Cherry Blossom 10 Miler",
    "Boston Marathon",
    "Blue Ridge Trail 50K",
    "Riverfront 5K",
)


@dataclass(frozen=True)
class Paraphrase:
    question: str
    category: str
    gold: Gold
    today: date = REF


# ---------------------------------------------------------------------- readings, over the reference


def races(b: Bundle, event: str, year: int, race: str | None = None) -> list[Race]:
    chosen = [r for r in b.races_of(event, year) if race is None or r.name == race]
    assert chosen, (event, year, race)
    return chosen


def count(event: str, year: int, race: str | None = None, pop: str = "finishers", **where: Any) -> Gold:
    def gold(b: Bundle) -> Expect:
        rs = races(b, event, year, race)
        return {"number": len(b.population(rs, pop, Where(**where))), "max_rows": len(rs) + 2}

    return gold


def total(year: int, org: str | None = None, pop: str = "registrations", **where: Any) -> Gold:
    """Over every event of a year (of one timing company)."""

    def gold(b: Bundle) -> Expect:
        rs = [
            r
            for r in b.races
            if r.event.year == year and (org is None or r.event.org_id == b.org(org).org_id)
        ]
        return {"number": len(b.population(rs, pop, Where(**where))), "max_rows": 12}

    return gold


def _absent(names: list[str], others: Iterable[str]) -> list[str]:
    """Names a broader answer would show, that cannot be read inside an expected name."""
    out = sorted({n for n in others if n not in names})
    return [n for n in out if not any(n.lower() in m.lower() or m.lower() in n.lower() for m in names)][:4]


def names(
    event: str, year: int, race: str | None, pop: str, broader: str | None = None, **where: Any
) -> Gold:
    def gold(b: Bundle) -> Expect:
        rs = races(b, event, year, race)
        found = sorted({e.name for e in b.population(rs, pop, Where(**where))})
        assert 1 <= len(found) <= 15, (event, year, race, pop, len(found))
        expect: Expect = {"names": found, "max_rows": len(found) + 2}
        wider = _absent(found, (e.name for e in b.population(rs, broader or pop)))
        if wider:
            expect["absent_names"] = wider
        return expect

    return gold


def top(event: str, year: int, race: str, n: int, basis: str | None = None, **where: Any) -> Gold:
    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        ranked = ranked_on(b.finishers(r, where=Where(**where)), basis)
        found = sorted({e.name for p, e in ranked if p <= n})
        overall = [e.name for p, e in ranked_on(b.finishers(r), basis) if p <= n]
        expect: Expect = {"names": found, "max_rows": len(found)}
        if where and _absent(found, overall):
            expect["absent_names"] = _absent(found, overall)
        return expect

    return gold


def nth(event: str, year: int, race: str, n: int, **where: Any) -> Gold:
    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        found = sorted({e.name for p, e in ranked_on(b.finishers(r, where=Where(**where))) if p == n})
        assert found, (event, year, race, n)
        return {"names": found, "max_rows": len(found)}

    return gold


def winner(event: str, year: int, race: str, sex: str | None, with_time: bool = True) -> Gold:
    """A sex's winner (name and time); with no sex, any of the overall, women's and men's winners."""

    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        if sex is None:
            firsts = [
                e
                for s in (None, "F", "M")
                for p, e in ranked_on(b.finishers(r, where=Where(sex=s)))
                if p == 1
            ]
            return {"any_names": sorted({e.name for e in firsts}), "max_rows": 5}
        won = [e for p, e in ranked_on(b.finishers(r, where=Where(sex=sex))) if p == 1]
        expect: Expect = {"names": [e.name for e in won], "max_rows": 3}
        if with_time:
            expect["time"] = seconds_text(time_on(won[0]) or 0)
        return expect

    return gold


def winning_time(event: str, year: int, race: str, sex: str) -> Gold:
    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        won = [e for p, e in ranked_on(b.finishers(r, where=Where(sex=sex))) if p == 1]
        return {"time": seconds_text(time_on(won[0]) or 0), "max_rows": 3}

    return gold


def awarded(event: str, year: int, race: str, category: str | None, sex: str | None = None) -> Gold:
    """Award winners of a category (Overall, Masters, an age-group label; None: every award)."""

    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        won = sorted(
            {
                a.entry.name
                for a in b.awards(r)
                if (category is None or a.category == category) and sex in (None, a.sex)
            }
        )
        return {"names": won, "max_rows": len(won) + 1}

    return gold


def tstat(
    event: str,
    year: int,
    race: str,
    stat: str,
    basis: str | None = None,
    per: float | None = None,
    **where: Any,
) -> Gold:
    """A time statistic of the finishers (per: a pace per that many metres)."""

    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        fins = b.finishers(r, where=Where(**where))
        value = time_stat(fins, stat, basis) if per is None else pace_stat(fins, stat, basis, per)
        return {"time": seconds_text(value), "max_rows": 3}

    return gold


def ages(event: str, year: int, race: str | None, stat: str, pop: str = "finishers", **where: Any) -> Gold:
    def gold(b: Bundle) -> Expect:
        entries = b.population(races(b, event, year, race), pop, Where(**where))
        value = age_stat(entries, stat)
        if stat in ("min", "max"):
            return {
                "any_names": sorted({e.name for e in entries if e.age == value}),
                "number": int(value),
                "max_rows": 5,
            }
        return {"approx": [round(value, 4), 0.06], "max_rows": 3}

    return gold


def share(
    event: str, year: int, race: str | None, part: Callable[[Entry], bool], pop: str, whole_pop: str
) -> Gold:
    """Percentage of `whole_pop` entries that are in `pop` and meet `part`."""

    def gold(b: Bundle) -> Expect:
        rs = races(b, event, year, race)
        whole = b.population(rs, whole_pop)
        inside = [e for e in b.population(rs, pop) if part(e)]
        return {"approx": [round(percent(len(inside), len(whole)), 4), 0.06], "max_rows": 3}

    return gold


def both(*golds: Gold, key: str = "numbers", rows: int = 5) -> Gold:
    """Figures of several readings side by side (a comparison or a series)."""

    def gold(b: Bundle) -> Expect:
        return {key: [g(b)["number"] for g in golds], "max_rows": rows}

    return gold


def bands(event: str, year: int, race: str, band_ms: int, basis: str | None = None) -> Gold:
    """Finishers counted in bands of finish time, every band from the first to the last (empty ones 0)."""

    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        times = [t for e in b.finishers(r) if (t := time_on(e, basis)) is not None]
        counts = Counter(t // band_ms for t in times)
        shown = [counts.get(k, 0) for k in range(min(counts), max(counts) + 1)]
        return {"numbers": [c for c in shown if c > 0], "max_rows": len(shown)}

    return gold


def difference(a: Gold, c: Gold) -> Gold:
    def gold(b: Bundle) -> Expect:
        return {"number": abs(a(b)["number"] - c(b)["number"]), "max_rows": 4}

    return gold


def top_group(
    event: str, year: int, race: str | None, pop: str, key: Callable[[Entry], str], state: bool = False
) -> Gold:
    def gold(b: Bundle) -> Expect:
        counts = Counter(key(e) for e in b.population(races(b, event, year, race), pop) if key(e))
        (first, n), (_, second) = counts.most_common(2)
        assert n > second, "a tie at the top"
        expect: Expect = {"number": n, "max_rows": 15}
        if state:
            from tests.ask.question_gen.words import STATE_NAMES

            expect["any_names"] = [first, STATE_NAMES.get(first, first)]
        else:
            expect["names_any_case"] = [first]
        return expect

    return gold


def record(event: str, race: str, sex: str | None = None, who: bool = False) -> Gold:
    def gold(b: Bundle) -> Expect:
        fins = b.finishers(*b.races_named(event, race), where=Where(sex=sex))
        best = min(time_on(e) or 0 for e in fins)
        expect: Expect = {"time": seconds_text(best), "max_rows": 5}
        if who:
            expect["names"] = sorted({e.name for e in fins if time_on(e) == best})
        return expect

    return gold


def finished_all(event: str, race: str | None, years: Iterable[int]) -> Gold:
    def gold(b: Bundle) -> Expect:
        sets = [{e.person for e in b.finishers(*races(b, event, y, race))} for y in years]
        return {"number": len(set.intersection(*sets)), "max_rows": 3}

    return gold


def finishes_at_least(event: str, n: int) -> Gold:
    def gold(b: Bundle) -> Expect:
        runs = Counter(e.person for r in b.races if r.event.name == event for e in b.finishers(r))
        return {"number": sum(1 for c in runs.values() if c >= n), "max_rows": 3}

    return gold


def returning(event: str, year: int) -> Gold:
    """Registered for `year` and finished `year - 1`."""

    def gold(b: Bundle) -> Expect:
        regs = {e.person for e in b.population(races(b, event, year), "registrations")}
        done = {e.person for e in b.finishers(*races(b, event, year - 1))}
        return {"number": len(regs & done), "max_rows": 3}

    return gold


def person(b: Bundle, name: str, event: str, year: int, race: str | None = None) -> Entry:
    """The one entry of a name nobody else in the bundle has."""
    first, last = name.split(" ", 1)
    assert len(b.people_named(first, last)) == 1, f"{name} is not unique in the bundle"
    (entry,) = [e for e in b.entries_of(*races(b, event, year, race)) if e.name == name]
    return entry


def runner_time(name: str, event: str, year: int, basis: str | None = None) -> Gold:
    return lambda b: {"time": seconds_text(time_on(person(b, name, event, year), basis) or 0), "max_rows": 3}


def runner_place(name: str, event: str, year: int, kind: str) -> Gold:
    def gold(b: Bundle) -> Expect:
        e = person(b, name, event, year)
        if kind == "overall":
            place = next(p for p, x in ranked_on(b.finishers(e.race)) if x is e)
        elif kind == "sex":
            place = next(p for p, x in ranked_on(b.finishers(e.race, where=Where(sex=e.sex))) if x is e)
        else:
            place = age_group_place(b, e)
        return {"number": place, "max_rows": 3}

    return gold


def runner_pace(name: str, event: str, year: int, per: float) -> Gold:
    return lambda b: {"time": seconds_text(pace_ms(person(b, name, event, year), None, per)), "max_rows": 3}


def runner_split(name: str, event: str, year: int, split: str) -> Gold:
    return lambda b: {"time": (b.split_time(person(b, name, event, year), split) or "")[:-2], "max_rows": 4}


STATUS_WORDS = {
    "DNF": ["dnf", "not finish", "didn't finish", "did not complete"],
    "DNS": ["dns", "did not start", "didn't start", "not start", "no-show", "no show"],
    "DQ": ["dq", "disqualified"],
}


def runner_status(name: str, event: str, year: int, race: str | None = None) -> Gold:
    def gold(b: Bundle) -> Expect:
        e = person(b, name, event, year, race)
        if e.status == "FIN":
            return {"time": seconds_text(time_on(e) or 0), "max_rows": 3}
        return {"any_names": STATUS_WORDS[e.status or ""], "max_rows": 3}

    return gold


def runner_history(name: str) -> Gold:
    def gold(b: Bundle) -> Expect:
        first, last = name.split(" ", 1)
        (who,) = b.people_named(first, last)
        runs = b.history(who)
        return {
            "numbers": sorted({e.race.event.year for e in runs}),
            "names_any_case": sorted({e.race.event.name for e in runs}),
            "time": [seconds_text(time_on(e) or 0) for e in runs if e.finished],
            "max_rows": len(runs),
        }

    return gold


def window(first: date, last: date, org: str | None = None) -> Gold:
    def gold(b: Bundle) -> Expect:
        held = [e for e in b.events_between(first, last) if org is None or e.org_id == b.org(org).org_id]
        inside = sorted({e.name for e in held})
        assert inside, (first, last)
        rows = sum(len(b.races_of(e.name, e.year)) for e in held)
        return {
            "names_any_case": inside,
            "absent_names": sorted(set(b.event_names()) - set(inside)),
            "max_rows": rows,
        }

    return gold


def company(slug: str) -> Gold:
    def gold(b: Bundle) -> Expect:
        mine = sorted({e.name for e in b.events if e.org_id == b.org(slug).org_id})
        return {
            "names_any_case": mine,
            "absent_names": sorted(set(b.event_names()) - set(mine)),
            "max_rows": 15,
        }

    return gold


def race_list(event: str, year: int, with_times: bool = False) -> Gold:
    def gold(b: Bundle) -> Expect:
        rs = races(b, event, year)
        shown = [r.name for r in rs] + (
            sorted({r.start_time[11:16].lstrip("0") for r in rs}) if with_times else []
        )
        return {"names_any_case": shown, "max_rows": len(rs)}

    return gold


def start_time(event: str, year: int, race: str) -> Gold:
    def gold(b: Bundle) -> Expect:
        (r,) = races(b, event, year, race)
        hh, mm = int(r.start_time[11:13]), r.start_time[14:16]
        said = [f"{hh}:{mm}"] + ([f"{hh} am", f"{hh}am", f"{hh} a.m."] if mm == "00" else [])
        return {"any_names": said, "max_rows": 3}

    return gold


def event_date(event: str, year: int) -> Gold:
    def gold(b: Bundle) -> Expect:
        d = next(e.start_date for e in b.events if e.name == event and e.year == year)
        month = d.strftime("%B")
        return {
            "any_names": [
                d.isoformat(),
                f"{month} {d.day}",
                f"{month[:3]} {d.day}",
                f"{d.month}/{d.day}/{d.year}",
            ],
            "max_rows": 3,
        }

    return gold


def csv_of(event: str, year: int, race: str | None, pop: str, **where: Any) -> Gold:
    def gold(b: Bundle) -> Expect:
        entries = b.population(races(b, event, year, race), pop, Where(**where))
        listed = sorted({e.name for e in entries})
        step = max(1, len(listed) // 25)
        return {"file_names": listed[::step][:25], "file_rows": len(entries)}

    return gold


def same_name(name: str, event: str, year: int, race: str | None = None) -> Gold:
    """Two different people of this name ran it: the answer must ask which."""

    def gold(b: Bundle) -> Expect:
        people = {e.person for e in b.entries_of(*races(b, event, year, race)) if e.name == name}
        assert len(people) >= 2, f"only one {name}"
        return {"status": "clarify"}

    return gold


def several_races(event: str, year: int) -> Gold:
    def gold(b: Bundle) -> Expect:
        assert len(races(b, event, year)) >= 2
        return {"status": "clarify"}

    return gold


def no_edition(event: str, year: int) -> Gold:
    def gold(b: Bundle) -> Expect:
        assert year not in {e.year for e in b.editions(event)}
        return {"status": ["clarify", "unanswerable"]}

    return gold


def status(*statuses: str) -> Gold:
    return lambda b: {"status": list(statuses) if len(statuses) > 1 else statuses[0]}


REFUSE: Gold = lambda b: {"refuse": True}  # noqa: E731 - a constant reading


def P(question: str, category: str, gold: Gold, today: date = REF) -> Paraphrase:
    return Paraphrase(question, category, gold, today)
