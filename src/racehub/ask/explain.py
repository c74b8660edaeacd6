"""How a Reading is said back: the interpretation line a person checks at a glance, and the phrases the
answers share (who was counted, over which races)."""

from __future__ import annotations

from racehub.ask.reading import Field, Filter, Kind, Population, RaceSet, Reading

POPULATION_WORDS = {
    Population.REGISTERED: "registrations",
    Population.STARTERS: "starters",
    Population.FINISHERS: "finishers",
    Population.DNS: "non-starters (DNS)",
    Population.DNF: "non-finishers (DNF)",
    Population.DQ: "disqualified runners (DQ)",
    Population.NON_FINISHERS: "runners without a finish (DNS, DNF, DQ)",
    Population.AWARDS: "award winners",
}
BASIS_WORDS = {"gun": "gun time", "chip": "chip time", "both": "gun and chip time"}


def races_phrase(races: RaceSet | None, *, company: tuple[int, str] | None = None) -> str:
    """'the 2025 Shamrock Marathon Weekend Marathon', 'the 2023-2025 Boston Marathon', 'all your events'."""
    if races is None or not races.pairs:
        who = f"{company[1]}'s events" if company else "all your events"
        return who
    years = races.years
    if len(years) == 1:
        year_text = str(years[0])
    elif years == list(range(years[0], years[-1] + 1)):
        year_text = f"{years[0]}-{years[-1]}"
    else:
        year_text = ", ".join(map(str, years[:-1])) + f" and {years[-1]}"
    if not races.series:
        kinds = sorted({r.name for _, r in races.pairs})
        base = f"{' / '.join(kinds)} races of {company[1] if company else 'your'} events"
        if races.whole_event:
            base = f"{company[1] + chr(39) + 's' if company else 'your'} events"
        return f"{base} in {year_text}"
    parts = []
    for series in races.series:
        own = [(ed, r) for ed, r in races.pairs if ed.series == series.name]
        names = sorted({r.name for _, r in own}, key=lambda n: [r.name for _, r in own].index(n))
        every = {r.name for ed in {ed.edition_id: ed for ed, _ in own}.values() for r in ed.races}
        if len(names) == 1 and len(every) == 1:
            race = ""
        elif set(names) == every:
            race = " (all races)" if len(names) > 1 else ""
        else:
            race = " " + " and ".join(names)
        label = series.name
        if race and race.strip() and label.lower().endswith(race.strip().lower()):
            race = f" ({race.strip()})"
        parts.append(f"{label}{race}")
    lead = f"the {year_text} " if year_text else "the "
    text = lead + " and ".join(parts)
    if races.year_defaulted and len(years) == 1:
        text += " (the latest edition)" if races.pairs[0][0].status == "completed" else " (the next edition)"
    return text


def who_phrase(reading: Reading, population: Population | None = None) -> str:
    """'finishers', 'women finishers aged 40-44 from Virginia', 'registrations of Capital Area Runners'."""
    pop = population or reading.population
    noun = POPULATION_WORDS[pop]
    sex = reading.filter_of(Field.SEX)
    rest = [_filter_words(f, reading) for f in reading.filters if f.field not in (Field.SEX, Field.PERSON)]
    head = noun
    if sex is not None:
        adjective = {"F": "women", "M": "men", "X": "non-binary"}[sex.value]
        head = f"{adjective} {noun}" if pop != Population.REGISTERED else f"{noun} of {sex.words}"
    if reading.person is not None:
        head = f"{reading.person.label}'s {noun}"
    return " ".join([head, *rest])


def _filter_words(f: Filter, reading: Reading) -> str:
    if f.field == Field.AGE and f.value == "masters":
        ages = sorted({r.masters_min_age for _, r in reading.races.pairs}) if reading.races else [40]
        return f"aged {ages[0]} and over (masters)" if len(ages) == 1 else "masters (each race's masters age)"
    return f.words


REPORT_TITLES = {
    "awards": "award winners",
    "registrations": "registrations",
    "finishers": "finishers",
    "dns": "non-starters (DNS)",
    "dnf": "non-finishers (DNF)",
    "dq": "disqualified runners (DQ)",
    "starters": "starters",
    "non_finishers": "runners without a finish",
    "results": "results (every status)",
    "age_groups": "finishers by age group",
}


def band_words(reading: Reading) -> str:
    """ "30-minute bands", "30-second bands": a histogram's band width."""
    band = reading.band_ms or 0
    return f"{band // 60_000}-minute bands" if band % 60_000 == 0 else f"{band // 1000}-second bands"


def interpretation(reading: Reading) -> str:
    """One line that says what was computed, over whom and where."""
    where = races_phrase(reading.races, company=reading.company)
    who = who_phrase(reading)
    basis = ""
    if reading.kind in (Kind.RANK, Kind.AGGREGATE, Kind.RECORD, Kind.HISTOGRAM) and reading.quantity != "age":
        basis = (
            f", by {BASIS_WORDS.get(reading.basis, 'each race' + chr(39) + 's placement time (gun or chip)')}"
        )
        if reading.basis == "placement" and reading.races:
            bases = {r.basis for _, r in reading.races.pairs}
            if len(bases) == 1:
                basis = f", by {next(iter(bases))} time (the race's placement basis)"
    kind = reading.kind
    what: str
    if kind == Kind.COUNT and reading.population_open:
        what = f"Number of {who.replace('finishers', 'runners', 1)} registered, started and finished"
    elif kind == Kind.COUNT and reading.difference is not None:
        first, second = ({"F": "women", "M": "men"}[s] for s in reading.difference)
        what = f"Difference between the numbers of {first} and {second} among {who}"
    elif kind == Kind.COUNT:
        what = f"Number of {who}"
        if reading.group_by:
            what += " by " + ", ".join(g.replace("_", " ").replace("team", "club") for g in reading.group_by)
    elif kind == Kind.DISTINCT:
        attr = {
            "team": "clubs",
            "state": "states",
            "city": "cities",
            "country": "countries",
            "person": "people",
            "age_group": "age groups",
        }.get(reading.attribute or "", reading.attribute or "")
        what = f"Number of different {attr} among {who}"
    elif kind == Kind.RANK:
        if reading.winner:
            what = f"Winner{'s' if reading.filter_of(Field.SEX) is None else ''} among {who}"
        elif reading.place:
            what = f"Place {reading.place} among {who}"
        else:
            what = f"{'Slowest' if reading.order == 'desc' else 'Top'} {reading.n} {who}"
    elif kind == Kind.AGGREGATE:
        stat = {
            "avg": "Average",
            "median": "Median",
            "min": "Fastest" if reading.quantity != "age" else "Youngest",
            "max": "Slowest" if reading.quantity != "age" else "Oldest",
        }[reading.stat or "avg"]
        quantity = {"time": "finish time", "pace": f"pace per {reading.pace_unit}", "age": "age"}[
            reading.quantity or "time"
        ]
        if reading.basis in ("chip", "gun") and reading.quantity == "time":
            quantity = f"{reading.basis} time"
        what = f"{stat} {quantity} of {who}"
        if reading.group_by:
            what += " by " + ", ".join(g.replace("_", " ").replace("team", "club") for g in reading.group_by)
    elif kind == Kind.HISTOGRAM:
        measured = f"Paces per {reading.pace_unit}" if reading.quantity == "pace" else "Finish times"
        what = f"{measured} of {who} in {band_words(reading)}"
        if reading.group_by:
            what += " by " + ", ".join(g.replace("_", " ").replace("team", "club") for g in reading.group_by)
    elif kind == Kind.EXTREME_AGE:
        what = f"{'Oldest' if reading.order == 'desc' else 'Youngest'} of {who}"
    elif kind == Kind.SHARE:
        if reading.share_population is not None:
            part = POPULATION_WORDS[reading.share_population]
            what = f"Share of {who} who are {part}"
        elif reading.share_of:
            what = f"Share of {who} who are " + " ".join(f.words for f in reading.share_of)
        else:
            what = f"Share of {who} by " + ", ".join(reading.group_by)
    elif kind == Kind.RECORD:
        what = f"Fastest time ever among {who}"
    elif kind == Kind.SPLIT:
        runner = (
            reading.person.label
            if reading.person
            else (f"the {'winner' if (reading.place or 1) == 1 else f'place {reading.place} finisher'}")
        )
        what = f"Split times{' at ' + reading.split if reading.split else ''} of {runner}"
    elif kind == Kind.REPEAT:
        spec = reading.repeat
        assert spec is not None
        if spec.mode == "every":
            what = f"People among {who} in every one of {spec.editions} editions"
        elif spec.mode == "at_least":
            what = f"People among {who} in {spec.editions} or more races"
        elif spec.mode == "both_events":
            what = f"People among {who} in each of the events"
        else:
            assert spec.earlier is not None
            what = (
                f"{who.capitalize()} who were also {POPULATION_WORDS[spec.earlier_population]} of "
                f"{races_phrase(spec.earlier)}"
            )
    elif kind == Kind.AWARDS:
        award = reading.awards
        cat = {
            "overall": "Overall awards",
            "masters": "Masters awards",
            "age_group": "Age-group awards",
            None: "Awards",
        }[award.category if award else None]
        if award and award.age_group:
            cat += f" ({award.age_group})"
        sex = reading.filter_of(Field.SEX)
        what = f"{cat}{' for ' + sex.words if sex else ''}"
    elif kind == Kind.LIST:
        if reading.person is not None:
            what = f"{reading.person.label}'s entries"
        else:
            what = f"List of {who}"
    elif kind == Kind.EVENTS:
        asked = reading.columns[0] if reading.columns else "events"
        if asked == "place" and reading.races is not None:
            return f"Where {where} {'is' if reading.races.pairs[0][0].status == 'upcoming' else 'was'} held"
        window = reading.window.words if reading.window else ""
        what = "Events" + (f" {window}" if window else "")
        if asked == "company_events":
            what = "Events (each once, with their editions)"
        if reading.company:
            what += f" of {reading.company[1]}"
        return what + "".join(f"; {n}" for n in reading.notes)
    elif kind == Kind.RACES:
        asked = reading.columns[0] if reading.columns else "races"
        what = {"start_time": "Start times", "distance": "Distances", "date": "Date and start times"}.get(
            asked, "Races, distances and start times"
        )
    elif kind == Kind.REPORT:
        title = REPORT_TITLES.get(reading.report or "", who)
        if reading.report == "awards" and reading.awards and reading.awards.category:
            title = f"{reading.awards.category.replace('_', '-')} award winners"
        filters = " ".join(_filter_words(f, reading) for f in reading.filters if f.field != Field.PERSON)
        what = f"CSV file of {title}{' ' + filters if filters else ''}" + (
            " with mailing addresses" if reading.addresses else ""
        )
    else:
        what = kind.value
    text = f"{what} — {where}{basis}"
    for note in reading.notes:
        text += f"; {note}"
    return text
