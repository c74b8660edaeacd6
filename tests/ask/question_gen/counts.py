"""Counts: of a population with filters, registrations, distinct counts, lists of names."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from tests.ask.bundle_reference import (
    POPULATIONS,
    Event,
    Where,
    distinct,
)
from tests.ask.question_gen.base import (
    REF,
    Base,
    Expect,
    Item,
    Subject,
    need,
    numbers_of,
)
from tests.ask.question_gen.words import (
    MONTHS,
    POP_VERBS,
    STATE_NAMES,
)


class CountQuestions(Base):
    # ------------------------------------------------------------------ counts

    def count(self) -> Item:
        population = self.pick(["finishers"] * 5 + ["starters", "dnf", "dns", "dq", "registrations"])
        whole = self.chance(0.2)
        race = self.done_race(multi=True if whole else None)
        event = race.event
        races = self.races_of(event) if whole else [race]
        s = self.subject(race, population, most=0 if population == "dq" else 2, time_ok=not whole)
        need(not (whole and s.where.under_ms))
        mode, today = self.when(event, results=population != "registrations")
        if whole:
            where_text, extra = self.edition_phrase(event, mode)
        else:
            where_text, extra = self.race_phrase(race, mode), ""
        gold = len(self.b.population(races, population, s.where))
        q = self.count_question(s, population, where_text, extra)
        avoid = self.neighbours(races, population, s.where) | numbers_of(q)
        if whole:
            avoid |= {float(len(self.b.population([r], population, s.where))) for r in races}
        if mode != "explicit":
            avoid |= self.year_neighbours(
                event.name,
                event.year,
                None if whole else race.name,
                lambda rs: float(len(self.b.population(rs, population, s.where))),
            )
        need(gold >= 2 and float(gold) not in avoid)
        return Item(
            self.style(q), today, "count", {"number": gold, "max_rows": len(races) + 2 if whole else 3}
        )

    def count_question(self, s: Subject, population: str, where_text: str, extra: str) -> str:
        extra = f" {extra}" if extra else ""
        time_words = f" {s.time_words}" if s.time_words else ""
        if self.chance(0.55):
            people = self.people_phrase(s, population, verbal=True)
            verb = self.pick(POP_VERBS[population])
            body = f"{people} {verb} {where_text}{time_words}{extra}"
            if population == "registrations" and self.chance(0.4):
                body = f"{people} are {self.pick(['registered for', 'signed up for'])} {where_text}{extra}"
            forms = [f"How many {body}?", f"how many {body}", f"Can you tell me how many {body}?"]
            if " who " not in f" {people} ":
                forms.append(f"Number of {people} who {verb} {where_text}{time_words}{extra}?")
            return self.pick(forms)
        nominal = self.people_phrase(s, population, verbal=False)
        if time_words:
            nominal += time_words
        return self.pick(
            [
                f"How many {nominal} were there at {where_text}{extra}?",
                f"How many {nominal} did {where_text} have{extra}?",
                f"{nominal} count for {where_text}{extra}",
                f"number of {nominal} at {where_text}{extra}?",
                f"What was the number of {nominal} in {where_text}{extra}?",
                f"count of {nominal}, {where_text}{extra}",
            ]
        )

    # ------------------------------------------------------------------ registrations

    def registrations(self) -> Item:
        shape = self.pick(["edition", "edition", "edition", "upcoming", "company", "source", "month"])
        if shape in ("edition", "upcoming"):
            events = (
                [e for e in self.b.events if e.status == "upcoming"] if shape == "upcoming" else self.b.events
            )
            event: Event = self.pick(events)
            whole = len(self.races_of(event)) > 1 and self.chance(0.5)
            races = self.races_of(event) if whole else [self.pick(self.races_of(event))]
            race = races[0]
            s = self.subject(race, "registrations", most=2, time_ok=False)
            mode, today = self.when(event, results=False)
            if whole:
                where_text, extra = self.edition_phrase(event, mode)
            else:
                where_text, extra = self.race_phrase(race, mode), ""
            gold = len(self.b.population(races, "registrations", s.where))
            q = self.count_question(s, "registrations", where_text, extra)
            avoid = numbers_of(q) | {
                float(len(self.b.population(races, "registrations", s.where.without(n))))
                for n in s.where.given()
            }
            avoid |= {float(len(self.b.population(races, "registrations")))} if s.where.given() else set()
            if whole:
                avoid |= {float(len(self.b.population([r], "registrations", s.where))) for r in races}
            else:
                avoid |= {float(len(self.b.population(self.races_of(event), "registrations", s.where)))}
            avoid |= self.year_neighbours(
                event.name,
                event.year,
                None if whole else race.name,
                lambda rs: float(len(self.b.population(rs, "registrations", s.where))),
            )
            need(gold >= 2 and float(gold) not in avoid)
            return Item(self.style(q), today, "registrations", {"number": gold, "max_rows": len(races) + 2})
        if shape == "company":
            org = self.pick(list(self.b.orgs.values()))
            year = self.pick([2023, 2024, 2025, 2026])
            events = [e for e in self.b.events if e.org_id == org.org_id and e.year == year]
            need(len(events) > 0)
            races = [r for e in events for r in self.races_of(e)]
            sex = self.pick([None, None, "F", "M"])
            where = Where(sex=sex)
            gold = len(self.b.population(races, "registrations", where))
            who = {None: "", "F": self.pick(["female ", "women's "]), "M": "male "}[sex]
            q = self.pick(
                [
                    f"What's the total number of {who}registrations across all {org.name} events in {year}?",
                    f"How many {who}registrations did {org.name} events get in {year}?",
                    f"total {who}entries for {org.name} races in {year}",
                    f"How many {who}participants were registered for {org.name}'s events in {year}?",
                ]
            )
            everyone = [r for r in self.b.races if r.event.year == year]
            avoid = numbers_of(q) | {float(len(self.b.population(everyone, "registrations", where)))}
            avoid |= {float(len(self.b.population(races, "registrations")))}
            need(float(gold) not in avoid)
            return Item(self.style(q), REF, "registrations", {"number": gold, "max_rows": len(races) + 3})
        if shape == "source":
            year = self.pick([2023, 2024, 2025, 2026])
            source = self.pick(["runsignup", "raceroster"])
            races = [r for r in self.b.races if r.event.year == year]
            gold = len(self.b.population(races, "registrations", Where(source=source)))
            said = {
                "runsignup": ["RunSignup", "runsignup"],
                "raceroster": ["Race Roster", "RaceRoster", "raceroster"],
            }[source]
            q = self.pick(
                [
                    f"How many registrations came through {self.pick(said)} in {year}?",
                    f"How many people registered via {self.pick(said)} for {year} races?",
                    f"{year} registrations from {self.pick(said)}: how many?",
                ]
            )
            need(float(gold) not in numbers_of(q) | {float(len(self.b.population(races, "registrations")))})
            return Item(self.style(q), REF, "registrations", {"number": gold, "max_rows": 40})
        # registrations in a month, for one edition
        race = self.pick([r for r in self.b.races])
        event = race.event
        months = Counter(e.registered_at[:7] for e in self.b.entries_of(race))
        month = self.pick(sorted(m for m, c in months.items() if c >= 3))
        y, m = int(month[:4]), int(month[5:7])
        last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).isoformat()
        where = Where(registered_from=f"{month}-01", registered_to=last)
        gold = len(self.b.population([race], "registrations", where))
        name = self.race_phrase(race, "explicit")
        month_words = f"{MONTHS[m - 1]} {y}"
        q = self.pick(
            [
                f"How many people registered for {name} during {month_words}?",
                f"how many sign ups did {name} get during {month_words}",
                f"Number of registrations for {name} made in {month_words}?",
                f"{month_words} registrations for {name}: how many?",
            ]
        )
        need(float(gold) not in numbers_of(q) | {float(len(self.b.population([race], "registrations")))})
        return Item(self.style(q), REF, "registrations", {"number": gold, "max_rows": 3})

    # ------------------------------------------------------------------ distinct counts

    def distinct_count(self) -> Item:
        what = self.pick(["clubs", "clubs", "states", "states", "cities", "people"])
        population = self.pick(["finishers", "finishers", "registrations", "starters"])
        if what == "people":
            event_name = self.pick(self.b.event_names())
            race_name = self.pick(sorted({r.name for r in self.b.races if r.event.name == event_name}))
            races = [r for r in self.b.races_named(event_name, race_name) if r in self.completed]
            need(len(races) >= 2)
            entries = self.b.population(races, "finishers")
            gold = distinct(entries, "people")
            name = self.race_name(races[0])
            q = self.pick(
                [
                    f"How many different people have finished the {name} over the years?",
                    f"How many unique runners have completed the {name}, all years combined?",
                    f"how many distinct people finished {name} across all editions",
                ]
            )
            need(float(gold) not in numbers_of(q) | {float(len(entries))})
            return Item(self.style(q), REF, "distinct", {"number": gold, "max_rows": 3})
        whole = self.chance(0.3)
        race = self.done_race(multi=True if whole else None)
        races = self.races_of(race.event) if whole else [race]
        sex = self.pick([None, None, "F", "M"])
        where = Where(sex=sex)
        entries = self.b.population(races, population, where)
        gold = distinct(entries, what)
        need(what != "cities" or gold == len({e.city for e in entries}))  # Portland, ME and Portland, OR
        mode, today = self.when(race.event, results=population != "registrations")
        where_text, extra = (
            self.edition_phrase(race.event, mode) if whole else (self.race_phrase(race, mode), "")
        )
        extra = f" {extra}" if extra else ""
        people = {None: "", "F": "women ", "M": "men "}[sex]
        noun = {"finishers": "finishers", "registrations": "registrants", "starters": "starters"}[population]
        verb = {"finishers": "finished", "registrations": "registered for", "starters": "started"}[population]
        thing = {
            "clubs": ["running clubs", "clubs", "teams"],
            "states": ["states"],
            "cities": ["cities", "different cities"],
        }[what]
        t = self.pick(thing)
        q = self.pick(
            [
                f"How many {t} had {people}{noun} at {where_text}{extra}?",
                f"How many different {t} were represented among the {people}{noun} of {where_text}{extra}?",
                f"how many {t} did the {people}{noun} of {where_text} come from{extra}",
                f"Number of distinct {t} among {people}{noun}, {where_text}{extra}",
                f"{people}{noun} at {where_text}{extra}: how many {t}?",
            ]
        )
        if sex is None and self.chance(0.4):
            q = f"How many {t} were represented by people who {verb} {where_text}{extra}?"
        key = {"clubs": lambda e: e.team, "states": lambda e: e.state, "cities": lambda e: e.city}[what]
        top = Counter(key(e) for e in entries if key(e)).most_common(1)
        avoid = numbers_of(q) | {float(len(entries))} | ({float(top[0][1])} if top else set())
        avoid |= {
            float(distinct(self.b.population(races, p, where), what)) for p in POPULATIONS if p != population
        }
        if sex:
            avoid.add(float(distinct(self.b.population(races, population), what)))
        need(gold >= 2 and float(gold) not in avoid)
        return Item(self.style(q), today, "distinct", {"number": gold, "max_rows": 3})

    # ------------------------------------------------------------------ lists of names

    def names_list(self) -> Item:
        population = self.pick(["dq", "dnf", "dnf", "finishers", "dns", "award winners"])
        race = self.done_race()
        whole = population == "dq" and len(self.races_of(race.event)) > 1 and self.chance(0.5)
        races = self.races_of(race.event) if whole else [race]
        s = Subject()
        if population in ("finishers", "award winners"):
            if population == "award winners" and self.chance(0.5):
                state = self.pick(["VA", "NC", "MD", "MA", "PA"])
                s = Subject(
                    Where(state=state), post=[self.pick([f"from {STATE_NAMES[state]}", f"from {state}"])]
                )
            else:
                club = self.pick(self.clubs)
                s = Subject(
                    Where(team=club), post=[self.pick([f"from {club}", f"in {club}", f"running for {club}"])]
                )
        elif population != "dq":
            s = self.subject(race, population, most=1, time_ok=False)
        entries = self.b.population(races, population, s.where)
        names = sorted({e.name for e in entries})
        need(1 <= len(names) <= 12)
        mode, today = self.when(race.event, results=True)
        where_text, extra = (
            self.edition_phrase(race.event, mode) if whole else (self.race_phrase(race, mode), "")
        )
        at = f"{where_text}{' ' + extra if extra else ''}"
        who = " ".join(w for w in [*s.pre, s.noun or self.pick(["runners", "people"]), *s.post] if w)
        post = "".join(f" {p}" for p in [s.noun_post, *s.post] if p)
        pre = "".join(f"{p} " for p in [*s.pre, s.noun_pre] if p)
        templates = {
            "dq": [
                f"Who got DQ'd at {at}?",
                f"Who was disqualified at {at}?",
                f"list the DQs for {at}",
                f"Which runners were disqualified in {at}?",
            ],
            "dnf": [
                f"Which {who} did not finish {at}?",
                f"List the {pre}DNFs{post} at {at}",
                f"Which {who} dropped out of {at}?",
                f"names of {who} who didn't finish {at}",
            ],
            "dns": [
                f"Who were the {pre}no-shows{post} at {at}?",
                f"List the {pre}DNS{post} for {at}",
                f"which {who} did not start {at}",
            ],
            "finishers": [
                f"Which runners{post} finished {at}?",
                f"List the finishers{post} at {at}",
                f"names of finishers{post} at {at}",
                f"who{post} finished {at}?",
            ],
            "award winners": [
                f"List the award winners{post} at {at}",
                f"Which award winners at {at} were{post}?",
                f"who{post} won awards at {at}?",
            ],
        }
        if population == "dnf" and not s.where.given():
            templates["dnf"] += [f"Who DNF'd at {at}?", f"who dropped out of {at}"]
        q = self.pick(templates[population])
        broader = self.b.population(races, population if s.where.given() else "finishers")
        absent = sorted({e.name for e in broader} - set(names))
        absent = [
            n for n in absent if not any(n.lower() in m.lower() or m.lower() in n.lower() for m in names)
        ]
        self.rng.shuffle(absent)
        need(len(absent) > 0)
        expect: Expect = {"names": names, "max_rows": len(names) + 2, "absent_names": sorted(absent[:4])}
        return Item(self.style(q), today, "list", expect)
