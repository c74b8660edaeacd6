"""Slots a question fills without the catalogue: years, sex, ages, states, places, limits, grouping."""

from __future__ import annotations

import re
from datetime import date

from racehub.ask.intent import Intent
from racehub.ask.text import NUMBER_WORDS, ORDINALS, STATES, find_any, has_any

FEMALE = ("women", "woman", "female", "females", "ladies", "lady", "girls", "girl", "womens", "her", "she")

MALE = ("men", "man", "male", "males", "guys", "guy", "boys", "boy", "gentlemen", "mens", "him", "he")

NONBINARY = ("non-binary", "nonbinary", "non binary", "x category", "gender x")

UPPER_CODE = re.compile(r"\b(?:from|in|of|residents of|living in)\s+([A-Z]{2})\b")

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
        (
            "each year|every year|per year|by year|year over year|year-over-year|"
            "over the years|each edition|every edition|all editions|all years"
        ),
    ):
        return [], "each"
    return [], "default"


DIVISION = re.compile(r"\b([mfwx])\s?(\d{1,2})\s?-\s?(\d{1,2})\b")
DEMONYMS = {
    "virginians": "VA", "marylanders": "MD", "pennsylvanians": "PA", "north carolinians": "NC",
    "south carolinians": "SC", "new yorkers": "NY", "texans": "TX", "californians": "CA",
    "floridians": "FL", "georgians": "GA", "ohioans": "OH", "tennesseans": "TN", "new jerseyans": "NJ",
    "bostonians": "MA", "west virginians": "WV", "kentuckians": "KY",
}


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
        (
            sex
            and has_any(
                text,
                (
                    "men and women|women and men|male and female|female and male|by sex|"
                    "by gender|each sex|each gender|both sexes"
                ),
            )
        )
        or _share_of_sex(text)
        or _both_sexes(text)
    ):
        sex = None
    age_min, age_max, age_label = _ages(text)
    division = DIVISION.search(text)
    if division:
        # "M50-54", "F 40-44", "W40-44": a division code names sex and ages at once.
        sex = {"m": "M", "f": "F", "w": "F", "x": "X"}[division.group(1)]
        age_min, age_max = int(division.group(2)), int(division.group(3))
        age_label = f"{age_min}-{age_max}"
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
        (
            "did not finish|didn't finish|didnt finish|dnf|dnfs|dropped out|"
            "failed to finish|not finish|drop out|dropouts|did not complete"
        ),
    ):
        return "dnf"
    if has_any(
        text,
        (
            "did not start|didn't start|didnt start|dns|no-shows|no shows|no-show|"
            "no show|never started|not start"
        ),
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
        (
            "registered|registrants|registrations|registration|signed up|sign-ups|"
            "signups|sign ups|entrants|entries|entered|participants|participated|"
            "signed-up|enrolled|registering|participation|turnout|attendance|"
            "field size|how big"
        ),
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
    r"\b(besides|other than|excluding|except|apart from|outside of|outside|not from|aside from)"
    r"\s+(the state of\s+)?$"
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


WORD_LIKE_CODES = frozenset({"me", "in", "or", "oh", "hi", "ok", "de", "la", "co", "id", "al", "ma", "pa"})


def _state(text: str) -> str | None:
    for name, code in sorted(DEMONYMS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{name}\b", text):
            return code
    for name, code in sorted(STATES.items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(rf"\b{name}\b", text):
            after = text[m.end() : m.end() + 7]
            if name == "virginia" and after.startswith(" beach"):
                continue
            if name == "washington" and not re.search(r"\b(from|in|of)\s+washington\b(?! dc)", text):
                continue
            return code
    short = re.search(r"\b(?:from|in|of|residents of|living in)\s+([a-z]{2})\b", text)
    # Two-letter codes that are also English words only count when written in capitals (see parse()).
    if (
        short
        and short.group(1).upper() in STATES.values()
        and short.group(1) not in WORD_LIKE_CODES
    ):
        return short.group(1).upper()
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
        (
            "by state|per state|which state|what state|each state|which states|"
            "what states|states were|states are|how many states"
        ),
    ):
        return "state"
    if has_any(
        text,
        (
            "by age group|per age group|each age group|which age group|"
            "what age group|age groups|by age|age group breakdown|by division|"
            "each division"
        ),
    ):
        return "age_group"
    if has_any(
        text,
        (
            "which team|which club|which running club|what team|what club|by team|"
            "by club|each team|each club|per team|per club|teams|clubs|"
            "running clubs"
        ),
    ):
        return "team"
    if has_any(text, "which city|what city|by city|per city|each city|which cities|cities"):
        return "city"
    if has_any(
        text,
        (
            "by sex|by gender|per sex|per gender|each sex|each gender|men and women|"
            "women and men|male and female|female and male|gender breakdown|"
            "gender split|percentage of women|percentage of men|percent women|"
            "percent men|share of women|share of men|proportion of women|"
            "proportion of men|what percent"
        ),
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
