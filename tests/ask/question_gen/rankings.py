"""Rankings: top N, the Nth place with ties, winners, awards, age groups, course records."""

from __future__ import annotations

import re
from collections import Counter

from tests.ask.bundle_reference import (
    Race,
    Where,
    age_group,
    ranked_on,
    time_on,
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
    ORDINALS,
    STATE_NAMES,
)


class RankingQuestions(Base):
    def ranking_subject(self, race: Race) -> Subject:
        """Filters for a ranking: a sex, an age range or division, a state, a club (rank within them)."""
        s = Subject()
        kind = self.pick(["none", "sex", "sex", "sex", "age", "division", "state", "club", "masters"])
        if kind == "sex":
            sex = self.pick(["F", "M"])
            s.where = Where(sex=sex)
            s.noun = self.pick(
                {"F": ["women", "female finishers", "ladies"], "M": ["men", "male finishers"]}[sex]
            )
        elif kind == "age":
            sex = self.pick(["F", "M"])
            low = self.pick([40, 50, 60, 30])
            s.where = Where(sex=sex, min_age=low)
            s.noun = {"F": "women", "M": "men"}[sex]
            s.post.append(self.pick([f"aged {low} and over", f"{low}+", f"{low} and older"]))
        elif kind == "division":
            sex = self.pick(["F", "M"])
            low = self.pick(range(25, 70, 5))
            s.where = Where(sex=sex, min_age=low, max_age=low + 4)
            s.pre.append(f"{sex}{low}-{low + 4}")
        elif kind == "masters":
            sex = self.pick(["F", "M", None])
            s.where = Where(sex=sex, min_age=40)
            s.noun = {"F": "masters women", "M": "masters men", None: "masters runners"}[sex]
        elif kind == "state":
            state = self.pick(["VA", "NC", "MD", "MA", "PA", "TN", "OH", "NY"])
            s.where = Where(state=state)
            s.post.append(self.pick([f"from {STATE_NAMES[state]}", f"from {state}"]))
        elif kind == "club":
            club = self.pick(self.clubs)
            s.where = Where(team=club)
            s.post.append(self.pick([f"from {club}", f"in {club}"]))
        return s

    def top_n(self) -> Item:
        race = self.done_race()
        s = self.ranking_subject(race)
        basis = self.pick([None, None, None, "chip", "gun"])
        n = self.pick([3, 3, 5, 5, 5, 10])
        ranked = ranked_on(self.b.finishers(race, where=s.where), basis)
        top = [e for place, e in ranked if place <= n]
        need(len(top) >= min(n, 2) and len(top) <= n + 2)
        names = sorted({e.name for e in top})
        need(len(names) == len(top))
        # Who a broader reading would show: the overall leaders, or the leaders by the other time basis.
        absent = [e.name for p, e in ranked_on(self.b.finishers(race), basis) if p <= n]
        if basis:
            other = "gun" if basis == "chip" else "chip"
            absent += [e.name for p, e in ranked_on(self.b.finishers(race, where=s.where), other) if p <= n]
        absent = sorted(
            {x for x in absent if not any(x.lower() in m.lower() or m.lower() in x.lower() for m in names)}
        )
        need((s.where == Where() and not basis) or len(absent) > 0)
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        who = s.noun or " ".join([*s.pre, "finishers"])
        post = "".join(f" {p}" for p in s.post)
        by = f" by {basis} time" if basis else ""
        q = self.pick(
            [
                f"Show the top {n} {who}{post} at {where_text}{by}.",
                f"top {n} {who}{post} {self.bare(where_text)}{by}",
                f"Who were the top {n} {who}{post} in {where_text}{by}?",
                f"List the {n} fastest {who}{post} at {where_text}{by}",
            ]
        )
        if s.where == Where() and self.chance(0.5):
            q = self.pick(
                [
                    f"top {n} overall at {where_text}{by}",
                    f"Who were the top {n} overall finishers of {where_text}{by}?",
                ]
            )
        expect: Expect = {"names": names, "max_rows": len(names)}
        if absent:
            expect["absent_names"] = absent[:4]
        return Item(self.style(q), today, "top_n", expect)

    def nth_place(self) -> Item:
        race = self.done_race()
        s = self.ranking_subject(race)
        ranked = ranked_on(self.b.finishers(race, where=s.where))
        places = Counter(p for p, _ in ranked if p <= 10)
        tied = [p for p, c in places.items() if c > 1 and p in ORDINALS and p > 1]
        n = self.pick(tied) if tied and self.chance(0.6) else self.pick([2, 2, 3, 3, 4, 5, 10])
        need(n in places)
        names = sorted({e.name for p, e in ranked if p == n})
        need(len(names) == places[n])
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        ordinal = self.pick(ORDINALS[n])
        post = "".join(f" {p}" for p in s.post)
        if s.noun is None and not s.pre:
            q = self.pick(
                [
                    f"Who finished {ordinal} overall{post} at {where_text}?",
                    f"Who came {ordinal}{post} in {where_text}?",
                    f"who was {ordinal} place overall{post} {where_text}",
                    f"{ordinal} place overall{post}, {where_text}?",
                ]
            )
            if s.post:
                q = self.pick(
                    [
                        f"Who was the {ordinal} finisher{post} at {where_text}?",
                        f"{ordinal} fastest runner{post} at {where_text}?",
                    ]
                )
        else:
            plural = s.noun or " ".join([*s.pre, "finishers"])
            singular = {
                "women": "woman",
                "men": "man",
                "ladies": "lady",
                "masters women": "masters woman",
                "masters men": "masters man",
                "masters runners": "masters runner",
                "female finishers": "female finisher",
                "male finishers": "male finisher",
            }.get(plural, plural.removesuffix("s"))
            q = self.pick(
                [
                    f"Who was the {ordinal} {singular}{post} at {where_text}?",
                    f"Who finished {ordinal} among {plural}{post} in {where_text}?",
                    f"{ordinal} {singular}{post} in {where_text}?",
                ]
            )
        need(float(n) not in {float(x) for x in re.findall(r"\d+", where_text)})
        return Item(self.style(q), today, "nth_place", {"names": names, "max_rows": len(names)})

    def winner(self) -> Item:
        race = self.done_race()
        shape = self.pick(["overall", "women", "men", "any", "time", "time_sex"])
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        fins = self.b.finishers(race)
        first = {
            sex: [e for p, e in ranked_on([e for e in fins if e.sex == sex]) if p == 1] for sex in ("F", "M")
        }
        overall = [e for p, e in ranked_on(fins) if p == 1]
        if shape == "overall":
            q = self.pick(
                [
                    f"who won {where_text} overall?",
                    f"Who was the overall winner of {where_text}?",
                    f"overall winner {self.bare(where_text)}",
                    f"Who crossed the line first at {where_text}?",
                ]
            )
            return Item(
                self.style(q),
                today,
                "winner",
                {
                    "names": [e.name for e in overall],
                    "time": seconds_text(time_on(overall[0]) or 0),
                    "max_rows": 3,
                },
            )
        if shape in ("women", "men"):
            sex = "F" if shape == "women" else "M"
            won = first[sex]
            other = [e.name for e in first["M" if sex == "F" else "F"]]
            words = {"F": ["women's race", "women's", "female"], "M": ["men's race", "men's", "male"]}[sex]
            w = self.pick(words)
            person, pronoun = ("woman", "her") if sex == "F" else ("man", "his")
            q = self.pick(
                [
                    f"Who won the {words[0]} at {where_text}?",
                    f"{w} winner {self.bare(where_text)}",
                    f"Who was the first {person} at {where_text}, and what was {pronoun} time?",
                    f"who took the {words[0]} in {where_text}",
                ]
            )
            return Item(
                self.style(q),
                today,
                "winner",
                {
                    "names": [e.name for e in won],
                    "time": seconds_text(time_on(won[0]) or 0),
                    "absent_names": other,
                    "max_rows": 3,
                },
            )
        if shape == "any":
            q = self.pick(
                [
                    f"Who won {where_text}?",
                    f"who won the {where_text.removeprefix('the ')}",
                    f"winners of {where_text}?",
                ]
            )
            names = sorted({e.name for e in overall + first["F"] + first["M"]})
            return Item(self.style(q), today, "winner", {"any_names": names, "max_rows": 5})
        if shape == "time":
            q = self.pick(
                [
                    f"What was the winning time at {where_text}?",
                    f"winning time {self.bare(where_text)}?",
                    f"How fast was the winner of {where_text}?",
                ]
            )
            times = sorted({seconds_text(time_on(e) or 0) for e in overall + first["F"] + first["M"]})
            return Item(self.style(q), today, "winner", {"time": times, "max_rows": 5})
        sex = self.pick(["F", "M"])
        won = first[sex]
        basis = self.pick([None, "chip", "gun"])
        need(basis is None or abs((won[0].chip_ms or 0) - (won[0].gun_ms or 0)) > 1500)
        # "the women's winning gun time": the winner's gun time, and the fastest gun time, must agree.
        need(time_on(won[0], basis) == min(time_on(e, basis) or 0 for e in fins if e.sex == sex))
        time_words = f"{basis} time" if basis else "time"
        q = self.pick(
            [
                f"What was the {'women' if sex == 'F' else 'men'}'s winning {time_words} at {where_text}?",
                f"{'womens' if sex == 'F' else 'mens'} winning {time_words} {self.bare(where_text)}",
            ]
        )
        return Item(
            self.style(q), today, "winner", {"time": seconds_text(time_on(won[0], basis) or 0), "max_rows": 3}
        )

    # ------------------------------------------------------------------ awards and age groups

    def awards(self) -> Item:
        race = self.done_race()
        all_awards = self.b.awards(race)
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        shape = self.pick(["overall", "masters", "group", "group", "count"])
        if shape == "overall":
            sex = self.pick([None, None, "F", "M"])
            won = [a.entry for a in all_awards if a.category == "Overall" and (sex is None or a.sex == sex)]
            who = {None: "", "F": "female ", "M": "male "}[sex]
            q = self.pick(
                [
                    f"List the {who}overall award winners for {where_text}.",
                    f"who got {who}overall awards at {where_text}",
                    f"{who}overall awards, {where_text}",
                ]
            )
            return Item(
                self.style(q),
                today,
                "awards",
                {"names": sorted({e.name for e in won}), "max_rows": len(won) + 1},
            )
        if shape == "masters":
            need(race.masters_depth > 0)
            sex = self.pick(["F", "M"])
            won = [a.entry for a in all_awards if a.category == "Masters" and a.sex == sex]
            need(len(won) > 0)
            fastest_master = [
                e
                for p, e in ranked_on(
                    self.b.finishers(race, where=Where(sex=sex, min_age=race.masters_min_age))
                )
                if p == 1
            ]
            w = {"F": self.pick(["female", "women's"]), "M": self.pick(["male", "men's"])}[sex]
            q = self.pick(
                [
                    f"Who took the {w} masters award at {where_text}?",
                    f"{w} masters winner {self.bare(where_text)}",
                    f"who won the {w} masters award in {where_text}",
                ]
            )
            expect: Expect = {"names": sorted({e.name for e in won}), "max_rows": 3}
            absent = [e.name for e in fastest_master if e.name not in expect["names"]]
            if absent:
                expect["absent_names"] = absent
            return Item(self.style(q), today, "awards", expect)
        if shape == "group":
            labels = sorted(
                {
                    (a.sex, a.category)
                    for a in all_awards
                    if a.category not in ("Overall", "Masters") and a.sex in "FM"
                }
            )
            sex, label = self.pick(labels)
            need("-" in label)
            won = [a.entry for a in all_awards if a.category == label and a.sex == sex]
            code = f"{sex}{label}"
            people = {"F": "women", "M": "men"}[sex]
            q = self.pick(
                [
                    f"Which {people} received {code} age group awards at {where_text}?",
                    f"{code} age group award winners, {where_text}",
                    f"Who won {code} awards at {where_text}?",
                ]
            )
            return Item(
                self.style(q),
                today,
                "awards",
                {"names": sorted({e.name for e in won}), "max_rows": len(won) + 1},
            )
        gold = len({a.entry.participant_id for a in all_awards})
        q = self.pick(
            [
                f"How many award winners were there at {where_text}?",
                f"how many awards were given out at {where_text}",
            ]
        )
        need(float(gold) not in numbers_of(q))
        return Item(self.style(q), today, "awards", {"number": gold, "max_rows": 40})

    def age_group(self) -> Item:
        race = self.done_race()
        mode, today = self.when(race.event, results=True)
        where_text = self.race_phrase(race, mode)
        shape = self.pick(["fastest", "fastest", "won", "count", "table"])
        if shape in ("fastest", "won"):
            sex = self.pick(["F", "M"])
            width = race.ag_width
            low = self.pick(range(20, 70, width))
            high = low + width - 1
            pool = self.b.finishers(race, where=Where(sex=sex, min_age=low, max_age=high))
            first = [e for p, e in ranked_on(pool) if p == 1]
            need(len(first) >= 1)
            awarded_above = {
                a.entry.participant_id for a in self.b.awards(race) if a.category in ("Overall", "Masters")
            }
            need(
                all(e.participant_id not in awarded_above for e in first)
            )  # "won the group" reads one way only
            person = {"F": "woman", "M": "man"}[sex]
            if shape == "fastest":
                q = self.pick(
                    [
                        f"Who was the fastest {person} aged {low}-{high} at {where_text}?",
                        f"fastest {sex}{low}-{high} at {where_text}",
                        f"Who was the quickest {person} between {low} and {high} in {where_text}?",
                    ]
                )
            else:
                q = self.pick(
                    [
                        f"who won the {sex}{low}-{high} age group at {where_text}",
                        f"{sex}{low}-{high} age group winner at {where_text}?",
                    ]
                )
            second = [e.name for p, e in ranked_on(pool) if p == 2 and e.name not in {x.name for x in first}]
            expect: Expect = {"names": sorted({e.name for e in first}), "max_rows": 3}
            if second:
                expect["absent_names"] = second[:2]
            return Item(self.style(q), today, "age_group", expect)
        if shape == "count":
            sex = self.pick(["F", "M"])
            low = self.pick(range(20, 70, race.ag_width))
            high = low + race.ag_width - 1
            gold = len(self.b.finishers(race, where=Where(sex=sex, min_age=low, max_age=high)))
            q = self.pick(
                [
                    f"How many finishers were in the {sex}{low}-{high} age group at {where_text}?",
                    f"{sex}{low}-{high} finishers at {where_text}, how many?",
                ]
            )
            avoid = numbers_of(q) | {
                float(len(self.b.finishers(race, where=Where(min_age=low, max_age=high)))),
                float(len(self.b.finishers(race, where=Where(sex=sex)))),
            }
            need(gold >= 2 and float(gold) not in avoid)
            return Item(self.style(q), today, "age_group", {"number": gold, "max_rows": 3})
        sex = self.pick(["F", "M"])
        counts = Counter(
            age_group(e.age, race.ag_width) for e in self.b.finishers(race, where=Where(sex=sex))
        )
        people = {"F": "women", "M": "men"}[sex]
        q = self.pick(
            [
                f"How many {people} finished in each age group at {where_text}?",
                f"{people}'s finishers by age group, {where_text}",
            ]
        )
        picked = [c for _, c in counts.most_common(3)]
        need(len(set(picked)) == len(picked))
        return Item(self.style(q), today, "age_group", {"numbers": picked, "max_rows": len(counts) + 2})

    def record(self) -> Item:
        key = self.pick(sorted({(r.event.name, r.name) for r in self.completed}))
        races = [r for r in self.b.races_named(*key) if r in self.completed]
        sex = self.pick([None, None, "F", "M"])
        fins = self.b.finishers(*races, where=Where(sex=sex))
        best = min(time_on(e) or 0 for e in fins)
        holders = sorted({e.name for e in fins if time_on(e) == best})
        name = self.race_name(races[0])
        w = {None: "", "F": "women's ", "M": "men's "}[sex]
        q = self.pick(
            [
                f"What is the fastest {w}time ever run at the {name}?",
                f"{w}course record at the {name}?",
                f"what's the all-time fastest {w}finish at {name}",
                f"Who holds the {w}record at the {name}, and what time?",
            ]
        )
        expect: Expect = {"time": seconds_text(best), "max_rows": 5}
        if q.startswith("Who"):
            expect["names"] = holders
        return Item(self.style(q), REF, "record", expect)
