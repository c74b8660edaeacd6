"""Understanding a question: slots (event, race, years, sex, ages, place, ...) and what is asked."""

from __future__ import annotations

import itertools
import re
from datetime import date

from racehub.ask.catalog import Catalog, EditionInfo, SeriesMatch, race_kinds
from racehub.ask.intent import Intent, Outcome, Scope
from racehub.ask.parse.decide import _decide
from racehub.ask.parse.refusal import _refusal
from racehub.ask.parse.slots import UPPER_CODE, _base_intent, _years
from racehub.ask.text import MONTHS, STATES, has_any, normalize

STOP = {
    "what",
    "was",
    "were",
    "is",
    "are",
    "the",
    "a",
    "an",
    "at",
    "in",
    "of",
    "for",
    "to",
    "and",
    "or",
    "who",
    "how",
    "many",
    "much",
    "did",
    "does",
    "do",
    "show",
    "me",
    "list",
    "give",
    "tell",
    "find",
    "get",
    "my",
    "our",
    "their",
    "his",
    "her",
    "time",
    "times",
    "finish",
    "finished",
    "finishing",
    "result",
    "results",
    "place",
    "placed",
    "race",
    "run",
    "ran",
    "runner",
    "runners",
    "event",
    "events",
    "year",
    "last",
    "this",
    "with",
    "from",
    "by",
    "on",
    "about",
    "which",
    "whats",
    "split",
    "splits",
    "pace",
    "age",
    "group",
    "overall",
    "winner",
    "won",
    "fastest",
    "slowest",
    "best",
    "top",
    "first",
    "second",
    "third",
    "marathon",
    "half",
    "mile",
    "miler",
    "k",
    "5k",
    "10k",
    "8k",
    "25k",
    "50k",
    "chip",
    "gun",
    "net",
    "clock",
    "official",
    "bib",
    "number",
    "please",
    "can",
    "you",
    "could",
    "would",
    "i",
    "we",
    "when",
    "where",
    "participant",
    "participants",
    "entry",
    "entries",
    "registered",
    "registration",
    "women",
    "men",
    "woman",
    "man",
    "female",
    "male",
    "position",
    "rank",
    "ranking",
    "team",
    "club",
    "running",
    "record",
    "course",
    "average",
    "median",
    "mean",
    "registrations",
    "finishers",
    "dnf",
    "dns",
    "status",
    "that",
    "there",
    "it",
    "be",
    "been",
    "s",
    "all",
    "any",
    "csv",
    "report",
    "award",
    "awards",
    "export",
    "download",
    "generate",
    "make",
    "create",
    "file",
    "winners",
    "mailing",
    "addresses",
    "address",
}


def parse(question: str, today: date, catalog: Catalog) -> Intent | Outcome:
    """Slots of a question; an Outcome when it must not or cannot be answered by a query."""
    refusal = _refusal(question)
    if refusal:
        return refusal
    text = normalize(question)
    words = text.split()
    years, year_mode = _years(text, today)
    matches = catalog.match_series(words)
    intent = _base_intent(text, today)
    intent = intent.with_(years=tuple(years), year_mode=year_mode)
    code = UPPER_CODE.search(question)
    if intent.state is None and code and code.group(1) in STATES.values():
        # Written in capitals, "from MA" is a state even where the lower-case word is not ("ma", "in").
        intent = intent.with_(state=code.group(1))
    if matches:
        top = matches[0]
        key = (top.score, top.full, top.matched, top.span[1] - top.span[0])
        rivals = [m for m in matches[1:] if (m.score, m.full, m.matched, m.span[1] - m.span[0]) == key]
        if rivals:
            names = tuple(_series_label(m) for m in [top, *rivals])
            return Outcome("clarify", "Which event do you mean: " + "; ".join(names) + "?", names)
        scoped = _scope(intent, text, words, top, today)
        if isinstance(scoped, Outcome):
            return scoped
        intent = scoped
    return _decide(intent, text, catalog, today)


def _series_label(m: SeriesMatch) -> str:
    return f"{m.series.name} ({m.series.org_name})"


def _scope(intent: Intent, text: str, words: list[str], match: SeriesMatch, today: date) -> Intent | Outcome:
    series = match.series
    # Race words inside a full mention of the event's name are part of its name, not a choice of race.
    masked = (
        words
        if not match.full
        else words[: match.span[0]] + ["_"] * (match.span[1] - match.span[0]) + words[match.span[1] :]
    )
    kinds = [k for k, _, _ in race_kinds(" ".join(masked))]
    available = {r.kind for ed in series.editions.values() for r in ed.races}
    kinds = [k for k in kinds if k in available]
    race_kind = kinds[0] if kinds else None
    explicit = race_kind is not None
    editions, outcome = _editions(intent, series, today, text)
    if outcome:
        return outcome
    return intent.with_(scope=Scope(series, tuple(editions), race_kind, explicit))


def _editions(
    intent: Intent, series: object, today: date, text: str
) -> tuple[list[EditionInfo], Outcome | None]:
    from racehub.ask.catalog import Series

    assert isinstance(series, Series)
    by_year = series.editions
    if intent.years:
        missing = [y for y in intent.years if y not in by_year]
        if missing and intent.year_mode in ("range",):
            return [by_year[y] for y in intent.years if y in by_year], None
        if missing:
            have = ", ".join(str(y) for y in sorted(by_year))
            return [], Outcome(
                "clarify",
                f"{series.name} has no {', '.join(map(str, missing))} edition. Editions: {have}.",
                tuple(f"{series.name} {y}" for y in sorted(by_year)),
            )
        return [by_year[y] for y in intent.years], None
    ordered = sorted(by_year.values(), key=lambda e: e.start_date)
    if intent.year_mode in ("all", "each"):
        return ordered, None
    wants_future = intent.subject == "registered" or has_any(text, "upcoming|next|coming up|scheduled")
    if wants_future:
        future = [e for e in ordered if e.start_date >= today]
        if future:
            return [future[0]], None
    past = [e for e in ordered if e.start_date <= today and e.status == "completed"]
    if past:
        return [past[-1]], None
    return [ordered[-1]], None


def person_candidates(question: str) -> list[tuple[str, str]]:
    """Adjacent word pairs that could be a first and last name."""
    raw = re.findall(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\-]+", question)
    words = [re.sub(r"['\u2019]s$", "", w) for w in raw]
    # In a question written with capitals, names are capitalised; in an all-lower-case one, anything goes.
    cased = any(w[:1].isupper() for w in words[1:])
    pairs = []
    for a, b in itertools.pairwise(words):
        la, lb = a.lower(), b.lower()
        if la in STOP or lb in STOP or la in MONTHS or lb in MONTHS:
            continue
        if cased and not (a[:1].isupper() and b[:1].isupper()):
            continue
        pairs.append((la, lb))
    return pairs[:40]
