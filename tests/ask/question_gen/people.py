"""People: repeat runners across editions, and one runner looked up by name."""

from __future__ import annotations

from collections import Counter
from datetime import date

from tests.ask.bundle_reference import (
    KM_M,
    MILE_M,
    Entry,
    Where,
    age_group_place,
    ranked_on,
    time_on,
)
from tests.ask.question_gen.base import (
    REF,
    Base,
    Item,
    need,
    numbers_of,
    seconds_text,
)
from tests.ask.question_gen.words import (
    EVENT_NAMES,
    SPLIT_WORDS,
)


class PeopleQuestions(Base):
    # ------------------------------------------------------------------ people across editions

    def repeat(self) -> Item:
        shape = self.pick(["both", "every", "every", "n or more", "returning", "more than one"])
        if shape in ("both", "every"):
            key = self.pick(sorted({(r.event.name, r.name) for r in self.completed}))
            races = [r for r in self.b.races_named(*key) if r in self.completed]
            need(len(races) >= 2)
            if shape == "both":
                chosen = self.rng.sample(races, 2)
                chosen.sort(key=lambda r: r.event.year)
                years = f"in both {chosen[0].event.year} and {chosen[1].event.year}"
            else:
                i = self.rng.randrange(0, len(races) - 1)
                j = self.rng.randrange(i + 1, len(races))
                chosen = races[i : j + 1]
                need(len(chosen) >= 2)
                y1, y2 = chosen[0].event.year, chosen[-1].event.year
                years = self.pick(
                    [
                        f"every year from {y1} through {y2}",
                        f"each year from {y1} to {y2}",
                        f"every year from {y1} to {y2}",
                    ]
                )
                if len(chosen) == len(races) and self.chance(0.4):
                    years = self.pick(["every year", "every year it was held"])
            sets = [{e.person for e in self.b.finishers(r)} for r in chosen]
            gold = len(set.intersection(*sets))
            name = self.race_name(chosen[0])
            if shape == "every" and self.chance(0.5):
                span = (
                    years.split(" ", 2)[2] if years.startswith(("every year from", "each year from")) else ""
                )
                q = self.pick(
                    [
                        f"How many runners finished every {name} {span}?",
                        f"how many people ran every {name} {span}",
                    ]
                )
            else:
                q = self.pick(
                    [
                        f"How many people finished the {name} {years}?",
                        f"number of runners who completed the {name} {years}",
                    ]
                )
            avoid = numbers_of(q) | {float(len(s)) for s in sets} | {float(len(set.union(*sets)))}
            need(gold >= 2 and float(gold) not in avoid)
            return Item(self.style(q), REF, "repeat", {"number": gold, "max_rows": 3})
        if shape == "n or more":
            event_name = self.pick(self.b.event_names())
            races = [r for r in self.completed if r.event.name == event_name]
            runs = Counter(e.person for e in self.b.finishers(*races))
            n = self.pick([2, 3, 3, 4])
            gold = sum(1 for c in runs.values() if c >= n)
            name = self.pick(EVENT_NAMES[event_name])
            q = self.pick(
                [
                    f"How many runners have finished the {name} {n} or more times?",
                    f"how many people have {n}+ finishes at {name}",
                    f"Number of runners with at least {n} {name} finishes",
                ]
            )
            avoid = numbers_of(q) | {
                float(sum(1 for c in runs.values() if c >= m)) for m in (n - 1, n + 1) if m > 0
            }
            need(gold >= 2 and float(gold) not in avoid)
            return Item(self.style(q), REF, "repeat", {"number": gold, "max_rows": 3})
        if shape == "returning":
            event_name = self.pick(self.b.event_names())
            eds = self.b.editions(event_name)
            i = self.rng.randrange(1, len(eds))
            this, last = eds[i], eds[i - 1]
            need(last.year == this.year - 1)
            this_races, last_races = self.races_of(this), self.races_of(last)
            finished_last = {e.person for e in self.b.finishers(*last_races)}
            regs = {e.person for e in self.b.population(this_races, "registrations")}
            gold = len(regs & finished_last)
            today = (
                self.day_between(date(this.year, 1, 2), date(this.year, 12, 30)) if this.year < 2026 else REF
            )
            name = self.pick(EVENT_NAMES[event_name])
            q = self.pick(
                [
                    f"How many of this year's {name} registrants also finished it last year?",
                    f"how many people registered for {name} this year who finished it last year",
                    f"Of the runners signed up for this year's {name}, how many finished last year's?",
                ]
            )
            avoid = numbers_of(q) | {
                float(len(regs)),
                float(len(finished_last)),
                float(len(regs & {e.person for e in self.b.population(last_races, "registrations")})),
            }
            need(gold >= 2 and float(gold) not in avoid)
            return Item(self.style(q), today, "repeat", {"number": gold, "max_rows": 3})
        event_name = self.pick(self.b.event_names())
        entries = [e for r in self.b.races if r.event.name == event_name for e in self.b.finishers(r)]
        runs = Counter(e.person for e in entries)
        gold = sum(1 for c in runs.values() if c > 1)
        name = self.pick(EVENT_NAMES[event_name])
        q = self.pick(
            [
                f"How many runners have finished the {name} more than once?",
                f"how many people ran {name} more than one time",
            ]
        )
        need(float(gold) not in numbers_of(q) | {float(len(runs)), float(len(entries))})
        return Item(self.style(q), REF, "repeat", {"number": gold, "max_rows": 3})

    # ------------------------------------------------------------------ one runner

    def runner(self) -> Item:
        e: Entry = self.pick(self.unique_named)
        race = e.race
        need(e.status is not None)
        shape = self.pick(
            [
                "time",
                "time",
                "chip",
                "gun",
                "place",
                "sex place",
                "ag place",
                "pace",
                "split",
                "finish",
                "history",
                "age",
                "bib",
            ]
        )
        if shape not in ("finish", "history", "age", "bib"):
            need(e.finished)
        mode, today = self.when(race.event, results=True, modes=["explicit"] * 5 + ["last", "none"])
        where_text = self.race_phrase(race, mode)
        name = e.name if self.chance(0.75) else e.name.lower()
        poss = f"{name}'s" if not name.endswith("s") else f"{name}'"
        if shape in ("time", "chip", "gun"):
            basis = None if shape == "time" else shape
            if basis:
                need(abs((e.chip_ms or 0) - (e.gun_ms or 0)) > 1500)
            word = f"{basis} time" if basis else self.pick(["finish time", "time", "finishing time"])
            q = self.pick(
                [
                    f"What was {poss} {word} at {where_text}?",
                    f"{name} {word} {self.bare(where_text)}",
                    f"what time did {name} run at {where_text}"
                    if not basis
                    else f"{poss} {word} in {where_text}?",
                ]
            )
            return Item(
                self.style(q, typos=False),
                today,
                "runner",
                {"time": seconds_text(time_on(e, basis) or 0), "max_rows": 3},
            )
        if shape in ("place", "sex place", "ag place"):
            overall = next(p for p, x in ranked_on(self.b.finishers(race)) if x is e)
            by_sex = next(p for p, x in ranked_on(self.b.finishers(race, where=Where(sex=e.sex))) if x is e)
            ag = age_group_place(self.b, e)
            gold = {"place": overall, "sex place": by_sex, "ag place": ag}[shape]
            others = {overall, by_sex, ag} - {gold}
            sex_word = {"F": "women", "M": "men", "X": "non-binary runners"}[e.sex]
            q = {
                "place": self.pick(
                    [
                        f"what place did {name} finish overall in {where_text}",
                        f"{poss} overall place at {where_text}?",
                        f"Where did {name} place overall at {where_text}?",
                    ]
                ),
                "sex place": self.pick(
                    [
                        f"What was {poss} place among {sex_word} at {where_text}?",
                        f"{name} gender place, {where_text}",
                    ]
                ),
                "ag place": self.pick(
                    [
                        f"Could you look up {poss} age group placing at {where_text}?",
                        f"{poss} age group place at {where_text}?",
                        f"where did {name} finish in their age group at {where_text}",
                    ]
                ),
            }[shape]
            need(gold not in others and float(gold) not in numbers_of(q))
            return Item(self.style(q, typos=False), today, "runner", {"number": gold, "max_rows": 3})
        if shape == "pace":
            unit = self.pick(["mile", "mile", "km"])
            unit_m = KM_M if unit == "km" else MILE_M
            gold = (time_on(e) or 0) / race.distance_m * unit_m
            per = {
                "mile": self.pick(["per mile", "per mile", "in min/mile"]),
                "km": self.pick(["per km", "per kilometer"]),
            }[unit]
            q = self.pick(
                [
                    f"What was {poss} average pace {per} at {where_text}?",
                    f"{name} pace {per}, {self.bare(where_text)}",
                    f"what pace {per} did {name} run at {where_text}",
                    f"{poss} pace {per} at {where_text}?",
                ]
            )
            return Item(
                self.style(q, typos=False), today, "runner", {"time": seconds_text(gold), "max_rows": 3}
            )
        if shape == "split":
            splits = self.b.splits.get(e.participant_id, {})
            need(len(splits) > 0)
            split = self.pick(sorted(splits))
            word = self.pick(SPLIT_WORDS[split])
            q = self.pick(
                [
                    f"{name} {word} split, {self.bare(where_text)}",
                    f"What was {poss} {word} split at {where_text}?",
                    f"{poss} split at the {word} mark in {where_text}?",
                ]
            )
            return Item(
                self.style(q, typos=False),
                today,
                "runner",
                {"time": seconds_text(self.time_ms(splits[split])), "max_rows": 4},
            )
        if shape == "finish":
            q = self.pick(
                [
                    f"Did {name} finish {where_text}?",
                    f"did {name} complete {where_text}",
                    f"{name} - did they finish {where_text}?",
                ]
            )
            status = e.status or ""
            if status == "FIN":
                return Item(
                    self.style(q, typos=False),
                    today,
                    "runner",
                    {"time": seconds_text(time_on(e) or 0), "max_rows": 3},
                )
            words = {
                "DNF": ["dnf", "not finish", "didn't finish", "did not complete"],
                "DNS": ["dns", "did not start", "didn't start", "not start", "no-show", "no show"],
                "DQ": ["dq", "disqualified"],
            }[status]
            return Item(self.style(q, typos=False), today, "runner", {"any_names": words, "max_rows": 3})
        if shape == "age":
            q = self.pick([f"How old was {name} at {where_text}?", f"{poss} age at {where_text}?"])
            need(float(e.age) not in numbers_of(q))
            return Item(self.style(q, typos=False), today, "runner", {"number": e.age, "max_rows": 3})
        if shape == "bib":
            q = self.pick(
                [f"What bib number did {name} wear at {where_text}?", f"{poss} bib at {where_text}?"]
            )
            need(float(e.bib) not in numbers_of(q))
            return Item(self.style(q, typos=False), today, "runner", {"number": int(e.bib), "max_rows": 3})
        runs = self.b.history(e.person)
        need(2 <= len(runs) <= 4)
        years = sorted({r.race.event.year for r in runs})
        events = sorted({r.race.event.name for r in runs})
        times = [seconds_text(time_on(r) or 0) for r in runs if r.finished]
        need(len(times) > 0)
        q = self.pick(
            [
                f"Which races has {name} run with us over the years, and what were the times?",
                f"show me {poss} race history",
                f"What races has {name} done, and with what times?",
                f"list every race {name} entered and the results",
            ]
        )
        return Item(
            self.style(q, typos=False),
            REF,
            "runner",
            {"numbers": years, "names_any_case": events, "time": times, "max_rows": len(runs)},
        )

    @staticmethod
    def time_ms(text: str) -> int:
        hours, minutes, seconds = text.split(":")
        return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
