"""Understanding a question: slots (event, race, years, sex, ages, place, ...) and what is asked."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from racehub.ask.catalog import Catalog, EditionInfo, SeriesMatch, race_kinds
from racehub.ask.intent import Intent, Scope
from racehub.ask.text import MONTHS, NUMBER_WORDS, ORDINALS, STATES, find_any, has_any, normalize


@dataclass(frozen=True)
class Outcome:
    """A question that gets no query: refused, ambiguous or outside the domain."""

    status: str  # refused | clarify | unanswerable
    message: str
    choices: tuple[str, ...] = ()


# Requests to change data, and attempts to reach the system itself.
WRITE_VERBS = (
    "delete",
    "drop",
    "truncate",
    "update",
    "insert",
    "alter",
    "remove",
    "erase",
    "wipe",
    "purge",
    "overwrite",
    "modify",
    "rename",
    "destroy",
    "set all",
    "mark all",
    "change all",
    "replace all",
    "edit",
    "clear all",
)
SQL_INJECTION = re.compile(
    r";|--|/\*|\b(drop|delete|truncate|insert|update|alter|create|grant|revoke)\s+(table|from|into|database|"
    r"schema|role|user|index|view)\b|\bunion\s+select\b|\bpg_\w+|\binformation_schema\b|\bset_config\b|"
    r"\bcurrent_setting\b|\bpg_sleep\b|\bcopy\s+\w+\s+(to|from)\b",
    re.IGNORECASE,
)
SYSTEM_PROBES = (
    "system prompt",
    "your prompt",
    "your instructions",
    "ignore previous",
    "ignore all previous",
    "ignore your",
    "password hash",
    "api key",
    "database schema",
    "all tables",
    "other tenants",
    "other companies",
    "every company",
    "all companies",
    "connection string",
)

FEMALE = ("women", "woman", "female", "females", "ladies", "lady", "girls", "girl", "womens", "her", "she")
MALE = ("men", "man", "male", "males", "guys", "guy", "boys", "boy", "gentlemen", "mens", "him", "he")
NONBINARY = ("non-binary", "nonbinary", "non binary", "x category", "gender x")

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


UPPER_CODE = re.compile(r"\b(?:from|in|of|residents of|living in)\s+([A-Z]{2})\b")


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


def _refusal(question: str) -> Outcome | None:
    text = normalize(question)
    if SQL_INJECTION.search(question):
        return Outcome(
            "refused",
            "That looks like SQL or a system command; I only answer questions about "
            "race data and never run statements typed into the chat.",
        )
    verb = find_any(text, *WRITE_VERBS)
    if verb and not re.search(rf"\b(how|what|which|who|when|did|was|were|is)\b.*\b{verb}d?\b", text):
        return Outcome(
            "refused",
            f"I can't {verb} data: answers are read-only. Changes to results go through "
            "imports, syncs and scoring workflows, which staff can start with confirmation.",
        )
    if has_any(text, *SYSTEM_PROBES):
        return Outcome(
            "refused",
            "I can't share system internals, credentials or other companies' data. "
            "Ask me about your own events, results and registrations.",
        )
    return None


YEAR_RE = re.compile(r"(?<![\d:.])((?:19|20)\d{2})(?![\d:])")


def _years(text: str, today: date) -> tuple[list[int], str]:
    explicit = [int(y) for y in YEAR_RE.findall(text)]
    rel = []
    if has_any(text, "last year|last year's|previous year|a year ago"):
        rel.append(today.year - 1)
    if has_any(text, "this year|this year's|current year"):
        rel.append(today.year)
    if has_any(text, "next year"):
        rel.append(today.year + 1)
    m = re.search(r"\b(two|three|four|2|3|4) years ago\b", text)
    if m:
        rel.append(today.year - int(NUMBER_WORDS.get(m.group(1), m.group(1) if m.group(1).isdigit() else 0)))
    years = explicit + [y for y in rel if y not in explicit]
    if len(years) >= 2:
        if re.search(r"\b(from|between)\s+(\d{4})\s+(to|and|through|-)\s+(\d{4})\b", text) or has_any(
            text,
            "change|changed|trend|grow|grew|growth|increase|decrease|compare",
        ):
            lo, hi = min(years), max(years)
            if has_any(text, "both") or not has_any(text, "from|between|through"):
                return sorted(set(years)), "both" if has_any(text, "both") else "range_ends"
            return list(range(lo, hi + 1)), "range"
        return sorted(set(years)), "both" if has_any(text, "both|and") else "each"
    if years:
        return years, "single"
    if has_any(text, "ever|all time|all-time|in history|of all time|any year|historically"):
        return [], "all"
    if has_any(
        text,
        "each year|every year|per year|by year|year over year|year-over-year|over the years|each edition|every edition|all editions|all years",
    ):
        return [], "each"
    return [], "default"


def _base_intent(text: str, today: date) -> Intent:
    """Slots that need no catalogue: sex, ages, state, place, counts, times, grouping."""
    sex = None
    if has_any(text, *NONBINARY):
        sex = "X"
    elif has_any(text, *FEMALE):
        sex = "F"
    elif has_any(text, *MALE):
        sex = "M"
    if (
        sex
        and has_any(
            text,
            "men and women|women and men|male and female|female and male|by sex|by gender|each sex|each gender|both sexes",
        )
        or _share_of_sex(text)
        or _both_sexes(text)
    ):
        sex = None
    age_min, age_max, age_label = _ages(text)
    n = _top_n(text)
    place = None
    m = re.search(
        r"\b(" + "|".join(ORDINALS) + r")\s+(place|fastest|overall|female|male|woman|man|women|men|finisher)",
        text,
    )
    if m and not re.search(r"\b(top|first)\s+(\d+|" + "|".join(NUMBER_WORDS) + r")\b", text):
        place = ORDINALS[m.group(1)]
    m = re.search(r"\b(finished|placed|came|came in|was)\s+(" + "|".join(ORDINALS) + r")\b", text)
    if m:
        place = ORDINALS[m.group(2)]
    time_max, time_min = _time_limits(text)
    return Intent(
        kind="",
        sex=sex,
        age_min=age_min,
        age_max=age_max,
        age_label=age_label,
        state=_state(text),
        state_excluded=bool((st := _state(text)) and _state_excluded(text, st)),
        n=n,
        place=place,
        group_by=_group_by(text),
        time_max_ms=time_max,
        time_min_ms=time_min,
        order="asc" if has_any(text, "least|fewest|smallest|lowest") else "desc",
        subject=_subject(text),
        source=_source(text),
    )


SOURCES = {
    "runsignup": "runsignup",
    "run signup": "runsignup",
    "raceroster": "raceroster",
    "race roster": "raceroster",
    "copernico": "copernico",
    "ctlive": "ctlive",
    "chronotrack": "ctlive",
}


def _source(text: str) -> str | None:
    found = find_any(text, "|".join(SOURCES))
    return (
        SOURCES[found]
        if found and has_any(text, "registration|registrations|registered|came from|via|through|signed up")
        else None
    )


def _subject(text: str) -> str:
    if has_any(
        text,
        "did not finish|didn't finish|didnt finish|dnf|dnfs|dropped out|failed to finish|not finish|drop out|dropouts|did not complete",
    ):
        return "dnf"
    if has_any(
        text,
        "did not start|didn't start|didnt start|dns|no-shows|no shows|no-show|no show|never started|not start",
    ):
        return "dns"
    if has_any(text, "disqualified|dq|dqs|dq'd|dqed"):
        return "dq"
    if has_any(text, "non-finishers|non finishers|nonfinishers"):
        return "non_finishers"
    if has_any(
        text,
        "finish|finished|finishers|finisher|completed|complete|crossed|ran|raced|results|result|won|winner|fastest|slowest|placed",
    ):
        return "finishers"
    if has_any(text, "started|starters|start line|toed the line"):
        return "starters"
    if has_any(
        text,
        "registered|registrants|registrations|registration|signed up|sign-ups|signups|sign ups|entrants|entries|entered|participants|participated|signed-up|enrolled|registering|participation|turnout|attendance|field size|how big",
    ):
        return "registered"
    return "finishers"


def _ages(text: str) -> tuple[int | None, int | None, str | None]:
    m = re.search(r"\b(\d{1,2})\s*(?:&|and)\s*(under|over|older|up|younger)\b", text)
    if m:
        age = int(m.group(1))
        return (None, age, None) if m.group(2) in ("under", "younger") else (age, None, None)
    m = re.search(
        r"\b(?:aged?|ages|age group|in the|between ages?)?\s*(\d{1,2})\s*(?:-|to|through|and)\s*(\d{1,2})"
        r"(?!\d|:|\s*(?:k|km|mi|miles?|minutes?|hours?)\b)",
        text,
    )
    if m and (re.search(r"\b(aged?|ages|age group|between|division|category)\b", text) or "-" in m.group(0)):
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo < hi <= 120:
            return lo, hi, f"{lo}-{hi}"
    m = re.search(r"\b(?:aged?|ages)\s+(\d{1,2})\s*(?:\+|plus|and over|or older|or over)", text) or re.search(
        r"\b(\d{2})\s*(?:\+|plus|and over|or older|or over|and older)", text
    )
    if m:
        return int(m.group(1)), None, None
    m = re.search(
        r"\b(?:over|older than|above)\s+(?:age\s+)?(\d{1,2})\b(?!\s*(?:k|km|mi|miles?|minutes?|hours?|:))",
        text,
    )
    if m:
        return int(m.group(1)) + (0 if "over" in m.group(0) else 1), None, None
    m = re.search(
        r"\b(?:under|younger than|below)\s+(?:age\s+)?(\d{1,2})\b(?!\s*(?:k|km|mi|miles?|minutes?|hours?|:))",
        text,
    )
    if m and has_any(
        text,
        "age|aged|years old|runners|finishers|participants|kids|children|year-olds|year olds",
    ):
        return None, int(m.group(1)) - 1, None
    m = re.search(r"\bin (?:their|her|his) (\d)0s\b", text) or re.search(r"\b(\d)0s\b", text)
    if m:
        lo = int(m.group(1)) * 10
        return lo, lo + 9, None
    if has_any(text, "grand masters|grandmasters|grand master"):
        return 50, None, None
    if has_any(text, "masters|master"):
        return 40, None, "masters"
    if has_any(text, "teenagers|teens|teenage"):
        return 13, 19, None
    m = re.search(r"\b(\d{1,2})[ -]?(?:years? old|year-old)\b", text)
    if m:
        age = int(m.group(1))
        return age, age, None
    return None, None, None


def _top_n(text: str) -> int | None:
    numbers = "|".join(NUMBER_WORDS)
    m = re.search(
        rf"\b(?:top|first|fastest|best|leading|slowest|last)\s+(\d{{1,3}}|{numbers})\b(?!\s*(?:k|km|mi|mile|miler|:))",
        text,
    )
    if m:
        value = m.group(1)
        return int(value) if value.isdigit() else NUMBER_WORDS[value]
    m = re.search(rf"\b(\d{{1,2}}|{numbers})\s+(?:fastest|best|top|quickest|slowest)\b", text)
    if m:
        value = m.group(1)
        return int(value) if value.isdigit() else NUMBER_WORDS[value]
    if has_any(text, "top|podium|leaders|leaderboard"):
        return 3 if has_any(text, "podium") else 10
    return None


DURATION = re.compile(
    r"(?P<hms>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)|(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>hours?|hrs?|h|minutes?|mins?|m)\b"
)


def _duration_ms(fragment: str) -> int | None:
    m = DURATION.match(fragment.strip())
    if not m:
        return None
    if m.group("hms"):
        parts = [float(p) for p in m.group("hms").split(":")]
        if len(parts) == 2:
            # "3:30" in a race question is hours:minutes unless the minutes part is large.
            h, mnt = parts
            return int((h * 3600 + mnt * 60) * 1000) if h < 10 else int((h * 60 + mnt) * 1000)
        return int((parts[0] * 3600 + parts[1] * 60 + parts[2]) * 1000)
    value = float(m.group("num"))
    unit = m.group("unit")
    return int(value * (3_600_000 if unit.startswith("h") else 60_000))


def _time_limits(text: str) -> tuple[int | None, int | None]:
    upper = lower = None
    m = re.search(
        r"\b(?:under|faster than|below|less than|sub|sub-|broke|breaking|within)\s*-?\s*"
        r"(\d{1,2}:\d{2}(?::\d{2})?|\d+(?:\.\d+)?\s*(?:hours?|hrs?|minutes?|mins?))",
        text,
    )
    if m:
        upper = _duration_ms(m.group(1))
    else:
        m = re.search(r"\bsub[- ]?(\d{1,2})(?::(\d{2}))?\b", text)
        if m:
            value = int(m.group(1))
            minutes = int(m.group(2) or 0)
            upper = (value * 3600 + minutes * 60) * 1000 if value < 10 else (value * 60 + minutes) * 1000
    m = re.search(
        r"\b(?:over|slower than|above|more than|longer than)\s*"
        r"(\d{1,2}:\d{2}(?::\d{2})?|\d+(?:\.\d+)?\s*(?:hours?|hrs?|minutes?|mins?))",
        text,
    )
    if m:
        lower = _duration_ms(m.group(1))
    return upper, lower


EXCLUDING = re.compile(
    r"\b(besides|other than|excluding|except|apart from|outside of|outside|not from|aside from)\s+(the state of\s+)?$"
)


def _state_excluded(text: str, code: str) -> bool:
    """'besides Massachusetts': the state is left out, not chosen."""
    for name, c in STATES.items():
        if c != code:
            continue
        for m in re.finditer(rf"\b({name}|{code.lower()})\b", text):
            if EXCLUDING.search(text[: m.start()]):
                return True
    return False


def _state(text: str) -> str | None:
    for name, code in sorted(STATES.items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(rf"\b{name}\b", text):
            after = text[m.end() : m.end() + 7]
            if name == "virginia" and after.startswith(" beach"):
                continue
            if name == "washington" and not re.search(r"\b(from|in|of)\s+washington\b(?! dc)", text):
                continue
            return code
    m = re.search(r"\b(?:from|in|of|residents of|living in)\s+([a-z]{2})\b", text)
    if (
        m
        and m.group(1).upper() in STATES.values()
        and m.group(1) not in ("me", "in", "or", "oh", "hi", "ok", "de", "la", "co", "id", "al", "ma", "pa")
    ):
        return m.group(1).upper()
    return None


def _both_sexes(text: str) -> bool:
    """'men vs women', 'male and female': a comparison by sex."""
    return has_any(text, "women|woman|female|females|ladies") and has_any(text, "men|man|male|males|guys")


def _share_of_sex(text: str) -> bool:
    """'What percentage of finishers were women?' asks for the split by sex, not a filter."""
    return has_any(
        text, "percentage|percent|share|proportion|fraction|ratio|gender split|sex split"
    ) and has_any(text, "women|woman|female|females|men|man|male|males")


def _group_by(text: str) -> str | None:
    if _share_of_sex(text) or (_both_sexes(text) and not has_any(text, "age group|state|team|club|city")):
        return "sex"
    if has_any(
        text,
        "by state|per state|which state|what state|each state|which states|what states|states were|states are|how many states",
    ):
        return "state"
    if has_any(
        text,
        "by age group|per age group|each age group|which age group|what age group|age groups|by age|age group breakdown|by division|each division",
    ):
        return "age_group"
    if has_any(
        text,
        "which team|which club|which running club|what team|what club|by team|by club|each team|each club|per team|per club|teams|clubs|running clubs",
    ):
        return "team"
    if has_any(text, "which city|what city|by city|per city|each city|which cities|cities"):
        return "city"
    if has_any(
        text,
        "by sex|by gender|per sex|per gender|each sex|each gender|men and women|women and men|male and female|female and male|gender breakdown|gender split|percentage of women|percentage of men|percent women|percent men|share of women|share of men|proportion of women|proportion of men|what percent",
    ):
        return "sex"
    if has_any(text, "by race|each race|per race|every race|which race|each distance|by distance"):
        return "race"
    if has_any(
        text,
        "by year|each year|per year|year over year|year-over-year|every year|over the years",
    ):
        return "year"
    return None


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


# Things RaceHub's parser does not model: such questions go to the LLM fallback (or are unanswerable).
UNMODELLED = (
    "phone|phone number|area code|email address|emails|e-mail|shirt|t-shirt|price|paid|payment|fee|fees|revenue"
    "|money|weather|temperature|sponsor|sponsors|medal count|coupon|discount|password|volunteer|volunteers"
)


def _decide(intent: Intent, text: str, catalog: Catalog, today: date) -> Intent | Outcome:
    """Which kind of question this is, from its words and the slots found."""
    if has_any(text, UNMODELLED) and not has_any(text, "csv|export|download|report|mailing"):
        return intent.with_(kind="person")
    report = _report_kind(text)
    if report:
        return intent.with_(kind="report", report=report)
    if intent.scope is None:
        events = _events_question(intent, text, today)
        if events:
            return events
    if has_any(
        text, "award|awards|award winners|age group winners|age-group winners|division winners|medal|medals"
    ):
        return intent.with_(kind="awards")
    if has_any(text, "split|splits|halfway|half-way|intermediate|checkpoint"):
        return intent.with_(kind="split")
    if intent.year_mode == "both" or has_any(
        text,
        "repeat|returning|came back|both years|every year|each year|again|more than once|multiple years|every edition|all editions|twice",
    ):
        if has_any(text, "how many|number|count|who|which|list|repeat|returning"):
            if (
                intent.year_mode == "both"
                or not has_any(text, "by year|per year|each year")
                or has_any(text, "every year|every edition")
            ):
                return intent.with_(kind="repeat")
    if has_any(
        text,
        "record|course record|fastest ever|fastest time ever|all-time|all time|ever run|ever recorded|in history",
    ) and has_any(text, "fastest|record|best|quickest|slowest"):
        record = intent.with_(kind="record", n=intent.n or 1)
        if intent.scope is not None and not intent.years:
            every = tuple(sorted(intent.scope.series.editions.values(), key=lambda e: e.start_date))
            record = record.with_(
                year_mode="all",
                scope=Scope(intent.scope.series, every, intent.scope.race_kind, intent.scope.race_explicit),
            )
        return record
    if has_any(text, "oldest|youngest"):
        return intent.with_(kind="superlative", order="desc" if has_any(text, "oldest") else "asc")
    measure = _measure(text)
    if measure:
        return intent.with_(kind="aggregate", measure=measure)
    if intent.group_by and has_any(
        text,
        "most|fewest|least|which|what|breakdown|how many|by|per|each|distribution|percentage|percent|share|proportion",
    ):
        return intent.with_(kind="group")
    if re.search(
        r"\bfirst (overall |masters? |grand masters? )?(woman|man|female|male|women|men|finisher|runner|"
        r"masters?|grand masters?|non-binary)\b",
        text,
    ) and not re.search(r"\bfirst \d", text):
        return intent.with_(kind="winner")
    if len(intent.years) > 1 and has_any(
        text,
        "change|changed|trend|grow|grew|growth|increase|decrease|compare|compared|shrink|decline|declined|evolve|evolved",
    ):
        return intent.with_(kind="count")
    if intent.place:
        return intent.with_(
            kind="place", order="desc" if has_any(text, "slowest|from last|from the end") else "asc"
        )
    if has_any(
        text,
        "who won|winner|winners|won|winning|first place|champion|champions|first across|took first|came first|overall winner",
    ):
        return intent.with_(kind="winner")
    if intent.n and has_any(
        text,
        "top|first|fastest|best|leading|quickest|podium|leaders|leaderboard|slowest|last",
    ):
        order = "desc" if has_any(text, "slowest|last") else "asc"
        return intent.with_(kind="top", order=order)
    if has_any(text, "fastest|quickest|who was first|best time"):
        if has_any(text, "how many|number of"):
            return intent.with_(kind="count")
        return intent.with_(kind="top", n=1, order="asc")
    if has_any(text, "slowest|last finisher|last place|final finisher"):
        return intent.with_(kind="top", n=1, order="desc")
    if has_any(text, "how many|number of|count|total|how much|tally") or (
        intent.scope is not None
        and intent.group_by is None
        and has_any(text, "registrations|registrants|finishers|entrants")
        and has_any(text, "how|what")
    ):
        return intent.with_(kind="count")
    if intent.scope is not None and has_any(
        text,
        "when|where|distance|how long|how far|what time does|start time|what date|which date",
    ):
        return intent.with_(kind="race_info")
    if intent.scope is not None and has_any(text, "results|result|standings|leaderboard|show"):
        return intent.with_(kind="top", n=intent.n or 10, order="asc")
    return intent.with_(kind="person")  # resolved (or rejected) against the names in the data


def _report_kind(text: str) -> str | None:
    if not has_any(text, "csv|spreadsheet|export|download|excel|file|report|mailing list|labels"):
        return None
    if has_any(text, "award|awards|winners|medal|medals|prize|prizes|podium"):
        return "awards"
    if has_any(text, "age group|age groups|by age|division|divisions"):
        return "age_groups"
    if has_any(
        text,
        "registrations|registrants|registered|entries|entrants|start list|participants|roster",
    ):
        return "registrations"
    return "results"


PEOPLE = (
    "runners|runner|people|participants|finishers|finisher|finished|registrants|registered|registrations|entrants"
    "|entries|athletes|women|men|dnf|dns"
)


def _events_question(intent: Intent, text: str, today: date) -> Intent | None:
    if has_any(text, PEOPLE) and not has_any(
        text, "which events|what events|list events|list the events|my events"
    ):
        return None
    if not has_any(
        text,
        "events|event|races|race|editions|calendar|schedule|scheduled|upcoming|coming up",
    ):
        return None
    if not has_any(
        text,
        "which|what|list|show|my|our|upcoming|scheduled|when|any|how many|coming up|calendar|schedule|next",
    ):
        return None
    date_from = date_to = None
    month = None
    for word, number in MONTHS.items():
        if len(word) > 3 and has_any(text, word):
            month = number
            break
    year = intent.years[0] if intent.years else None
    if has_any(text, "next month"):
        month, year = today.month % 12 + 1, today.year + (today.month == 12)
    elif has_any(text, "this month"):
        month, year = today.month, today.year
    if month:
        y = year or _month_year(month, intent)
        date_from = date(y, month, 1)
        date_to = (date(y + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    elif year:
        date_from, date_to = date(year, 1, 1), date(year, 12, 31)
    upcoming = has_any(text, "upcoming|scheduled|coming up|next|future|planned")
    kind = "count" if has_any(text, "how many") else "events"
    return intent.with_(
        kind=kind if kind == "events" else "events",
        date_from=date_from,
        date_to=date_to,
        upcoming=upcoming and not date_from,
        subject="events",
    )


def _month_year(month: int, intent: Intent) -> int:
    return intent.years[0] if intent.years else date.today().year


def _measure(text: str) -> str | None:
    stat = None
    if has_any(text, "average|avg|mean|typical"):
        stat = "avg"
    elif has_any(text, "median|middle"):
        stat = "median"
    elif re.search(r"\bfastest (finish |finishing |winning )?(time|pace)\b", text) and not has_any(
        text, "who"
    ):
        stat = "min"
    elif re.search(r"\bslowest (finish |finishing )?(time|pace)\b", text) and not has_any(text, "who"):
        stat = "max"
    if stat is None:
        return None
    if re.search(r"\bages?\b(?!\s*groups?)|\bold\b|\bolder\b", text):
        return f"{stat}_age"
    if has_any(text, "pace"):
        return f"{stat}_pace"
    return f"{stat}_time"


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
