"""The catalogue (events in a window, races, start times, a company's events) and CSV reports."""

from __future__ import annotations

from datetime import date, timedelta

from tests.ask.bundle_reference import (
    Event,
    Where,
)
from tests.ask.question_gen.base import (
    LAST_DAY,
    REF,
    Base,
    Expect,
    Item,
    need,
)
from tests.ask.question_gen.words import (
    EVENT_NAMES,
    MONTHS,
)


class CatalogueQuestions(Base):
    # ------------------------------------------------------------------ catalogue

    def catalogue(self) -> Item:
        shape = self.pick(["window", "window", "window", "races", "start", "company", "next"])
        series = self.b.event_names()
        if shape == "window":
            return self.window()
        if shape == "races":
            event: Event = self.pick(self.b.events)
            races = self.races_of(event)
            mode, today = self.when(event, results=False, modes=["explicit", "explicit", "this", "none"])
            name = self.dated(self.pick(EVENT_NAMES[event.name]), event.year, mode)
            with_times = self.chance(0.4)
            expect: Expect = {"names_any_case": [r.name for r in races], "max_rows": len(races)}
            if with_times:
                expect["names_any_case"] = expect["names_any_case"] + sorted(
                    {r.start_time[11:16].lstrip("0") for r in races}
                )
                q = self.pick(
                    [
                        f"What races does {name} have and when do they start?",
                        f"races and start times for {name}",
                    ]
                )
            else:
                q = self.pick(
                    [
                        f"Which races are on {name} program?".replace("on the", "on the"),
                        f"what distances are offered at {name}",
                        f"Which races make up {name}?",
                        f"list the races of {name}",
                    ]
                )
            return Item(self.style(q), today, "catalogue", expect)
        if shape == "start":
            race = self.pick(self.b.races)
            mode, today = self.when(race.event, results=False, modes=["explicit", "explicit", "this", "none"])
            word = self.race_phrase(race, mode)
            hh, mm = int(race.start_time[11:13]), race.start_time[14:16]
            variants = [f"{hh}:{mm}"]
            if mm == "00":
                variants += [f"{hh} am", f"{hh}am", f"{hh} a.m."]
            q = self.pick(
                [
                    f"What time does {word} start?",
                    f"start time of {word}?",
                    f"when does {word} start",
                    f"What time is the gun for {word}?",
                ]
            )
            if mode == "explicit" and race.event.start_date < REF:
                q = q.replace("does", "did").replace(" is the gun", " was the gun")
            return Item(self.style(q), today, "catalogue", {"any_names": variants, "max_rows": 3})
        if shape == "company":
            org = self.pick(list(self.b.orgs.values()))
            mine = sorted({e.name for e in self.b.events if e.org_id == org.org_id})
            others = sorted(set(series) - set(mine))
            q = self.pick(
                [
                    f"which events does {org.name} have?",
                    f"What events does {org.name} time?",
                    f"list {org.name}'s events",
                    f"{org.name} events?",
                ]
            )
            return Item(
                self.style(q),
                REF,
                "catalogue",
                {"names_any_case": mine, "absent_names": others, "max_rows": 15},
            )
        event_name = self.pick(series)
        eds = self.b.editions(event_name)
        target: Event = self.pick(eds)
        prev = self.previous_edition(target)
        first = prev.start_date + timedelta(days=1) if prev else date(2023, 1, 1)
        today = self.day_between(first, target.start_date - timedelta(days=1))
        name = self.pick(EVENT_NAMES[event_name])
        d = target.start_date
        variants = [
            d.isoformat(),
            f"{MONTHS[d.month - 1]} {d.day}",
            f"{MONTHS[d.month - 1][:3]} {d.day}",
            f"{d.month}/{d.day}/{d.year}",
        ]
        q = self.pick(
            [
                f"When is the next {name}?",
                f"what's the date of the next {name}",
                f"When is {name} this year?" if d.year == today.year else f"When is the next {name}?",
            ]
        )
        return Item(self.style(q), today, "catalogue", {"any_names": variants, "max_rows": 3})

    def window(self) -> Item:
        shape = self.pick(
            [
                "next days",
                "next weeks",
                "this month",
                "next month",
                "last month",
                "in month",
                "held this year",
                "upcoming",
            ]
        )
        today = self.pick([REF, REF] + [self.day_between(date(2023, 2, 1), LAST_DAY) for _ in range(3)])
        month_start = today.replace(day=1)
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        if shape == "next days":
            n = self.pick([7, 10, 14, 30, 45, 60, 90])
            first, last = today + timedelta(days=1), today + timedelta(days=n)
            words = self.pick(
                [f"in the next {n} days", f"over the next {n} days", f"within the next {n} days"]
            )
        elif shape == "next weeks":
            n = self.pick([1, 2, 3, 4, 6, 8])
            spelled = {1: "one", 2: "two", 3: "three", 4: "four", 6: "six", 8: "eight"}[n]
            words = self.pick([f"in the next {spelled} weeks", f"in the next {n} weeks"])
            words = words.replace("one weeks", "week").replace(" 1 weeks", " week")
            first, last = today + timedelta(days=1), today + timedelta(days=7 * n)
        elif shape == "this month":
            first, last = month_start, next_month - timedelta(days=1)
            words = "this month"
            need(
                not self.b.events_between(month_start, today)
            )  # "this month" would also read as "the rest of it"
        elif shape == "next month":
            first, last = next_month, (next_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            words = "next month"
        elif shape == "last month":
            last = month_start - timedelta(days=1)
            first = last.replace(day=1)
            words = "last month"
        elif shape == "in month":
            y = self.pick([2023, 2024, 2025, 2026])
            m = self.pick(range(1, 13))
            first = date(y, m, 1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            words = f"in {MONTHS[m - 1]} {y}"
        elif shape == "held this year":
            first, last = date(today.year, 1, 1), today - timedelta(days=1)
            words = self.pick(
                [
                    "have already taken place this year",
                    "were already held this year",
                    "have happened so far this year",
                ]
            )
        else:
            first, last = today + timedelta(days=1), LAST_DAY
            words = "upcoming"
        events = self.b.events_between(first, last)
        need(len(events) > 0)
        # No edition on a boundary day: "next 14 days" must not hinge on counting today.
        need(not self.b.events_between(first - timedelta(days=1), first - timedelta(days=1)))
        need(not self.b.events_between(last + timedelta(days=1), last + timedelta(days=1)))
        need(all(e.start_date != today for e in self.b.events))
        inside = sorted({e.name for e in events})
        outside = sorted(set(self.b.event_names()) - set(inside))
        org = None
        if self.chance(0.25):
            org = self.pick(list(self.b.orgs.values()))
            events = [e for e in events if e.org_id == org.org_id]
            need(len(events) > 0)
            inside = sorted({e.name for e in events})
            outside = sorted(set(self.b.event_names()) - set(inside))
        whose = f"{org.name} " if org else ""  # "Acme Racing events"
        which = f"{org.name}'s " if org else self.pick(["", "of our "])  # "Which of our events"
        past = last < today
        if shape == "upcoming":
            forms = [
                f"What {whose}events are coming up?",
                f"list {whose}upcoming races",
                f"which {which}events are upcoming?",
            ]
        elif shape == "held this year":
            forms = [f"Which of {org.name + chr(39) + 's' if org else 'our'} events {words}?"]
        elif shape.startswith("next"):
            forms = [
                f"What {whose}races are coming up {words}?",
                f"Which {which}events are scheduled {words}?",
                f"any {which}events {words}?",
            ]
        elif past:
            forms = [
                f"Which {which}events took place {words}?",
                f"What {whose}events did we have {words}?",
                f"{whose}events held {words}",
            ]
        else:
            forms = [
                f"What {whose}events are on {words}?",
                f"Which {which}events are scheduled {words}?",
                f"{whose}events {words}",
            ]
        q = self.pick(forms)
        races = sum(len(self.races_of(e)) for e in events)
        return Item(
            self.style(q),
            today,
            "catalogue",
            {"names_any_case": inside, "absent_names": outside, "max_rows": races},
        )

    # ------------------------------------------------------------------ reports

    def report(self) -> Item:
        shape = self.pick(["award", "finishers", "registrations", "dns", "club", "filtered"])
        if shape == "registrations":
            event = self.pick(self.b.events)
        else:
            event = self.pick([r.event for r in self.completed])
        races = self.races_of(event)
        whole = len(races) > 1 and self.chance(0.4)
        chosen = races if whole else [self.pick(races)]
        modes = ["explicit", "explicit", "explicit", "last", "none"]
        # a club's list may be of registrations too: with no year, registrations mean the next edition
        club_registrations = shape == "club" and self.chance(0.5)
        mode, today = self.when(
            event, results=shape != "registrations" and not club_registrations, modes=modes
        )
        if whole:
            name, extra = self.edition_phrase(event, mode)
            at = f"{name} {extra}".strip()
        else:
            at = self.race_phrase(chosen[0], mode)
        addresses = self.pick(
            [
                "with mailing addresses",
                "with their mailing addresses",
                "with addresses",
                "including addresses",
            ]
        )
        a_csv = self.pick(["a CSV", "a csv", "a csv file", "a spreadsheet"])
        csv = self.pick(["CSV", "csv", a_csv])
        if shape == "award":
            entries = self.b.population(chosen, "award winners")
            q = self.pick(
                [
                    f"Generate {csv} of award winners {addresses} for {at}",
                    f"Award winners list as {csv} {addresses} for {at}",
                    f"I need {a_csv} of the award winners at {at} {addresses} for mailing medals",
                ]
            )
        elif shape == "finishers":
            entries = self.b.population(chosen, "finishers")
            q = self.pick(
                [
                    f"Can you export {a_csv} of all finishers of {at} {addresses}?",
                    f"export finishers of {at} {addresses} as {csv}",
                    f"{csv} of finishers {addresses}, {at}",
                ]
            )
        elif shape == "registrations":
            entries = self.b.population(chosen, "registrations")
            q = self.pick(
                [
                    f"I need {a_csv} of everyone registered for {at} {addresses}",
                    f"export the registrations for {at} to {csv} {addresses}",
                    f"{csv} of registrants for {at} {addresses} for packet pickup letters",
                ]
            )
        elif shape == "dns":
            entries = self.b.population(chosen, "dns")
            q = self.pick(
                [
                    f"Export the DNS list for {at} as {csv}",
                    f"{csv} of no-shows at {at} {addresses}",
                    f"I need {a_csv} of runners who did not start {at}",
                ]
            )
        elif shape == "club":
            club = self.pick(self.clubs)
            population = "registrations" if club_registrations else "finishers"
            entries = self.b.population(chosen, population, Where(team=club))
            if population == "finishers":
                forms = [
                    f"{csv} of {club} finishers at {at} {addresses}",
                    f"Export {club} members who finished {at} as {csv}",
                    f"export the finishers from {club} at {at} as {csv}",
                ]
            else:
                forms = [
                    f"{csv} of {club} members registered for {at} {addresses}",
                    f"Export {club} members who were registered for {at} as {csv}",
                    f"export everyone from {club} signed up for {at} as {csv}",
                ]
            q = self.pick(forms)
        else:
            s = self.subject(chosen[0], "finishers", most=2, time_ok=False)
            need(s.where.given() != [])
            entries = self.b.population(chosen, "finishers", s.where)
            if s.noun:
                who = " ".join([*s.pre, s.noun, *s.post, "who finished"])
            else:
                who = " ".join([*s.pre, "finishers", *s.post, "of"])
            q = self.pick([f"Export {a_csv} of {who} {at} {addresses}", f"{csv} of {who} {at} {addresses}"])
        need(2 <= len(entries) <= 3000)
        names = sorted({e.name for e in entries})
        self.rng.shuffle(names)
        expect = {"file_names": sorted(names[:30]), "file_rows": len(entries)}
        return Item(self.style(q), today, "report", expect)
