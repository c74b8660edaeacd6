"""Which kind of question this is, from its words and the slots found."""

from __future__ import annotations

import re
from datetime import date, timedelta

from racehub.ask.catalog import Catalog
from racehub.ask.intent import Intent, Outcome, Scope
from racehub.ask.text import MONTHS, has_any

# Things RaceHub's parser does not model: such questions go to the LLM fallback (or are unanswerable).
UNMODELLED = (
    "phone|phone number|area code|email address|emails|e-mail|shirt|t-shirt|price|paid|payment|fee|fees"
    "|revenue|money|weather|temperature|sponsor|sponsors|medal count|coupon|discount|password|volunteer"
    "|volunteers"
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
        (
            "repeat|returning|came back|both years|every year|each year|again|"
            "more than once|multiple years|every edition|all editions|twice"
        ),
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
        (
            "record|course record|fastest ever|fastest time ever|all-time|all time|"
            "ever run|ever recorded|in history"
        ),
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
        (
            "most|fewest|least|which|what|breakdown|how many|by|per|each|"
            "distribution|percentage|percent|share|proportion"
        ),
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
        (
            "who won|winner|winners|won|winning|first place|champion|champions|"
            "first across|took first|came first|overall winner"
        ),
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
        y = year or today.year
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
