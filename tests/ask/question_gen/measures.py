"""Measures: time, pace and age aggregates, percentages, comparisons, series and groupings."""

from __future__ import annotations

from collections import Counter

from tests.ask.bundle_reference import (
    KM_M,
    MILE_M,
    Entry,
    Where,
    age_stat,
    pace_stat,
    percent,
    ranked_on,
    time_on,
    time_stat,
)
from tests.ask.question_gen.base import (
    REF,
    Base,
    Expect,
    Item,
    Subject,
    need,
    numbers_of,
    seconds_text,
)
from tests.ask.question_gen.words import (
    STAT_WORDS,
    STATE_NAMES,
)


def default_band_minutes(distance_m: float) -> int:
    """The band width the readings use when none is said (src/racehub/ask/README.md)."""
    if distance_m <= 10_100:
        return 5
    if distance_m <= 16_200:
        return 10
    if distance_m <= 21_200:
        return 15
    return 30 if distance_m <= 42_300 else 60


class MeasureQuestions(Base):
    # ------------------------------------------------------------------ time and age measures

    def time_agg(self) -> Item:
        race = self.done_race()
        measure = self.pick(["time", "time", "time", "pace", "pace"])
        stat = self.pick(
            ["mean", "mean", "median", "min", "max"]
            if measure == "time"
            else ["mean", "mean", "median", "min"]
        )
        basis = self.pick([None, None, "chip", "gun"])
        unit = self.pick(["mile", "mile", "km"]) if measure == "pace" else None
        s = Subject()
        if self.chance(0.4):
            s = self.subject(race, "finishers", most=1, time_ok=False)
        fins = self.b.finishers(race, where=s.where)
        need(len(fins) >= 3)
        unit_m = KM_M if unit == "km" else MILE_M

        def value(entries: list[Entry], st: str = stat, bs: str | None = basis, u: float = unit_m) -> float:
            if measure == "time":
                return time_stat(entries, st, bs)
            return pace_stat(entries, st, bs, u)

        gold = value(fins)
        # Neighbouring readings must give another figure: the filter dropped, the other statistic,
        # the other unit, and (when a basis is said) the other basis.
        others = [value(fins, st="median" if stat == "mean" else "mean")]
        if s.where.given():
            others.append(value(self.b.finishers(race)))
        if basis:
            others.append(value(fins, bs="gun" if basis == "chip" else "chip"))
        if measure == "pace":
            others += [value(fins, u=MILE_M if unit == "km" else KM_M), time_stat(fins, stat, basis)]
        need(all(abs(o - gold) > 1500 for o in others))
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        st = self.pick(STAT_WORDS[stat])
        who = " ".join([*s.pre, s.noun or "finishers", *s.post]) if s.where.given() else ""
        who_for = f" for {who}" if who else ""
        among = f" among {who}" if who else ""
        b_ = f"{basis} " if basis else ""
        if measure == "time":
            noun = (
                self.pick([f"{b_}time", f"{b_}finish time", f"{b_}finishing time"])
                if basis
                else self.pick(["finish time", "finishing time", "time"])
            )
            q = self.pick(
                [
                    f"What was the {st} {noun}{who_for} at {where_text}?",
                    f"{st} {noun} {self.bare(where_text)}{among}",
                    f"what was the {st} {noun} in {where_text}{among}",
                    f"{where_text.removeprefix('the ')}: {st} {noun}{among}?",
                ]
            )
        else:
            per = self.pick(
                {"mile": ["per mile", "/mile", "per mi"], "km": ["per km", "per kilometer", "/km"]}[
                    unit or "mile"
                ]
            )
            if unit == "mile" and stat != "min" and self.chance(0.25):
                per = ""  # pace per mile unless per km is asked
            pace = f"{b_}pace" if basis else "pace"
            q = self.pick(
                [
                    f"What was the {st} {pace} {per}{who_for} at {where_text}?",
                    f"{st} {pace} {per} {self.bare(where_text)}{among}",
                    f"{st} {pace} {per} in {where_text}{among}?",
                ]
            )
        expect: Expect = {"time": seconds_text(gold), "max_rows": 3}
        return Item(self.style(q), today, "time_agg", expect)

    def bands(self) -> Item:
        """Finishers counted in bands of finish time: every band from the first to the last."""
        race = self.done_race()
        basis = self.pick([None, None, "chip", "gun"])
        said_width = self.chance(0.3)
        minutes = self.pick([5, 10, 15, 20, 30]) if said_width else default_band_minutes(race.distance_m)
        s = Subject()
        if self.chance(0.35):
            s = self.subject(race, "finishers", most=1, time_ok=False)

        def counts(entries: list[Entry], bs: str | None = basis, width: int = minutes) -> list[int]:
            times = [t for e in entries if (t := time_on(e, bs)) is not None]
            found = Counter(t // (width * 60_000) for t in times)
            return [found.get(k, 0) for k in range(min(found), max(found) + 1)] if found else []

        fins = self.b.finishers(race, where=s.where)
        shown = counts(fins)
        need(len(fins) >= 10 and 3 <= len(shown) <= 40)
        # A broader or other reading must give other bands: the filter dropped, the other basis, a width.
        others = [counts(fins, width=minutes * 2)]
        if s.where.given():
            others.append(counts(self.b.finishers(race)))
        if basis:
            others.append(counts(fins, bs="gun" if basis == "chip" else "chip"))
        need(all(o != shown for o in others))
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        b_ = f"{basis} " if basis else ""
        who = " ".join([*s.pre, s.noun or "finishers", *s.post]) if s.where.given() else "finishers"
        width = f" in {minutes}-minute bands" if said_width else ""
        with_who = [
            f"{b_}finish time histogram for {who} at {where_text}{width}",
            f"how were the {b_}finish times of {who} spread out at {where_text}?",
            f"{b_}finish times of {who} at {where_text} in {minutes} minute bands",
        ]
        plain = [
            f"distribution of {b_}finish times{width} at {where_text}",
            f"show the spread of {b_}finishing times at {where_text}{width}",
        ]
        pool = with_who if s.where.given() else [*with_who, *plain]
        if said_width:  # a width not said would be a question about another width
            pool = [q for q in pool if "bands" in q]
        q = self.pick(pool)
        expect: Expect = {"numbers": [c for c in shown if c > 0], "max_rows": len(shown)}
        return Item(self.style(q), today, "bands", expect)

    def age_agg(self) -> Item:
        race = self.done_race()
        stat = self.pick(["mean", "mean", "median", "min", "max", "max"])
        population = self.pick(["finishers", "finishers", "registrations"])
        sex = self.pick([None, None, "F", "M"])
        entries = self.b.population([race], population, Where(sex=sex))
        need(len(entries) >= 5)
        gold = age_stat(entries, stat)
        mode, today = self.when(race.event, results=population != "registrations")
        where_text = self.race_phrase(race, mode)
        who = {None: "", "F": "female ", "M": "male "}[sex]
        noun = {"finishers": "finishers", "registrations": self.pick(["registrants", "entrants"])}[population]
        if stat in ("min", "max"):
            people = [e for e in entries if e.age == gold]
            need(len(people) <= 4)
            word = {"min": "youngest", "max": "oldest"}[stat]
            single = noun.rstrip("s")
            q = self.pick(
                [
                    f"Who was the {word} {who}{single} of {where_text}?",
                    f"{word} {who}{single} at {where_text}?",
                    f"who was the {word} {who}{single} in {where_text} and how old were they",
                ]
            )
            expect: Expect = {
                "any_names": sorted({e.name for e in people}),
                "number": int(gold),
                "max_rows": 5,
            }
            need(float(gold) not in numbers_of(q))
            return Item(self.style(q), today, "age_agg", expect)
        st = self.pick(STAT_WORDS[stat])
        q = self.pick(
            [
                f"What was the {st} age of {who}{noun} at {where_text}?",
                f"{st} age of {who}{noun}, {where_text}",
                f"how old were {who}{noun} of {where_text} on {st}?"
                if stat == "mean"
                else f"{st} {who}{noun} age {where_text}",
            ]
        )
        other = [
            age_stat(self.b.population([race], p, Where(sex=sex)), stat)
            for p in ("finishers", "registrations")
            if p != population
        ]
        if sex:
            other.append(age_stat(self.b.population([race], population), stat))
        need(all(abs(o - gold) > 0.15 for o in other))
        return Item(self.style(q), today, "age_agg", {"approx": [round(gold, 4), 0.06], "max_rows": 3})

    # ------------------------------------------------------------------ percentages

    def percentage(self) -> Item:
        race = self.done_race()
        shape = self.pick(
            ["finish rate", "dnf rate", "no-show rate", "women", "state", "state", "club", "age"]
        )
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        b = self.b
        fins = b.finishers(race)
        starters = b.population([race], "starters")
        regs = b.population([race], "registrations")
        if shape == "finish rate":
            gold = percent(len(fins), len(starters))
            wrong = [percent(len(fins), len(regs))]
            q = self.pick(
                [
                    f"What percentage of starters finished {where_text}?",
                    f"finish rate at {where_text}?",
                    f"What was the finish rate of {where_text}?",
                    f"what % of starters completed {where_text}",
                ]
            )
        elif shape == "dnf rate":
            dnf = b.population([race], "dnf")
            need(len(dnf) > 0)
            gold = percent(len(dnf), len(starters))
            wrong = [percent(len(dnf), len(regs))]
            q = self.pick(
                [
                    f"What was the DNF rate at {where_text}?",
                    f"what percent of starters did not finish {where_text}",
                    f"DNF rate for {where_text}?",
                ]
            )
        elif shape == "no-show rate":
            dns = b.population([race], "dns")
            need(len(dns) > 0)
            gold = percent(len(dns), len(regs))
            wrong = [percent(len(dns), len(starters))]
            q = self.pick(
                [
                    f"What was the no-show rate at {where_text}?",
                    f"what percentage of registrants didn't show up for {where_text}",
                    f"What percent of registrations were DNS at {where_text}?",
                ]
            )
        elif shape == "women":
            sex = self.pick(["F", "M"])
            part = [e for e in fins if e.sex == sex]
            gold = percent(len(part), len(fins))
            wrong = [percent(sum(1 for e in regs if e.sex == sex), len(regs))]
            w = {"F": "women", "M": "men"}[sex]
            q = self.pick(
                [
                    f"What share of the finishers at {where_text} were {w}?",
                    f"what % of finishers were {w} at {where_text}",
                    f"percentage of {w} among finishers of {where_text}?",
                ]
            )
        elif shape == "state":
            state = self.pick(["VA", "VA", "NC", "MD", "MA", "PA"])
            part = [e for e in fins if e.state == state]
            need(len(part) > 0)
            gold = percent(len(part), len(fins))
            wrong = [percent(sum(1 for e in regs if e.state == state), len(regs))]
            q = self.pick(
                [
                    f"What percent of finishers at {where_text} were from {STATE_NAMES[state]}?",
                    f"share of {where_text} finishers from {state}?",
                    f"what percentage of the finishers of {where_text} came from {STATE_NAMES[state]}",
                ]
            )
        elif shape == "club":
            part = [e for e in fins if e.team]
            gold = percent(len(part), len(fins))
            wrong = [percent(sum(1 for e in regs if e.team), len(regs))]
            q = self.pick(
                [
                    f"What percentage of finishers at {where_text} ran for a club?",
                    f"what share of {where_text} finishers belong to a running club",
                ]
            )
        else:
            low = self.pick([40, 50, 60])
            part = [e for e in fins if e.age >= low]
            gold = percent(len(part), len(fins))
            wrong = [
                percent(sum(1 for e in regs if e.age >= low), len(regs)),
                percent(sum(1 for e in fins if e.age > low), len(fins)),
            ]
            q = self.pick(
                [
                    f"What percentage of finishers at {where_text} were {low} or older?",
                    f"what % of {where_text} finishers were aged {low}+",
                ]
            )
        need(all(abs(w - gold) > 0.15 for w in wrong) and 0 < gold < 100)
        return Item(self.style(q), today, "percent", {"approx": [round(gold, 4), 0.06], "max_rows": 3})

    # ------------------------------------------------------------------ comparisons and series

    def compare(self) -> Item:
        shape = self.pick(["years", "years", "years", "events", "more"])
        population = self.pick(["finishers", "finishers", "registrations", "starters"])
        verb = {"finishers": "finishers", "registrations": "registrations", "starters": "starters"}[
            population
        ]
        sex = self.pick([None, None, "F", "M"])
        where = Where(sex=sex)
        who = {None: "", "F": "female ", "M": "male "}[sex]
        if shape in ("years", "more"):
            event_name = self.pick(self.b.event_names())
            race_name = self.pick(sorted({r.name for r in self.b.races if r.event.name == event_name}))
            races = [
                r
                for r in self.b.races_named(event_name, race_name)
                if population == "registrations" or r in self.completed
            ]
            need(len(races) >= 2)
            r1, r2 = sorted(self.rng.sample(races, 2), key=lambda r: r.event.year)
            a, b = (
                len(self.b.population([r1], population, where)),
                len(self.b.population([r2], population, where)),
            )
            need(a != b)
            name = self.race_name(r1)
            y1, y2 = r1.event.year, r2.event.year
            if shape == "more":
                diff = abs(b - a)
                more = "more" if b > a else "fewer"
                q = self.pick(
                    [
                        f"How many {more} {who}{verb} did the {name} have in {y2} than in {y1}?",
                        f"{y2} vs {y1} {name}: how many {more} {who}{verb}?",
                    ]
                )
                need(float(diff) not in numbers_of(q) | {float(a), float(b)})
                return Item(self.style(q), REF, "compare", {"number": diff, "max_rows": 4})
            q = self.pick(
                [
                    f"How did the number of {who}{verb} in the {name} change from {y1} to {y2}?",
                    f"Compare the number of {who}{verb} at the {name} in {y1} vs {y2}",
                    f"{name} {who}{verb}: {y1} compared with {y2}",
                    f"How did {who}{verb} for the {name} grow from {y1} to {y2}?",
                ]
            )
            need(not {float(a), float(b)} & numbers_of(q))
            return Item(self.style(q), REF, "compare", {"numbers": [a, b], "max_rows": 5})
        year = self.pick([2024, 2025, 2026])
        options = (
            [r for r in self.completed if r.event.year == year]
            if population != "registrations"
            else [r for r in self.b.races if r.event.year == year]
        )
        r1, r2 = self.rng.sample(options, 2)
        need(r1.event.name != r2.event.name)
        a, b = (
            len(self.b.population([r1], population, where)),
            len(self.b.population([r2], population, where)),
        )
        need(a != b and not {float(a), float(b)} & numbers_of(str(year)))
        n1, n2 = self.race_name(r1), self.race_name(r2)
        q = self.pick(
            [
                f"In {year}, which had more {who}{verb}: the {n1} or the {n2}?",
                f"{who}{verb} {year}: {n1} vs {n2}",
                f"Compare {who}{verb} at the {year} {n1} and the {year} {n2}",
            ]
        )
        return Item(self.style(q), REF, "compare", {"numbers": [a, b], "max_rows": 5})

    def series(self) -> Item:
        event_name = self.pick(self.b.event_names())
        race_name = self.pick(sorted({r.name for r in self.b.races if r.event.name == event_name}))
        shape = self.pick(["count", "count", "winner", "registrations"])
        races = [
            r
            for r in self.b.races_named(event_name, race_name)
            if shape == "registrations" or r in self.completed
        ]
        need(len(races) >= 2)
        first, last = self.pick([(0, len(races) - 1), (0, len(races) - 2), (1, len(races) - 1)])
        need(last > first)
        chosen = races[first : last + 1]
        y1, y2 = chosen[0].event.year, chosen[-1].event.year
        name = self.race_name(chosen[0])
        span = self.pick(
            [
                f"from {y1} to {y2}",
                f"from {y1} through {y2}",
                f"between {y1} and {y2}",
                f"each year from {y1} to {y2}",
            ]
        )
        if len(chosen) == len(self.b.races_named(event_name, race_name)) and self.chance(0.4):
            span = self.pick(["each year", "by year", "every year", "over the years"])
        if shape == "winner":
            sex = self.pick(["F", "M"])
            winners = []
            for r in chosen:
                top = [e for p, e in ranked_on(self.b.finishers(r, where=Where(sex=sex))) if p == 1]
                winners += [e.name for e in top]
            w = {"F": "women's", "M": "men's"}[sex]
            q = self.pick(
                [
                    f"Who won the {w} race at the {name} {span}?",
                    f"{w} winner of the {name} {span}",
                    f"list the {w} winners of {name} {span}",
                ]
            )
            return Item(
                self.style(q), REF, "series", {"names": sorted(set(winners)), "max_rows": len(chosen) + 1}
            )
        population = (
            "registrations"
            if shape == "registrations"
            else self.pick(["finishers", "finishers", "starters", "dnf"])
        )
        counts = [len(self.b.population([r], population, None)) for r in chosen]
        noun = {
            "finishers": "finishers",
            "starters": "starters",
            "dnf": "DNFs",
            "registrations": "registrations",
        }[population]
        q = self.pick(
            [
                f"{noun} at the {name} by year, {y1} through {y2}",
                f"How many {noun} did the {name} have {span}?",
                f"Show {noun} per year for the {name} {span}",
            ]
        )
        need(
            len(set(counts)) == len(counts)
            and min(counts) >= 3
            and not set(map(float, counts)) & numbers_of(q)
        )
        return Item(self.style(q), REF, "series", {"numbers": counts, "max_rows": len(chosen) + 1})

    def group(self) -> Item:
        whole = self.chance(0.35)
        race = self.done_race(multi=True if whole else None)
        races = self.races_of(race.event) if whole else [race]
        by = self.pick(["club", "club", "state", "city", "sex"])
        population = self.pick(["finishers", "finishers", "registrations"])
        entries = self.b.population(races, population)
        key = {
            "club": lambda e: e.team,
            "state": lambda e: e.state,
            "city": lambda e: e.city,
            "sex": lambda e: e.sex,
        }[by]
        counts = Counter(key(e) for e in entries if key(e))
        mode, today = self.when(race.event, results=population != "registrations")
        where_text, extra = (
            self.edition_phrase(race.event, mode) if whole else (self.race_phrase(race, mode), "")
        )
        extra = f" {extra}" if extra else ""
        noun = {"finishers": "finishers", "registrations": "registrants"}[population]
        if by == "sex":
            q = self.pick(
                [
                    f"{noun} by sex at {where_text}{extra}",
                    f"How many men and women were {noun} at {where_text}{extra}?",
                    f"break down {noun} of {where_text} by gender{extra}",
                ]
            )
            nums = [counts["F"], counts["M"]]
            need(counts["F"] != counts["M"])
            return Item(self.style(q), today, "group", {"numbers": nums, "max_rows": 3 * len(races) + 1})
        (top, n), *rest = counts.most_common()
        need(not rest or rest[0][1] < n)
        thing = {"club": self.pick(["running club", "club", "team"]), "state": "state", "city": "city"}[by]
        q = self.pick(
            [
                f"Which {thing} had the most {noun} at {where_text}{extra}?",
                f"{thing} with the most {noun}, {where_text}{extra}",
                f"what {thing} did most {noun} of {where_text} come from{extra}",
            ]
        )
        names = [STATE_NAMES.get(top, top)] if by == "state" else [top]
        expect: Expect = {"number": n, "max_rows": 15}
        if by == "state":
            expect["any_names"] = [top, STATE_NAMES.get(top, top)]
        else:
            expect["names_any_case"] = names
        need(float(n) not in numbers_of(q))
        return Item(self.style(q), today, "group", expect)
