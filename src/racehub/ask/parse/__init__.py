"""Reading a question: the recognisers in order, the ledger of words they used, and the assembly.

Order matters where two recognisers could want the same words: names (events, people, clubs, places)
before the words that describe them, splits and awards before race distances ("half marathon split"),
and the measure words last.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
from dataclasses import dataclass
from datetime import date

from racehub.ask.catalog import Catalog
from racehub.ask.directory import Directory
from racehub.ask.parse import assemble as assemble_module
from racehub.ask.parse import filters, measure, people, scope
from racehub.ask.parse import safety as safety_module
from racehub.ask.parse.assemble import assemble
from racehub.ask.parse.facts import Facts
from racehub.ask.parse.ledger import Ledger, words_of
from racehub.ask.parse.lexicon import DOMAIN_WORDS, FILLER, OUT_OF_DOMAIN, repair
from racehub.ask.parse.safety import refusal
from racehub.ask.reading import Choice, Outcome, Reading
from racehub.db import Scope


@dataclass
class Parsed:
    """A question read: its Reading (or why there is none), and the words left over."""

    result: Reading | Outcome | None
    facts: Facts
    ledger: Ledger
    unknown: list[str]  # content words no recogniser used
    out_of_domain: list[str]


def read(
    question: str,
    today: date,
    catalog: Catalog,
    directory: Directory,
    tenant: Scope,
    binding: dict[str, object] | None = None,
    previous: str | None = None,
) -> Parsed:
    """Recognise and assemble; `binding` is a clarify choice applied to the question, `previous` the
    question this one follows up (its parts stand where this one says nothing)."""
    parsed = recognize(question, today, catalog, directory, tenant)
    if parsed.result is not None:
        return parsed
    extra: list[str] = []
    if previous is not None:
        before = recognize(previous, today, catalog, directory, tenant)
        if before.result is None:
            extra = parsed.unknown
            parsed = Parsed(
                None, merge(before.facts, parsed.facts), before.ledger, before.unknown + parsed.unknown, []
            )
    if binding:
        apply_binding(parsed.facts, binding, catalog)
    said = " ".join(parsed.ledger.tokens)
    if re.search(
        r"\b(?:left ?over|in stock|inventory|on hand|still have|do we have left|remaining (?:medals|shirts|"
        r"bibs))\b",
        said,
    ):
        parsed.out_of_domain.append("inventory")
    if parsed.out_of_domain:
        parsed.result = Outcome(
            "unanswerable",
            f"RaceHub doesn't keep {', '.join(sorted(set(parsed.out_of_domain)))} data: it has "
            "events, races, "
            "registrations, results, splits and awards.",
        )
        return parsed
    parsed.result = assemble(parsed.ledger, parsed.facts, catalog)
    # assembly claims words too ("both", "also", "every"): what is left is counted after it
    parsed.unknown = _leftovers(parsed.ledger)[0] + extra
    return parsed


def recognize(question: str, today: date, catalog: Catalog, directory: Directory, tenant: Scope) -> Parsed:
    """Every recogniser over the question; `result` is set only when the question stops here (refused,
    an ambiguous event)."""
    ledger = Ledger.of(question)
    facts = Facts(today)
    facts.upper_codes = set(re.findall(r"\b([A-Z]{2})\b", question))
    facts.said = " ".join(ledger.tokens)
    stop = refusal(question, ledger)
    if stop is not None:
        return Parsed(stop, facts, ledger, [], [])
    org_ids = sorted({e.org_id for e in catalog.editions})
    places = directory.places(tenant)
    scope.companies(ledger, facts, catalog)
    event_cities = {" ".join(words_of(e.city)) for e in catalog.editions if e.city}
    filters.clubs(ledger, facts, places)
    filters.club_membership(ledger, facts)
    # names said exactly first; misspelt event names only after runners' names ("Cheryl" is not "Cherry")
    ambiguous = scope.events(ledger, facts, catalog, set(places.cities), fuzzy=False)
    if not ambiguous:
        people.people(ledger, facts, directory, tenant, org_ids)
        ambiguous = scope.events(ledger, facts, catalog, set(places.cities))
    if ambiguous:
        return Parsed(
            Outcome(
                "clarify",
                "Which event do you mean: " + "; ".join(ambiguous) + "?",
                tuple(Choice(name, {"event": name}) for name in ambiguous),
            ),
            facts,
            ledger,
            [],
            [],
        )
    _repair_typos(ledger, catalog, places)
    measure.askers_work(ledger, facts)
    measure.units(ledger, facts)
    filters.places(ledger, facts, places, event_cities)
    measure.reports(ledger, facts)
    measure.splits(ledger, facts)
    measure.awards(ledger, facts)
    scope.race_words(ledger, facts)
    scope.years(ledger, facts)
    filters.registration_dates(ledger, facts)
    scope.windows(ledger, facts)
    measure.repeats(ledger, facts)
    filters.sex(ledger, facts)
    filters.ages(ledger, facts)
    filters.bibs(ledger, facts)
    filters.names(ledger, facts)
    filters.top_places(ledger, facts)
    long_race = any(
        (r.distance_m or 0) >= 21000
        for m in facts.events
        for ed in m.series.editions.values()
        for r in ed.races
    ) or any(w.kind in ("marathon", "half", "25k", "50k") for w in facts.race_words)
    filters.time_limits(ledger, facts, long_race)
    filters.sources(ledger, facts)
    measure.rates(ledger, facts)
    measure.distinct(ledger, facts)
    measure.populations(ledger, facts)
    measure.measures(ledger, facts)
    unknown, outside = _leftovers(ledger)
    if unknown and not facts.persons:
        people.misspelt_people(ledger, facts, directory, tenant, org_ids)
        unknown, outside = _leftovers(ledger)
    return Parsed(None, facts, ledger, unknown, outside)


def merge(before: Facts, after: Facts) -> Facts:
    """The previous question's facts with what the follow-up says put in their place."""
    merged = Facts(after.today)
    merged.__dict__.update(before.__dict__)
    if after.events:
        merged.events = after.events
        merged.race_words = after.race_words
    elif after.race_words:
        merged.race_words = after.race_words
    if after.whole_event:
        merged.whole_event = True
    if after.years is not None:
        merged.years = after.years
    if after.window is not None:
        merged.window = after.window
    if after.company is not None:
        merged.company = after.company
    if after.persons:
        merged.persons = after.persons
    if after.filters:
        fields = {f.field for f in after.filters}
        merged.filters = [f for f in before.filters if f.field not in fields] + after.filters
    if after.sexes_both:
        merged.sexes_both = True
        merged.filters = [f for f in merged.filters if f.field.value != "sex"]
    if after.populations:
        merged.populations = after.populations
    for name in ("stat", "quantity", "basis", "pace_unit", "n", "place", "split", "extreme_age"):
        value = getattr(after, name)
        if value is not None:
            setattr(merged, name, value)
    for name in ("winner", "count", "share", "record", "combined", "overall"):
        if getattr(after, name):
            setattr(merged, name, True)
    if after.group_by:
        merged.group_by = after.group_by
        merged.top_groups = after.top_groups
    merged.notes = before.notes + after.notes
    return merged


def apply_binding(facts: Facts, binding: dict[str, object], catalog: Catalog) -> None:
    """A clarify choice applied to the question it answers."""
    from racehub.ask.catalog import race_kind_of
    from racehub.ask.parse.facts import EventMention, RaceWord, YearSpec

    if "event" in binding:
        wanted = [s for s in catalog.series if s.name == binding["event"]]
        if wanted:
            at = facts.events[0].start if facts.events else 0
            facts.events = [EventMention(wanted[0], at, at, True, [], False, True)]
    if "race" in binding:
        kind = race_kind_of(str(binding["race"]))
        if kind:
            facts.race_words = [
                RaceWord(kind, facts.events[0].end if facts.events else 0, str(binding["race"]))
            ]
            facts.whole_event = False
    if "population" in binding:
        from racehub.ask.reading import Population

        facts.populations = [Population(str(binding["population"]))]
    if "year" in binding:
        year = int(str(binding["year"]))
        facts.years = YearSpec([year], "single", str(year))


@functools.cache
def known_words() -> frozenset[str]:
    """Every word the recognisers know (read from their own patterns), which is never 'repaired'."""
    from racehub.ask.text import MONTHS, NUMBER_WORDS, ORDINALS, STATES

    words: set[str] = set(FILLER | DOMAIN_WORDS | OUT_OF_DOMAIN)
    for module in (filters, measure, scope, people, safety_module, assemble_module):
        # the words of the recognisers' patterns (string constants only: a comment may quote a typo)
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words.update(re.findall(r"[a-z]{3,}", node.value))
    words.update(ORDINALS, NUMBER_WORDS, MONTHS)
    for name in STATES:
        words.update(name.split())
    return frozenset(words)


def _repair_typos(ledger: Ledger, catalog: Catalog, places: object) -> None:
    """Misspelt domain words ("finsihed", "registerd") become the word meant, in free tokens only."""
    known = known_words()
    for i, token in enumerate(ledger.tokens):
        if not ledger.free(i) or token in known:
            continue
        fixed = repair(token)
        if fixed is not None:
            ledger.tokens[i] = fixed


def _leftovers(ledger: Ledger) -> tuple[list[str], list[str]]:
    unknown, outside = [], []
    tokens = ledger.tokens
    for i, token in ledger.left():
        if (i and tokens[i - 1] == token) or (i + 1 < len(tokens) and tokens[i + 1] == token):
            continue  # "different different": a word typed twice, used once
        if token in OUT_OF_DOMAIN:
            outside.append(token)
        elif token not in FILLER and token not in ("?", "!", ".", ","):
            unknown.append(token)
    return unknown, outside
