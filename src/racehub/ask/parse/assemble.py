"""From what the recognisers found to one Reading, or to an Outcome that says why there is none.

The rules here decide which measure a question asks for and over which races; they never drop a
recognised part of the question. Whatever could not be applied is reported, not ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from racehub.ask.catalog import Catalog, EditionInfo, RaceInfo, Series
from racehub.ask.parse.facts import EventMention, Facts
from racehub.ask.parse.ledger import Ledger
from racehub.ask.reading import (
    AwardSpec,
    Choice,
    Field,
    Filter,
    Kind,
    Outcome,
    PersonRef,
    Population,
    RaceSet,
    Reading,
    RepeatSpec,
    Window,
)

# Measures computed per race: over several races of different kinds they need the race said.
PER_RACE = {Kind.RANK, Kind.AGGREGATE, Kind.RECORD, Kind.SPLIT, Kind.EXTREME_AGE, Kind.HISTOGRAM}


@dataclass
class Partial:
    """A reading that could not be finished: what was understood, and what is missing."""

    understood: str
    missing: str


CATALOGUE = [
    (
        "start_time",
        True,
        r"\b(?:start(?:ing)? times?|start(?:s|ing)? at|what time|when (?:does|do|did|will)|gun goes off|"
        r"starts?|begins?|kicks? off|go off|goes off|went off|distances?|each|have|has|races?|which|what|"
        r"(?:was|is|were|will be) the (?:gun|start)|the gun|gun|for)\b",
    ),
    (
        "distance",
        True,
        r"\b(?:how long is|how far is|how long was|distance of|what distances?|how many (?:miles|km|"
        r"kilometers|kilometres) is|length of|long|far|distance)\b",
    ),
    (
        "races",
        True,
        r"\b(?:which|what|list|show)\b(?=.*\b(?:races|distances|courses)\b)|\b(?:program|programme|lineup|"
        r"line up|schedule|offered|offer|on offer|held|part of|races of|distances|courses|races|on)\b",
    ),
    (
        "date",
        True,
        r"\b(?:when is|when was|when will|when does|when did|what date|which date|what day|dates? of|"
        r"how soon|when|date|day|happen|happening|take place|taking place)\b",
    ),
    (
        "place",
        True,
        r"\b(?:where is|where was|where will|where does|where did|location of|which city|what city|where|"
        r"located|location|held|take place|taking place)\b",
    ),
]


def catalogue_kind(ledger: Ledger, facts: Facts) -> str | None:
    """An edition's races, start times, dates, places and distances, or the events in a window."""
    if facts.populations or facts.persons or facts.stat or facts.winner or facts.n or facts.place:
        return None
    if facts.people_word or facts.ran or facts.share or facts.filters or (facts.count and facts.events):
        return None
    if facts.record or facts.extreme_age or facts.split_asked or facts.histogram or facts.repeat:
        return None
    said = " ".join(ledger.tokens)
    checks = [
        (
            "start_time",
            r"\b(start times?|starting times?|start(?:s|ing)? at|what time (?:does|did|is|will|do)|"
            r"when (?:does|do|did|will) .*\bstart|gun goes off|starts?\b.*\bwhen|"
            r"what time (?:was|is|were|will be) the (?:gun|start)|when (?:was|is|did|does) the gun|"
            r"the gun (?:go|goes|went) off)\b",
        ),
        (
            "distance",
            r"\b(how long is|how far is|how long was|distance of|what distance|what distances|"
            r"how many (?:miles|km|kilometers|kilometres) is)\b",
        ),
        (
            "races",
            r"\b(which|what|list|show)\b.*\b(races|distances|courses)\b|\b(program|programme|lineup|line up|"
            r"races (?:are|were|will be) (?:on|at|in|offered|held|part))\b|\braces of\b|"
            r"\b(races|distances) (?:does|did|do|will|is|are|at|on|for)\b",
        ),
        (
            "date",
            r"\b(when is|when was|when will|when does|when did|what date|which date|what day|date of|"
            r"dates of|how soon)\b",
        ),
        (
            "place",
            r"\b(where is|where was|where will|where does|where did|location of|which city|what city)\b",
        ),
    ]
    for kind, pattern in checks:
        if re.search(pattern, said) and (facts.events or (kind == "start_time" and facts.race_words)):
            claim = next(p for k, _, p in CATALOGUE if k == kind)
            ledger.take_all(claim, "catalogue")
            ledger.take_all(
                r"\b(?:are |is )?(?:offered|on offer|available|make up|makes up|made up of|part of|"
                r"included|in|at|on|have|has|does|do|and|races|distances)\b",
                "catalogue",
            )
            return kind
    if re.search(r"\b(events?|races?|editions?|calendar|schedule|what is on|happening)\b", said):
        if (
            facts.events
            and not facts.window
            and not re.search(r"\b(which|what|list|show|how many|any)\b", said)
        ):
            return None
        ledger.take_all(
            r"\b(?:calendar|schedule|scheduled|happening|held|on|take place|taking place|have|has|run|"
            r"put on|time|timed|organize|organise|host|hosted)\b",
            "catalogue",
        )
        if facts.count:
            return "count_events"
        return "company_events" if facts.company and not facts.window and not facts.years else "events"
    if facts.window is not None and not facts.events:
        return "events"
    return None


def default_population(facts: Facts, kind: Kind) -> Population | None:
    strong = [p for p in facts.populations]
    if strong:
        return strong[0]
    if kind in (Kind.RANK, Kind.AGGREGATE, Kind.RECORD, Kind.SPLIT, Kind.HISTOGRAM):
        return Population.FINISHERS
    return None


def assemble(ledger: Ledger, facts: Facts, catalog: Catalog) -> Reading | Outcome:
    kind, population = _kind(ledger, facts)
    if kind is None:
        return Outcome("unanswerable", "I could not tell what to compute from that question.")
    races = None
    if kind != Kind.EVENTS or facts.events:
        resolved = resolve_races(facts, catalog, kind, population)
        if isinstance(resolved, Outcome):
            return resolved
        races = resolved
    open_population = population is None and kind in (Kind.COUNT,) and not facts.persons
    if open_population and "age_group" in facts.group_by:
        # age groups are scored on results: an age-group breakdown counts finishers
        open_population, population = False, Population.FINISHERS
        facts.notes.append("finishers (age groups are scored on results)")
    if open_population and not facts.overview:
        # "how many runners were at ...": registered, started or finished? Ask.
        return Outcome(
            "clarify",
            "'Runners' can mean registered, started or finished: which do you want counted?",
            (
                Choice("registered (every entry)", {"population": "registered"}),
                Choice("started (finished, DNF or DQ)", {"population": "starters"}),
                Choice("finished", {"population": "finishers"}),
            ),
        )
    if kind == Kind.REPORT and population is None:
        population = Population.REGISTERED
    base = Reading(
        kind=kind, population=population or Population.FINISHERS, population_open=open_population, races=races
    )
    measured = _measure(base, ledger, facts)
    if isinstance(measured, Outcome):
        return measured
    reading = measured
    reading = reading.with_(
        filters=tuple(facts.filters),
        basis=facts.basis or "placement",
        pace_unit=facts.pace_unit or "mile",
        company=facts.company,
        notes=tuple(facts.notes),
        chart=facts.chart,
    )
    if facts.persons:
        p = facts.persons[0]
        if len(facts.persons) > 1:
            ids = tuple(sorted({i for m in facts.persons for i in m.person_ids}))
            label = " and ".join(m.label for m in facts.persons)
            reading = reading.with_(person=PersonRef(p.first, p.last, ids, label))
        else:
            reading = reading.with_(person=PersonRef(p.first, p.last, p.person_ids, p.label))
    unused = _unused(reading, facts)
    if unused:
        from racehub.ask.explain import interpretation

        return Outcome(
            "clarify",
            f"I understood: {interpretation(reading)} — but I can't apply {' or '.join(unused)} to that, "
            "and I won't answer without it. Could you ask it another way?",
        )
    return _validate(reading, facts, catalog)


def _unused(reading: Reading, facts: Facts) -> list[str]:
    """Parts of the question the reading recognised but does not use: never silently dropped."""
    k = reading.kind
    out: list[str] = []
    if facts.window is not None and not facts.window_used and k != Kind.EVENTS:
        out.append(f"the dates '{facts.window.words}'")
    if facts.group_by:
        grouped = (
            k in (Kind.COUNT, Kind.DISTINCT, Kind.AGGREGATE, Kind.SHARE, Kind.HISTOGRAM)
            or (k == Kind.RANK and set(facts.group_by) <= {"sex"})
            or (k == Kind.REPORT and set(facts.group_by) <= {"age_group"})
        )
        if not grouped:
            out.append(
                "'by "
                + " and ".join(g.replace("_", " ").replace("team", "club") for g in facts.group_by)
                + "'"
            )
    ranked = k in (Kind.RANK, Kind.SPLIT, Kind.RECORD, Kind.AWARDS)
    if (facts.n or facts.place) and not ranked:
        out.append("a place or top-N")
    if facts.winner and not ranked and k != Kind.LIST:
        out.append("'winner'")
    if facts.stat and k not in (Kind.AGGREGATE, Kind.RECORD) and not (k == Kind.LIST and reading.person):
        out.append(
            f"'{ {'avg': 'average', 'min': 'fastest', 'max': 'slowest'}.get(facts.stat, facts.stat) }'"
        )
    if facts.extreme_age and k not in (Kind.EXTREME_AGE, Kind.AGGREGATE):
        out.append(f"'{facts.extreme_age}'")
    if facts.share and k != Kind.SHARE:
        out.append("a percentage")
    if facts.histogram and k != Kind.HISTOGRAM:
        out.append("a distribution of times")
    if facts.chart and not facts.histogram and k == Kind.COUNT and not facts.group_by:
        races = reading.races
        if races is None or (len(races.years) <= 1 and len(races.series) <= 1):
            out.append("a chart or distribution (of what?)")
    if facts.distinct and k != Kind.DISTINCT:
        out.append("'different'")
    if facts.record and k != Kind.RECORD:
        out.append("'record'")
    if facts.split_asked and k != Kind.SPLIT:
        out.append("split times")
    if facts.awards is not None and k not in (Kind.AWARDS, Kind.REPORT):
        out.append("awards")
    if facts.repeat and k != Kind.REPEAT:
        out.append("runners across editions")
    if facts.persons and k not in (Kind.LIST, Kind.COUNT, Kind.SPLIT):
        out.append("the runner's name")
    if facts.sexes_both and "sex" not in reading.group_by and k not in (Kind.SHARE, Kind.RANK):
        out.append("'men and women'")
    if k == Kind.EVENTS and facts.race_words:
        out.append("the race named (I can list events, or a race's start time and distance)")
    if k in (Kind.EVENTS, Kind.RACES):
        place_fields = {Field.STATE, Field.CITY}
        if any(f.field not in place_fields or f.value == "event" for f in facts.filters):
            out.append("conditions on runners")
    if facts.compare and k in (Kind.COUNT, Kind.AGGREGATE, Kind.SHARE, Kind.DISTINCT):
        races = reading.races
        several = races is not None and (len(races.years) > 1 or len(races.series) > 1)
        if not several and not facts.group_by and not facts.sexes_both:
            out.append("a comparison (with what?)")
    return out


# ---------------------------------------------------------------------------------------- the kind


def _kind(ledger: Ledger, facts: Facts) -> tuple[Kind | None, Population | None]:
    pops = facts.populations
    first = pops[0] if pops else None
    if facts.report:
        return Kind.REPORT, first
    cat = catalogue_kind(ledger, facts)
    if cat is not None:
        facts.catalogue = cat
        kind = Kind.EVENTS if cat in ("events", "place", "company_events", "count_events") else Kind.RACES
        return kind, None
    if facts.persons:
        if facts.split_asked:
            return Kind.SPLIT, None
        if facts.count and not facts.stat:
            return Kind.COUNT, first or Population.REGISTERED
        return Kind.LIST, first
    if facts.split_asked:
        return Kind.SPLIT, Population.FINISHERS
    if facts.share:
        return Kind.SHARE, first
    if facts.distinct:
        return Kind.DISTINCT, first
    masters = any(f.field == Field.AGE and f.value == "masters" for f in facts.filters)
    if facts.awards is None and masters and facts.winner and not (facts.n or facts.place):
        facts.awards = AwardSpec("masters")  # "who won the masters division": the masters award
    if facts.awards is not None:
        return Kind.AWARDS, Population.AWARDS
    if _repeat_kind(ledger, facts):
        return Kind.REPEAT, first
    every = facts.years is not None and facts.years.mode == "every"
    if facts.record or (
        facts.combined and every and (facts.winner or facts.stat == "min") and not facts.place
    ):
        return Kind.RECORD, Population.FINISHERS
    if facts.histogram and not facts.stat:
        return Kind.HISTOGRAM, Population.FINISHERS
    if facts.stat and facts.quantity:
        return Kind.AGGREGATE, first
    if facts.extreme_age:
        return Kind.EXTREME_AGE, first
    if facts.winner or facts.n or facts.place:
        return Kind.RANK, Population.FINISHERS
    if facts.group_by or facts.top_groups:
        return Kind.COUNT, first
    if facts.count or facts.compare:
        return Kind.COUNT, first
    if facts.listing and (pops or facts.people_word or facts.filters or facts.ran):
        return Kind.LIST, first
    if re.search(r"\b(fastest|quickest|best)\b", " ".join(ledger.tokens)) and facts.events:
        facts.winner = True
        return Kind.RANK, Population.FINISHERS
    if pops and (facts.events or facts.years):
        return Kind.COUNT, first
    said = " ".join(ledger.tokens)
    if facts.events and re.search(r"\b(results|standings|leaderboard|rankings|leaders|finish order)\b", said):
        # "the 2025 Lakeside 10K results": the top of the results, in place order
        ledger.take_all(
            r"\b(?:results|standings|leaderboard|rankings|leaders|finish order|show|give|see)\b", "rank"
        )
        facts.n = 10
        return Kind.RANK, Population.FINISHERS
    if facts.events and ledger.take(
        r"\b(?:tell me about|overview|summary|summarize|stats|statistics|numbers|"
        r"how did .* go|how was|breakdown)\b",
        "overview",
    ):
        facts.overview = True
        return Kind.COUNT, None
    return None, None


def _repeat_kind(ledger: Ledger, facts: Facts) -> bool:
    said = " ".join(ledger.tokens)
    left = ledger.text()
    if facts.repeat in ("at_least", "returning"):
        return True
    measured = facts.winner or facts.n or facts.place or facts.stat or facts.share or facts.extreme_age
    two_years = len(facts.years.years if facts.years else []) == 2
    if (
        (
            re.search(r"\b(?:also|again|returned|came back|back|returning)\b", left)
            or len(set(facts.populations)) >= 2
        )
        and two_years
        and len(facts.populations) >= 1
        and not measured
    ):
        facts.repeat = "then_now"
        ledger.take_all(r"\b(?:also|again|returned|came back|back|returning)\b", "repeat")
        ledger.take_all(r"\b(?:it|them|that race|the race|that one)\b", "repeat")
        return True
    if measured:
        return False
    # "runners who finished every year": people; "how many registrations did X have every year": a series
    person_subject = re.search(
        r"\b(?:runners?|people|persons|ppl|folks|who|athletes|anyone)\b", said
    ) and not re.search(
        r"\b(?:did|does|do) (?:_ )+(?:have|get|draw|attract|see)\b|\b(?:had|got|drew|attracted|saw)\b", left
    )
    if re.search(r"\bevery _", left) or (
        person_subject
        and re.search(
            r"\b(?:every (?:single )?(?:one|time|edition|year)s?|each (?:year|edition)s?|all "
            r"(?:four|three|two|five|\d) "
            r"(?:editions|years|times|of them))\b",
            said,
        )
    ):
        if facts.count or facts.listing or re.search(r"\bwho\b", said):
            if (facts.years and facts.years.mode in ("range", "every", "list")) or re.search(
                r"\bevery _", left
            ):
                facts.repeat = "every"
                ledger.take(
                    r"\b(?:every|all(?: (?:four|three|two|five|\d))?)(?: single)?(?: one| time| of them)?\b",
                    "repeat",
                )
                return True
    if re.search(r"\bboth\b", left) and facts.years and len(facts.years.years) == 2:
        facts.repeat = "every"
        ledger.take(r"\bboth(?: years| editions| times)?\b", "repeat")
        return True
    if re.search(r"\bboth\b", left) and len(facts.events) == 2:
        facts.repeat = "both"
        ledger.take(r"\bboth\b", "repeat")
        return True
    return False


# --------------------------------------------------------------------------------------- the races


def _editions_for(
    series: Series,
    years: list[int] | None,
    mode: str | None,
    facts: Facts,
    population: Population | None,
    kind: Kind,
) -> list[EditionInfo] | Outcome:
    ordered = sorted(series.editions.values(), key=lambda e: e.start_date)
    today = facts.today
    if years:
        missing = [y for y in years if y not in series.editions]
        if mode == "range":
            chosen = [series.editions[y] for y in years if y in series.editions]
            if not chosen:
                return _no_edition(series, years)
            return chosen
        if missing:
            return _no_edition(series, missing)
        return [series.editions[y] for y in years]
    all_time = (
        kind == Kind.RECORD
        or (kind == Kind.DISTINCT and facts.distinct == "person")
        or (kind == Kind.REPEAT and facts.repeat in ("at_least", "every"))
    )
    if mode == "every" or (all_time and not years):
        if population == Population.REGISTERED:
            return ordered
        held = [e for e in ordered if e.status == "completed"]
        return held or ordered
    upcoming = [e for e in ordered if e.start_date >= today]
    registrations = population == Population.REGISTERED and kind in (
        Kind.COUNT,
        Kind.LIST,
        Kind.REPORT,
        Kind.DISTINCT,
        Kind.AGGREGATE,
        Kind.EXTREME_AGE,
    )
    said = facts.said
    past_tense = bool(re.search(r"\b(?:were|was|had been|had) (?:registered|signed up|entered)\b", said))
    if registrations or kind == Kind.RACES:
        # entries are counted for the next edition; once it has been run, for the latest one
        held = [e for e in ordered if e.start_date <= today]
        if upcoming and past_tense and held:
            # "who were registered for the Jingle Bell Run": the one just held, or the next one's entries?
            nxt, last = upcoming[0], held[-1]
            return Outcome(
                "clarify",
                f"Registered for which {series.name}: the next one or the last one?",
                (
                    Choice(
                        f"the {nxt.year} {series.name} (on {nxt.start_date:%B %-d, %Y})", {"year": nxt.year}
                    ),
                    Choice(
                        f"the {last.year} {series.name} (held {last.start_date:%B %-d, %Y})",
                        {"year": last.year},
                    ),
                ),
            )
        if upcoming:
            return [upcoming[0]]
        return [held[-1]]
    past = [e for e in ordered if e.start_date <= today and e.status == "completed"]
    if past:
        return [past[-1]]
    return [upcoming[0]] if upcoming else [ordered[-1]]


def _no_edition(series: Series, years: list[int]) -> Outcome:
    have = sorted(series.editions)
    return Outcome(
        "clarify",
        f"{series.name} has no {', '.join(map(str, years))} edition. Its editions: "
        f"{', '.join(map(str, have))}. Which one do you mean?",
        tuple(Choice(f"{series.name} {y}", {"year": y}) for y in have),
    )


def _in_window(ed: EditionInfo, window: Window | None) -> bool:
    if window is None:
        return True
    if window.start is not None and ed.start_date < window.start:
        return False
    if window.end is not None and ed.start_date > window.end:
        return False
    return not (window.status == "completed" and ed.status != "completed")


def resolve_races(
    facts: Facts, catalog: Catalog, kind: Kind, population: Population | None
) -> RaceSet | Outcome | None:
    spec = facts.years
    mode = spec.mode if spec else None
    years = spec.years if spec and spec.years else None
    # a window of dates ("upcoming", "in the last two years") picks editions; EVENTS list them itself
    window = facts.window if kind != Kind.EVENTS else None
    if (
        window is not None
        and window.status is None
        and window.end is not None
        and window.end <= facts.today
        and population == Population.REGISTERED
        and kind in (Kind.COUNT, Kind.LIST, Kind.REPORT, Kind.DISTINCT, Kind.SHARE)
    ):
        # "June 2023 registrations", "registrations in the last month": when they registered
        start = window.start or date(1900, 1, 1)
        end = (window.end or date(2999, 12, 31)) + timedelta(days=1)
        facts.filters.append(
            Filter(Field.REGISTERED_AT, "between", (start, end), f"registered {window.words}")
        )
        facts.window_used = True
        facts.window = None
        window = None
    if window is not None:
        facts.window_used = True
    if facts.events:
        if facts.company is not None:
            foreign = [m.series.name for m in facts.events if m.series.org_id != facts.company[0]]
            if foreign:
                return Outcome("clarify", f"{', '.join(foreign)} is not an event of {facts.company[1]}.")
        pairs: list[tuple[EditionInfo, RaceInfo]] = []
        whole = False
        for mention in facts.events:
            words = _race_words_for(mention, facts)
            eds: list[EditionInfo]
            if window is not None and not years:
                eds = [
                    e
                    for e in sorted(mention.series.editions.values(), key=lambda e: e.start_date)
                    if _in_window(e, window)
                ]
                if window.next_only and eds:
                    eds = eds[:1]
                if not eds:
                    return Outcome("clarify", f"{mention.series.name} has no edition {window.words}.")
            else:
                chosen_eds = _editions_for(mention.series, years, mode, facts, population, kind)
                if isinstance(chosen_eds, Outcome):
                    return chosen_eds
                eds = [e for e in chosen_eds if _in_window(e, window)]
                if not eds:
                    return Outcome(
                        "clarify", f"{mention.series.name} has no edition {window.words if window else ''}."
                    )
            for ed in eds:
                chosen = _races_of(ed, mention, words, facts, kind)
                if isinstance(chosen, Outcome):
                    return chosen
                if len(chosen) > 1 or (len(ed.races) > 1 and len(chosen) == len(ed.races)):
                    whole = whole or len(chosen) == len(ed.races)
                pairs.extend((ed, r) for r in chosen)
        return RaceSet(
            tuple(pairs),
            tuple(m.series for m in facts.events),
            whole,
            spec is None and window is None,
            mode == "every",
        )
    if facts.race_words or facts.company or years or mode == "every" or window is not None:
        eds = [e for e in catalog.editions if facts.company is None or e.org_id == facts.company[0]]
        if years:
            eds = [e for e in eds if e.year in years]
        elif mode == "every" or facts.race_words:
            if population != Population.REGISTERED:
                eds = [e for e in eds if e.status == "completed"]
        elif window is None:
            return None
        eds = [e for e in eds if _in_window(e, window)]
        kinds = {w.kind for w in facts.race_words}
        pairs = [(e, r) for e in eds for r in e.races if not kinds or r.kind in kinds]
        if not pairs:
            return Outcome("clarify", "I found no races matching that among your events.", ())
        return RaceSet(tuple(pairs), (), not kinds, spec is None and window is None, mode == "every")
    return None


def _race_words_for(mention: EventMention, facts: Facts) -> list[str]:
    """Race kinds said outside event names that belong to this mention (the nearest one)."""
    if len(facts.events) == 1:
        return [w.kind for w in facts.race_words]
    kinds = []
    for w in facts.race_words:
        nearest = min(
            facts.events,
            key=lambda m: (
                abs(m.start - w.start) if w.start < m.start else w.start - m.end,
                w.start < m.start,
            ),
        )
        if nearest is mention:
            kinds.append(w.kind)
    return kinds


def _races_of(
    ed: EditionInfo, mention: EventMention, words: list[str], facts: Facts, kind: Kind
) -> list[RaceInfo] | Outcome:
    if words:
        chosen = [r for r in ed.races if r.kind in words]
        if not chosen:
            names = ", ".join(r.name for r in ed.races)
            return Outcome(
                "clarify",
                f"The {ed.year} {ed.series} has no {' or '.join(words)} race; its races: {names}. Which one?",
                tuple(Choice(f"the {ed.year} {ed.series} {r.name}", {"race": r.name}) for r in ed.races),
            )
        return chosen
    if facts.whole_event or mention.umbrella or kind == Kind.RACES:
        return list(ed.races)
    if mention.kinds:
        namesake = [r for r in ed.races if r.kind in mention.kinds]
        if namesake:
            return namesake[:1] if len(mention.kinds) == 1 else namesake
    return list(ed.races)


# ------------------------------------------------------------------------------------- the measure


def _measure(reading: Reading, ledger: Ledger, facts: Facts) -> Reading | Outcome:
    kind = reading.kind
    if (
        facts.sexes_both
        and "sex" not in facts.group_by
        and kind in (Kind.COUNT, Kind.AGGREGATE, Kind.DISTINCT, Kind.HISTOGRAM)
    ):
        facts.group_by.append("sex")
    if kind == Kind.COUNT:
        difference = None
        if facts.compare and facts.group_by == ["sex"]:
            female = re.search(r"\b(?:women|woman|female|females|ladies|girls|f)\b", facts.said)
            male = re.search(r"\b(?:men|man|male|males|guys|boys|m)\b", facts.said)
            if female and male:
                difference = ("F", "M") if female.start() < male.start() else ("M", "F")
        return reading.with_(
            difference=difference,
            group_by=tuple(facts.group_by),
            top_groups=facts.top_groups,
            group_order=facts.group_order,
            combined=facts.combined,
        )
    if kind == Kind.DISTINCT:
        together = facts.combined or (facts.distinct == "person" and not facts.series)
        return reading.with_(attribute=facts.distinct, group_by=tuple(facts.group_by), combined=together)
    if kind == Kind.RANK:
        n = facts.n
        if facts.winner and not n and not facts.place:
            n = 1
        if n is None and facts.place is None:
            n = 10
        return reading.with_(
            n=n,
            place=facts.place,
            order=facts.order,
            winner=facts.winner and not facts.n,
            combined=facts.combined,
            overall=facts.overall,
        )
    if kind == Kind.AGGREGATE:
        return reading.with_(
            stat=facts.stat, quantity=facts.quantity, group_by=tuple(facts.group_by), combined=facts.combined
        )
    if kind == Kind.HISTOGRAM:
        quantity = "pace" if facts.quantity == "pace" else "time"
        return reading.with_(
            quantity=quantity,
            band_ms=facts.band_ms or band_width(reading.races, quantity, facts.pace_unit or "mile"),
            group_by=tuple(g for g in facts.group_by if g not in ("year", "race")),
        )
    if kind == Kind.EXTREME_AGE:
        return reading.with_(order="desc" if facts.extreme_age == "oldest" else "asc", quantity="age")
    if kind == Kind.RECORD:
        return reading.with_(n=facts.n or 1, combined=True)
    if kind == Kind.SHARE:
        return _share(reading, ledger, facts)
    if kind == Kind.SPLIT:
        return reading.with_(split=facts.split, place=facts.place or (1 if facts.winner else None))
    if kind == Kind.REPEAT:
        return _repeat(reading, facts)
    if kind == Kind.AWARDS:
        spec = facts.awards or AwardSpec(None)
        age = next((f for f in facts.filters if f.field == Field.AGE and f.op == "between"), None)
        if age is not None:
            spec = AwardSpec("age_group", f"{age.value[0]}-{age.value[1]}", spec.winners_only)
            facts.filters = [f for f in facts.filters if f is not age]
        elif any(f.field == Field.AGE and f.value == "masters" for f in facts.filters):
            spec = AwardSpec("masters")
            facts.filters = [f for f in facts.filters if not (f.field == Field.AGE and f.value == "masters")]
        return reading.with_(awards=spec, attribute="count" if facts.count else None)
    if kind == Kind.LIST:
        columns = tuple(facts.columns)
        if facts.quantity and facts.quantity not in columns:
            columns = (*columns, facts.quantity)
        if facts.did_finish and "status" not in columns:
            columns = (*columns, "status")
        if facts.history:
            columns = (*columns, "history")
        return reading.with_(columns=columns)
    if kind == Kind.REPORT:
        report = "awards" if facts.awards is not None else None
        if report is None and "age_group" in facts.group_by:
            report = "age_groups"
        if report is None:
            report = (
                {
                    Population.REGISTERED: "registrations",
                    Population.FINISHERS: "finishers",
                    Population.DNS: "dns",
                    Population.DNF: "dnf",
                    Population.DQ: "dq",
                    Population.STARTERS: "starters",
                    Population.NON_FINISHERS: "non_finishers",
                }.get(facts.populations[0])
                if facts.populations
                else None
            )
        if report is None:
            report = (
                "results"
                if re.search(r"\bresults?\b", " ".join(ledger.tokens))
                else ("age_groups" if "age_group" in facts.group_by else "registrations")
            )
        awards = facts.awards
        if report == "awards" and awards is not None:
            age = next((f for f in facts.filters if f.field == Field.AGE and f.op == "between"), None)
            if age is not None and awards.category in (None, "age_group"):
                awards = AwardSpec("age_group", f"{age.value[0]}-{age.value[1]}")
                facts.filters = [f for f in facts.filters if f is not age]
        return reading.with_(
            report=report, addresses=facts.addresses, awards=awards, columns=tuple(facts.columns)
        )
    if kind == Kind.EVENTS:
        window = facts.window
        if facts.years and facts.years.years and not facts.events:
            ys = facts.years.years
            start, end = date(min(ys), 1, 1), date(max(ys), 12, 31)
            said = f"in {min(ys)}" if len(ys) == 1 else f"in {min(ys)}-{max(ys)}"
            if window is not None:
                start = max(start, window.start) if window.start else start
                end = min(end, window.end) if window.end else end
                said = f"{window.words}, {said}"
            window = Window(start, end, said, window.status if window else None)
        return reading.with_(window=window, columns=(facts.catalogue or "events",))
    if kind == Kind.RACES:
        return reading.with_(columns=(facts.catalogue or "races",))
    return reading


def _share(reading: Reading, ledger: Ledger, facts: Facts) -> Reading | Outcome:
    rates = {
        "finish": (Population.STARTERS, Population.FINISHERS),
        "dnf": (Population.STARTERS, Population.DNF),
        "dq": (Population.STARTERS, Population.DQ),
        "dns": (Population.REGISTERED, Population.DNS),
        "show": (Population.REGISTERED, Population.STARTERS),
    }
    if facts.rate:
        whole, rate_part = rates[facts.rate]
        return reading.with_(population=whole, share_population=rate_part, group_by=tuple(facts.group_by))
    pops = facts.populations
    if len(pops) >= 2:
        whole = facts.population_of or pops[0]
        part: Population | None = next((p for p in pops if p != whole), None)
        if part is None:
            return Outcome(
                "clarify", "A share of what, out of what? Say which runners are counted and out of whom."
            )
        if whole == Population.REGISTERED and part == Population.FINISHERS and facts.population_of is None:
            pass
        return reading.with_(population=whole, share_population=part, group_by=tuple(facts.group_by))
    split_filters: list[Filter] = []
    whole_pop = pops[0] if pops else None
    if whole_pop is not None and facts.population_of is None:
        # "what percentage of women finished": the verb is the part, the whole is who could have done it
        verb = {
            Population.FINISHERS: Population.STARTERS,
            Population.DNF: Population.STARTERS,
            Population.DQ: Population.STARTERS,
            Population.DNS: Population.REGISTERED,
            Population.STARTERS: Population.REGISTERED,
        }
        said = " ".join(ledger.tokens)
        if (
            re.search(
                r"\b(finished|completed|started|dropped out|did not finish|did not start|dnfd|dqd|"
                r"disqualified)\b",
                said,
            )
            and whole_pop in verb
            and not facts.sexes_both
        ):
            return reading.with_(
                population=verb[whole_pop], share_population=whole_pop, group_by=tuple(facts.group_by)
            )
    if whole_pop is None:
        whole_pop = Population.FINISHERS
        facts.notes.append("out of finishers")
    # the part: conditions said after the whole ("of the finishers ... were women")
    share_word = next((c.start for c in ledger.claims if c.by == "share"), 0)
    pop_pos = next(
        (c.start for c in ledger.claims if c.by == "population" and c.start > share_word), share_word
    )
    positions = _filter_positions(ledger, facts)
    for f, pos in positions:
        if pos > pop_pos:
            split_filters.append(f)
    said = " ".join(ledger.tokens)
    if not split_filters and re.search(
        r"\b(?:among|amongst|out of|of all)(?: the)? (?:\S+ )?(?:finishers|starters|"
        r"registrants|entrants|runners)\b",
        said,
    ):
        # "percentage of men among finishers": the conditions are the part, the population the whole
        split_filters = [f for f, _ in positions if f.field not in (Field.PERSON,)]
    if facts.sexes_both and not split_filters:
        return reading.with_(population=whole_pop, group_by=("sex",))
    if not split_filters and facts.group_by:
        return reading.with_(population=whole_pop, group_by=tuple(facts.group_by))
    if not split_filters:
        return Outcome(
            "clarify",
            "A percentage of which runners? Say who is counted (women, finishers, a state...) "
            "and out of whom.",
        )
    facts.filters = [f for f in facts.filters if f not in split_filters]
    return reading.with_(population=whole_pop, share_of=tuple(split_filters), group_by=tuple(facts.group_by))


def _filter_positions(ledger: Ledger, facts: Facts) -> list[tuple[Filter, int]]:
    """Where in the question each filter was said (the first word its recogniser claimed)."""
    by_field = {
        Field.SEX: "sex",
        Field.AGE: "age",
        Field.STATE: "place",
        Field.CITY: "place",
        Field.COUNTRY: "place",
        Field.CLUB: "club",
        Field.BIB: "bib",
        Field.TIME: "time",
        Field.SOURCE: "source",
        Field.REGISTERED_AT: "registered_at",
    }
    out = []
    used: dict[str, int] = {}
    for f in facts.filters:
        tag = by_field.get(f.field, "")
        starts = [c.start for c in ledger.claims if c.by == tag]
        k = used.get(tag, 0)
        out.append((f, starts[k] if k < len(starts) else 0))
        used[tag] = k + 1
    return out


def _repeat(reading: Reading, facts: Facts) -> Reading | Outcome:
    races = reading.races
    pops = facts.populations
    population = pops[0] if pops else Population.FINISHERS
    listing = facts.listing and not facts.count
    if facts.repeat == "then_now":
        assert facts.years is not None
        if races is None:
            return Outcome("clarify", "Which event do you mean?")
        # each population goes with the year said nearest before or after it, in the order said
        said = [y for y, _ in facts.years.said_at] or facts.years.years
        first_pop = pops[0] if pops else Population.REGISTERED
        second_pop = pops[1] if len(pops) > 1 else Population.FINISHERS
        pairs = list(zip(said[:2], (first_pop, second_pop), strict=False))
        (now_year, now_pop), (then_year, then_pop) = sorted(pairs, key=lambda p: -p[0])
        now = RaceSet(tuple((e, r) for e, r in races.pairs if e.year == now_year), races.series)
        then = RaceSet(tuple((e, r) for e, r in races.pairs if e.year == then_year), races.series)
        return reading.with_(
            population=now_pop, races=now, repeat=RepeatSpec("then_now", 2, then, then_pop, listing)
        )
    if facts.repeat == "returning":
        # returning runners of an edition: in it, and in an earlier edition of the same race
        if races is None or not races.series:
            return Outcome("clarify", "Returning runners of which event (and year)?")
        latest = max(ed.start_date for ed, _ in races.pairs)
        kinds = {r.kind for _, r in races.pairs}
        earlier = RaceSet(
            tuple(
                (ed, r)
                for s in races.series
                for ed in s.editions.values()
                if ed.start_date < latest
                for r in ed.races
                if r.kind in kinds
            ),
            races.series,
        )
        if not earlier.pairs:
            return Outcome("clarify", "That is the event's first edition: nobody can be returning to it.")
        now_pop = (
            pops[0]
            if pops
            else (
                Population.REGISTERED
                if any(ed.status != "completed" for ed, _ in races.pairs)
                else Population.FINISHERS
            )
        )
        return reading.with_(
            population=now_pop, repeat=RepeatSpec("then_now", 2, earlier, Population.FINISHERS, listing)
        )
    if facts.repeat == "at_least":
        return reading.with_(
            population=population,
            repeat=RepeatSpec("at_least", facts.repeat_n or 2, None, population, listing),
        )
    if facts.repeat == "both":
        return reading.with_(
            population=population, repeat=RepeatSpec("both_events", 2, None, population, listing)
        )
    if races is None:
        return Outcome("clarify", "Which event do you mean?")
    editions = len(races.editions)
    if editions < 2:
        return Outcome(
            "clarify", 'Every edition of which years? Say the years (e.g. "from 2023 through 2026").'
        )
    return reading.with_(
        population=population, repeat=RepeatSpec("every", editions, None, population, listing)
    )


# ---------------------------------------------------------------------------------------- validity


def _validate(reading: Reading, facts: Facts, catalog: Catalog) -> Reading | Outcome:
    kind = reading.kind
    races = reading.races
    needs_event = kind in PER_RACE or kind in (
        Kind.RACES,
        Kind.AWARDS,
        Kind.REPORT,
        Kind.SHARE,
        Kind.LIST,
        Kind.REPEAT,
    )
    if kind == Kind.LIST and reading.person is not None:
        needs_event = False
    if (
        kind in (Kind.COUNT, Kind.DISTINCT)
        and reading.person is None
        and not (facts.years or facts.window or facts.company or facts.race_words)
    ):
        needs_event = True  # "how many finishers were there?": of which event?
    if kind == Kind.REPEAT and reading.repeat and reading.repeat.mode in ("at_least", "both_events"):
        needs_event = races is None
    if needs_event and races is None and reading.person is None:
        series = sorted({s.name for s in catalog.series})[:20]
        return Outcome(
            "clarify",
            "Which event do you mean? Name it (and the year if it matters).",
            tuple(Choice(name, {"event": name}) for name in series),
            understood="event",
        )
    if races is not None and kind in PER_RACE and reading.person is None:
        kinds = {r.kind for _, r in races.pairs}
        # ranking each race when "both races" is said is meaningful; a time averaged over distances is not
        per_race_ok = (
            facts.whole_event and kind in (Kind.RANK, Kind.EXTREME_AGE)
        ) or reading.quantity == "age"
        if len(kinds) > 1 and not per_race_ok and len(facts.events) <= 1:
            names = sorted({r.name for _, r in races.pairs})
            ed = races.pairs[0][0]
            return Outcome(
                "clarify",
                f"The {ed.series} has {len(names)} races ({', '.join(names)}): which one do you mean?",
                tuple(
                    Choice(
                        f"the {' '.join(str(y) for y in races.years)} {ed.series} {n}".replace("  ", " "),
                        {"race": n},
                    )
                    for n in names
                ),
                understood="race",
            )
    if kind == Kind.SPLIT and reading.person is None and not (facts.winner or facts.place):
        return Outcome("clarify", 'Whose split times? Name the runner, or say e.g. "the women\'s winner".')
    return reading


def band_width(races: RaceSet | None, quantity: str, pace_unit: str) -> int:
    """The width of a histogram band, in ms: a handful of minutes for a 5K, half an hour for a marathon;
    30 seconds of pace per km, a minute per mile."""
    if quantity == "pace":
        return 30_000 if pace_unit == "km" else 60_000
    longest = max((r.distance_m or 0 for _, r in races.pairs), default=0) if races else 0
    minutes = 5 if longest <= 10_100 else 10 if longest <= 16_200 else 15 if longest <= 21_200 else 30
    if longest > 42_300:
        minutes = 60
    return minutes * 60_000


def first_year(today: date) -> int:
    return today.year
