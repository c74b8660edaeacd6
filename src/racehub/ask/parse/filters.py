"""Recognisers of who: sex, ages and divisions, clubs, cities, states, countries, bibs, finish-time
thresholds, registration source and date. Each claims the words it used and adds a Filter."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal, cast

from rapidfuzz import fuzz

from racehub.ask.directory import Places
from racehub.ask.parse.facts import Facts
from racehub.ask.parse.ledger import Ledger
from racehub.ask.reading import Field, Filter, Op, Population
from racehub.ask.text import MONTHS, NUMBER_WORDS, STATE_NAMES, STATES

FEMALE = r"women|woman|female|females|ladies|lady|girls|girl|gals|gal|womens"
MALE = r"men|man|male|males|guys|guy|boys|boy|gentlemen|gents|mens|fellas"
NONBINARY = r"non ?binary|nonbinary|non binary|gender x|x category|nb"
SEX_WORDS = {"F": "women", "M": "men", "X": "non-binary runners"}


def sex(ledger: Ledger, facts: Facts) -> None:
    both = (
        rf"(?:{FEMALE}) (?:and|&|or|vs|versus|v|than|outnumbered|outnumber|outnumbers) (?:{MALE})|(?:{MALE}) "
        rf"(?:and|&|or|vs|versus|v|than|outnumbered|outnumber|outnumbers) (?:{FEMALE})|"
        r"(?:by|per|each|for each|for both|both|across|split by|broken down by) (?:sex|sexes|gender|genders)|"
        r"(?:sex|gender) (?:breakdown|split|ratio|mix|balance)|male ?/ ?female|m ?/ ?f|both "
        r"sexes|both genders"
    )
    if ledger.take(rf"\b(?:{both})\b", "sex"):
        facts.sexes_both = True
        return
    for pattern, code in ((NONBINARY, "X"), (FEMALE, "F"), (MALE, "M")):
        m = ledger.take(
            rf"\b(?:the )?(?:{pattern})(?: (?:race|division|category|field|side|winner|winners))?\b", "sex"
        )
        if m:
            if "winner" in m.group(0):
                facts.winner = True
            facts.filters.append(Filter(Field.SEX, "eq", code, SEX_WORDS[code]))
            # a second sex word ("women ... female") is the same filter said twice
            ledger.take_all(rf"\b(?:{pattern})\b", "sex")
            return


# ------------------------------------------------------------------------------------------- ages

_N = {**NUMBER_WORDS, "forty": 40, "fifty": 50, "sixty": 60, "thirty": 30, "seventy": 70, "twenty": 20}


def _age(text: str) -> int:
    return int(text) if text.isdigit() else _N[text]


AGE_NUM = r"(\d{1,2}|twenty|thirty|forty|fifty|sixty|seventy)"
AGE_WORD = r"(?:aged?|ages|age group|agegroup|year olds?|years? old|yo|yrs? old)"
NOT_TIME = r"(?! ?(?:k|km|mi|miles?|minutes?|mins?|hours?|hrs?|seconds?|secs?|:)\b)"
DECADES = {
    "teens": (13, 19),
    "twenties": (20, 29),
    "thirties": (30, 39),
    "forties": (40, 49),
    "fifties": (50, 59),
    "sixties": (60, 69),
    "seventies": (70, 79),
    "eighties": (80, 89),
}


def ages(ledger: Ledger, facts: Facts) -> None:
    """Ages on race day, division codes (M40-44) and masters."""
    add = facts.filters.append
    if m := ledger.take(
        r"\b(?:in |the )?([mfwx])(\d{1,2})-(\d{1,2})(?: (?:age group|agegroup|group|division|"
        r"category|bracket|age bracket|age category))?\b",
        "age",
    ):
        code = {"m": "M", "f": "F", "w": "F", "x": "X"}[m.group(1)]
        lo, hi = int(m.group(2)), int(m.group(3))
        if not any(f.field == Field.SEX for f in facts.filters):
            add(Filter(Field.SEX, "eq", code, SEX_WORDS[code]))
        add(Filter(Field.AGE, "between", (lo, hi), f"aged {lo}-{hi}"))
        return
    if m := ledger.take(
        r"\b(senior grand ?masters?|grand ?masters?|masters?|veterans?|vets)"
        r"(?: (?:runners|division|category|group|age group|men|women|field))?\b",
        "age",
    ):
        word = m.group(1)
        if word.startswith("senior"):
            add(Filter(Field.AGE, "ge", 60, "senior grand masters (60+)"))
        elif word.startswith("grand"):
            add(Filter(Field.AGE, "ge", 50, "grand masters (50+)"))
        else:
            add(Filter(Field.AGE, "ge", "masters", "masters (the race's masters age, 40+)"))
        return
    patterns: list[tuple[str, object]] = [
        (
            rf"\b(?:in the |the )?{AGE_NUM} ?(?:-|to|through|thru) ?{AGE_NUM} (?:age "
            r"group|agegroup|age bracket|"
            rf"age range|division|bracket|group|year olds?|years? old|yo)\b",
            "between",
        ),
        (
            rf"\b(?:{AGE_WORD}|between the ages of|between ages|ages of) (?:between )?{AGE_NUM} "
            r"?(?:-|to|and|through|thru)"
            rf" ?{AGE_NUM}\b{NOT_TIME}",
            "between",
        ),
        (rf"\bbetween {AGE_NUM} and {AGE_NUM} (?:years old|years of age|year olds)\b", "between"),
        (rf"\b(?:aged |ages )?between {AGE_NUM} and {AGE_NUM}\b{NOT_TIME}", "between"),
        (rf"\b(?:in the |the )?{AGE_NUM}-{AGE_NUM}\b{NOT_TIME}", "between"),
        (
            rf"\b(?:aged? |ages )?{AGE_NUM} ?(?:\+|and over|& over|and older|and up|or older|or "
            r"over|plus|years and over|"
            rf"years and older|and above|or above)(?!\w)",
            "ge",
        ),
        (r"\b([1-9]\d)\+", "ge"),
        (
            r"\b(?:at least|no younger than) ([1-9]\d)(?: years old| years of age)?\b(?! "
            r"(?:times|races|finishes))",
            "ge",
        ),
        (
            rf"\b(?:aged? |ages )?{AGE_NUM} (?:and under|& under|and younger|or younger|or under|and "
            r"below|or below)\b",
            "le",
        ),
        (rf"\b(?:no older than|at most) {AGE_NUM}\b", "le"),
        (
            rf"\b(?:aged |ages )?(?:over|older than|above|past) (?:the age of )?{AGE_NUM}(?: years "
            r"old| years of age)?"
            rf"\b{NOT_TIME}",
            "gt",
        ),
        (
            r"\b(?:aged |ages )?(?:under|younger than|below|less than) (?:the age of "
            rf")?{AGE_NUM}(?: years old| years of "
            rf"age)?\b{NOT_TIME}",
            "lt",
        ),
        (rf"\b(?:aged|age) {AGE_NUM}\b{NOT_TIME}", "eq"),
        (rf"\b{AGE_NUM}[ -]?(?:year[ -]?olds?|years? old|yo)\b", "eq"),
        (
            r"\b(?:in (?:their|her|his) |the "
            r")?(teens|twenties|thirties|forties|fifties|sixties|seventies|eighties)\b",
            "decade",
        ),
        (r"\b(?:in (?:their|her|his) |the )?(\d)0s\b", "decade_num"),
        (r"\bteen(?:ager)?s?\b", "teen"),
    ]
    for pattern, op in patterns:
        hit = ledger.first(pattern)
        if hit is None:
            continue
        match, a, b = hit
        if op in ("between",):
            lo, hi = _age(match.group(1)), _age(match.group(2))
            if not lo < hi <= 120:
                continue
            ledger.claim(a, b, "age")
            add(Filter(Field.AGE, "between", (lo, hi), f"aged {lo}-{hi}"))
        elif op == "decade":
            lo, hi = DECADES[match.group(1)]
            ledger.claim(a, b, "age")
            add(Filter(Field.AGE, "between", (lo, hi), f"aged {lo}-{hi}"))
        elif op == "decade_num":
            lo = int(match.group(1)) * 10
            ledger.claim(a, b, "age")
            add(Filter(Field.AGE, "between", (lo, lo + 9), f"aged {lo}-{lo + 9}"))
        elif op == "teen":
            ledger.claim(a, b, "age")
            add(Filter(Field.AGE, "between", (13, 19), "teenagers (13-19)"))
        else:
            age = _age(match.group(1))
            if not 1 <= age <= 110:
                continue
            ledger.claim(a, b, "age")
            words = {
                "ge": f"aged {age} and over",
                "le": f"aged {age} and under",
                "gt": f"older than {age}",
                "lt": f"younger than {age}",
                "eq": f"aged {age}",
            }[str(op)]
            add(Filter(Field.AGE, cast(Op, op), age, words))
            if op == "gt":
                facts.notes.append(f"'over {age}' read as {age + 1} and older")
        return


# --------------------------------------------------------------------------------- clubs and places

CLUB_TAIL = r"(?: (?:members?|runners|club|team|athletes|folks|people|crew|group))*"
CLUB_HEAD = r"(?:(?:members|runners|athletes) (?:of|from) (?:the )?|(?:the )?(?:club|team) )?"


CLUB_WORDS = frozenset(
    {"club", "runners", "team", "harriers", "striders", "running", "track", "athletic", "road"}
)
CLUB_BEFORE = frozenset(
    {
        "members",
        "member",
        "runners",
        "runner",
        "athletes",
        "of",
        "from",
        "in",
        "for",
        "with",
        "the",
        "club",
        "team",
        "running",
        "runs",
        "ran",
        "racing",
        "race",
        "races",
    }
)
CLUB_AFTER = frozenset(
    {"members", "member", "runners", "club", "team", "athletes", "folks", "people", "crew", "group"}
)


def clubs(ledger: Ledger, facts: Facts, places: Places) -> None:
    """A running club named in full, typos allowed in long words, or by a distinctive part of its name
    ("Happy Feet runners") that no other club shares."""
    names = sorted(places.clubs, key=len, reverse=True)
    tokens = ledger.tokens

    def found(a: int, b: int, folded: str) -> None:
        # the words around the name that say it is a club ("members of the ...", "... runners")
        while (
            a > 0
            and ledger.free(a - 1)
            and tokens[a - 1] in CLUB_BEFORE
            and tokens[a - 1] not in ("for", "with")
        ):
            if tokens[a - 1] in ("from", "in", "of") and not (
                a > 1 and tokens[a - 2] in ("members", "member", "runners")
            ):
                break
            a -= 1
        while b < len(tokens) and ledger.free(b) and tokens[b] in CLUB_AFTER:
            b += 1
        ledger.claim(a, b, "club")
        name = places.clubs[folded][0]
        facts.filters.append(Filter(Field.CLUB, "eq", name, f"of {name}"))

    for folded in names:
        words = folded.split()
        for i in range(len(tokens) - len(words) + 1):
            if all(ledger.free(i + k) and _same(tokens[i + k], w) for k, w in enumerate(words)):
                found(i, i + len(words), folded)
                return
    for folded in names:
        words = folded.split()
        head = list(words)
        while head and head[-1] in CLUB_WORDS:
            head.pop()
        if len(head) < 2 or len(head) == len(words):
            continue
        if any(n != folded and n.split()[: len(head)] == head for n in names):
            continue
        for i in range(len(tokens) - len(head) + 1):
            if not all(ledger.free(i + k) and tokens[i + k] == w for k, w in enumerate(head)):
                continue
            after = tokens[i + len(head)] if i + len(head) < len(tokens) else ""
            before = tokens[i - 1] if i else ""
            if after in CLUB_AFTER or before in ("members", "member") or after in CLUB_WORDS:
                j = i + len(head)
                while j < len(tokens) and tokens[j] in words[len(head) :] and ledger.free(j):
                    j += 1
                found(i, j, folded)
                return


def club_membership(ledger: Ledger, facts: Facts) -> None:
    """In a running club at all ("ran for a club", "club members"), or in none ("unattached")."""
    if ledger.take(
        r"\b(?:(?:do not|did not|does not|who do not|who did not) (?:belong to|run for|run "
        r"with|have) (?:a|any) "
        r"(?:running )?(?:club|team)|(?:not|no longer) in (?:a|any) (?:running )?(?:club|team)|unattached|"
        r"(?:with )?no (?:running )?(?:club|team)|without (?:a|any) (?:running "
        r")?(?:club|team)|independents?)\b",
        "club",
    ):
        facts.filters.append(Filter(Field.CLUB, "eq", "", "not in a running club"))
    elif ledger.take(
        r"\b(?:(?:ran|run|runs|running|race|races|racing|compete[sd]?|competing) (?:for|with) "
        r"(?:a|any|their) "
        r"(?:running )?(?:club|team)|(?:belong|belongs|belonged|belonging) to (?:a|any) (?:running "
        r")?(?:club|team)|"
        r"(?:are |were |is |was )?(?:in|with|part of|members of|member of) (?:a|any) (?:running "
        r")?(?:club|team)|"
        r"club members|club runners|(?:have|has|had|with) a (?:running )?(?:club|team)(?: listed)?|"
        r"(?:club|team)[ -]affiliated|affiliated)\b",
        "club",
    ):
        facts.filters.append(Filter(Field.CLUB, "ne", "", "in a running club"))


def _same(q: str, w: str) -> bool:
    if q == w or (q in ("&", "and") and w in ("&", "and")):
        return True
    return len(w) >= 5 and len(q) >= 4 and fuzz.ratio(q, w) >= 85


PLACE_BEFORE = (
    r"(?:(?:came|come|comes|coming|hail|hails|hailed|hailing|were|are|was|is|travell?ed) from|from|of|in|"
    r"live in|living in|lives in|who live in|that live in|based in|residing in|residents of|out of|"
    r"hometown|home town)"
)
PLACE_AFTER = r"(?:residents|locals|natives|area|based)"
# words after a place that make it a place without being part of it ("Norfolk finishers")
PEEK_WORDS = frozenset(
    (
        "runners runner people folks athletes finishers registrants starters entrants women men participants"
    ).split()
)
NEGATION = r"(?:not|outside(?: of)?|excluding|except(?: for)?|other than|besides|apart from|aside from)"


def places(ledger: Ledger, facts: Facts, places_: Places, event_cities: set[str]) -> None:
    """Cities and states (names, codes, demonyms) and countries."""
    _countries(ledger, facts)
    _states_and_cities(ledger, facts, places_, event_cities)


def _countries(ledger: Ledger, facts: Facts) -> None:
    us = r"(?:the )?(?:us|u s|usa|u s a|united states|america|states)"
    if ledger.take(
        rf"\b(?:international|foreign|overseas|non us|non-us|(?:from )?outside (?:of )?{us}|"
        rf"(?:from )?abroad)(?: runners| athletes| participants| entrants)?\b",
        "place",
    ):
        facts.filters.append(Filter(Field.COUNTRY, "ne", "US", "from outside the US"))
    elif ledger.take(rf"\b(?:from|in|of|living in) {us}\b", "place"):
        facts.filters.append(Filter(Field.COUNTRY, "eq", "US", "from the US"))
    elif m := ledger.take(
        r"\b(?:from|in|of) (canada|mexico|the uk|uk|england|germany|france|kenya|ethiopia|japan)\b", "place"
    ):
        code = {
            "canada": "CA",
            "mexico": "MX",
            "the uk": "GB",
            "uk": "GB",
            "england": "GB",
            "germany": "DE",
            "france": "FR",
            "kenya": "KE",
            "ethiopia": "ET",
            "japan": "JP",
        }[m.group(1)]
        facts.filters.append(Filter(Field.COUNTRY, "eq", code, f"from {m.group(1).title()}"))


DEMONYMS = {
    "virginians": "VA",
    "marylanders": "MD",
    "pennsylvanians": "PA",
    "north carolinians": "NC",
    "south carolinians": "SC",
    "new yorkers": "NY",
    "texans": "TX",
    "californians": "CA",
    "floridians": "FL",
    "georgians": "GA",
    "ohioans": "OH",
    "tennesseans": "TN",
    "new jerseyans": "NJ",
    "west virginians": "WV",
    "kentuckians": "KY",
    "coloradans": "CO",
    "minnesotans": "MN",
    "massachusettsans": "MA",
    "bay staters": "MA",
}
# Two-letter state codes that are also words: a state only after "from"/"in" or written in capitals.
WORD_CODES = frozenset(
    {"me", "in", "or", "oh", "hi", "ok", "de", "la", "co", "id", "al", "ma", "pa", "ms", "mt", "mi"}
)


def _states_and_cities(ledger: Ledger, facts: Facts, places_: Places, event_cities: set[str]) -> None:
    found_state: tuple[str, int, int, bool] | None = None
    found_city: tuple[str, int, int, bool] | None = None
    # Cities first where a city's name contains a state's ("Virginia Beach", "Washington" the city).
    for city in sorted(places_.cities, key=lambda c: -len(c)):
        pat = (
            rf"\b(?:{NEGATION} )?(?:{PLACE_BEFORE} )?(?:the city of )?{re.escape(city)}(?: city)?"
            rf"(?: {PLACE_AFTER})?\b"
        )
        for m, a, b in ledger.search(pat):
            said = m.group(0)
            following = ledger.tokens[b] if b < len(ledger.tokens) else ""
            contextual = (
                bool(re.match(PLACE_BEFORE, said.removeprefix("not ")) or re.search(PLACE_AFTER + r"$", said))
                or following in PEEK_WORDS
            )
            is_state = city in STATES or city in ("washington", "new york")
            if is_state and not re.search(r"\bcity\b", said):
                continue  # "from New York": the state, unless the city is said
            if not contextual:
                continue  # a city's name alone may be part of something else ("Boston Marathon")
            if (
                city in event_cities
                and re.match(r"(?:not )?in ", said)
                and not re.search(PLACE_AFTER + "$", said)
            ):
                continue  # "the race in Norfolk" names where the event is
            found_city = (city, a, b, bool(re.match(NEGATION, said)))
            break
        if found_city:
            break
    if found_city is None:
        for name, code in sorted({**STATES, **DEMONYMS}.items(), key=lambda kv: -len(kv[0])):
            pat = (
                rf"\b(?:{NEGATION} )?(?:{PLACE_BEFORE} )?(?:the state of )?{re.escape(name)}(?: state)?"
                rf"(?: {PLACE_AFTER})?\b"
            )
            if hit := ledger.first(pat):
                m, a, b = hit
                found_state = (code, a, b, bool(re.match(NEGATION, m.group(0))))
                break
    if found_city is None and found_state is None:
        codes = "|".join(c.lower() for c in STATE_NAMES)
        for m, a, b in ledger.search(
            rf"\b(?:{NEGATION} )?(?:{PLACE_BEFORE} )?({codes})(?: {PLACE_AFTER})?\b"
        ):
            code = m.group(1)
            following = ledger.tokens[b] if b < len(ledger.tokens) else ""
            contextual = m.group(0) != code or (following in PEEK_WORDS and code not in WORD_CODES)
            if code in WORD_CODES and not contextual and code.upper() not in facts_upper(facts):
                continue
            if (
                code in WORD_CODES
                and code.upper() not in facts_upper(facts)
                and not re.search(
                    rf"{PLACE_BEFORE} {code}$|{code} {PLACE_AFTER}$", m.group(0).removeprefix("not ")
                )
            ):
                continue
            found_state = (code.upper(), a, b, bool(re.match(NEGATION, m.group(0))))
            break
    if ledger.take(
        r"\b(?:from )?out(?: of)? ?(?:of )?state(?: runners| residents| participants| entrants)?\b|"
        r"\bout-of-state\b|\bnon ?residents?\b",
        "place",
    ):
        facts.filters.append(Filter(Field.STATE, "ne", "event", "from out of state"))
    elif ledger.take(
        r"\b(?:in ?state|in-state|local|locals|from in state)(?: runners| residents)?\b", "place"
    ):
        facts.filters.append(Filter(Field.STATE, "eq", "event", "from the event's state"))
    if found_city:
        city, a, b, negated = found_city
        ledger.claim(a, b, "place")
        options = places_.cities[city]
        name = options[0].city
        facts.filters.append(
            Filter(Field.CITY, "ne" if negated else "eq", name, f"{'not ' if negated else ''}from {name}")
        )
    if found_state:
        code, a, b, negated = found_state
        ledger.claim(a, b, "place")
        facts.filters.append(
            Filter(
                Field.STATE,
                "ne" if negated else "eq",
                code,
                f"{'not ' if negated else ''}from {STATE_NAMES.get(code, code)}",
            )
        )
        # a second mention of the same state ("Virginia ... VA") is the same filter
        for name, c in STATES.items():
            if c == code:
                ledger.take_all(rf"\b{re.escape(name)}\b", "place")
        ledger.take_all(rf"\b{code.lower()}\b", "place") if code.lower() not in WORD_CODES else None


def facts_upper(facts: Facts) -> set[str]:
    return facts.upper_codes


# ----------------------------------------------------------------------------------------- the rest


def names(ledger: Ledger, facts: Facts) -> None:
    """Runners by one name: "named Smith", "with the last name Garcia", "called Alice"."""
    if m := ledger.take(
        r"\b(?:with the |whose )?(last name|surname|family name|first name|given name)s? "
        r"(?:is |was |of )?([a-z][a-z'\-]+)\b",
        "name",
    ):
        field = Field.FIRST_NAME if m.group(1).startswith(("first", "given")) else Field.LAST_NAME
        facts.filters.append(Filter(field, "eq", m.group(2), f"with the {m.group(1)} {m.group(2).title()}"))
    elif m := ledger.take(r"\b(?:named|called|by the name(?: of)?) ([a-z][a-z'\-]+)\b", "name"):
        facts.filters.append(Filter(Field.ANY_NAME, "eq", m.group(1), f"named {m.group(1).title()}"))


def top_places(ledger: Ledger, facts: Facts) -> None:
    """ "in the top 100" (a position condition, not the first 100 of a filtered list)."""
    if m := ledger.take(
        r"\b(?:finished |placed |were |was |came |who finished |that finished )?in the top (\d+)"
        r"( overall| women| men| of (?:the )?(?:women|men))?\b",
        "place",
    ):
        limit = int(m.group(1))
        tail = (m.group(2) or "").strip()
        field = Field.SEX_PLACE if tail and "overall" not in tail else Field.OVERALL_PLACE
        words = f"in the top {limit}" + (" of their sex" if field == Field.SEX_PLACE else " overall")
        facts.filters.append(Filter(field, "le", limit, words))


def bibs(ledger: Ledger, facts: Facts) -> None:
    if m := ledger.take(
        r"\b(?:wearing |with |in )?(?:bib|bibs|race number|racing number)(?: number| no| num)?"
        r"(?: #)? ?(\d{1,6})\b",
        "bib",
    ):
        facts.filters.append(Filter(Field.BIB, "eq", m.group(1), f"bib {m.group(1)}"))


def _duration_ms(value: str, unit: str | None, long_race: bool) -> int | None:
    if ":" in value:
        parts = [float(p) for p in value.split(":")]
        if len(parts) == 2:
            # "3:30" is hours:minutes for long races, minutes:seconds for short ones
            return (
                int((parts[0] * 3600 + parts[1] * 60) * 1000)
                if long_race
                else int((parts[0] * 60 + parts[1]) * 1000)
            )
        return int((parts[0] * 3600 + parts[1] * 60 + parts[2]) * 1000)
    number = float(value)
    if unit is None:
        return int(number * (3600 if long_race else 60) * 1000)
    if unit.startswith(("h",)):
        return int(number * 3600 * 1000)
    if unit.startswith(("m",)):
        return int(number * 60 * 1000)
    return int(number * 1000)


def time_limits(ledger: Ledger, facts: Facts, long_race: bool) -> None:
    """Finish-time thresholds: "under 4 hours", "sub-3", "faster than 25:00", "over 5 hours"."""
    unit = r"(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?)"
    value = r"(\d{1,2}:\d{2}(?::\d{2})?|\d+(?:\.\d+)?)"
    for pattern, op in (
        (
            r"\b(?:in |with |ran |running |went |go |going |broke |breaking |who went |that went "
            r")?(?:under|below|less than|faster than|broke|breaking|quicker "
            rf"than|within|sub) ?-?{value}"
            rf"(?: ?{unit})?\b",
            "lt",
        ),
        (
            r"\b(?:in |with |ran |running |went |go |going |broke |breaking |who went |that went "
            r")?(?:over|above|more than|slower than|longer "
            rf"than|beyond) {value} ?{unit}\b",
            "gt",
        ),
        (
            r"\b(?:in |with )?(?:over|above|more than|slower than|longer than) "
            r"(\d{1,2}:\d{2}(?::\d{2})?)\b()",
            "gt",
        ),
    ):
        for m, a, b in ledger.search(pattern):
            raw_unit = m.group(2) if m.lastindex and m.lastindex >= 2 else None
            if raw_unit == "":
                raw_unit = None
            said = m.group(0)
            if raw_unit is None and ":" not in m.group(1) and not re.search(r"\b(?:sub|in under)\b", said):
                continue  # "under 20" is an age unless a unit or a clock time says otherwise
            ms = _duration_ms(m.group(1), raw_unit, long_race)
            if ms is None or ms <= 0:
                continue
            ledger.claim(a, b, "time")
            from racehub.timefmt import format_ms

            words = ("faster than " if op == "lt" else "slower than ") + str(format_ms(ms, tenths=False))
            facts.filters.append(Filter(Field.TIME, cast(Op, op), ms, words))
            return


SOURCES = {
    "runsignup": "runsignup",
    "run signup": "runsignup",
    "raceroster": "raceroster",
    "race roster": "raceroster",
}


def sources(ledger: Ledger, facts: Facts) -> None:
    names = "|".join(SOURCES)
    if m := ledger.take(
        rf"\b(?:(?:(?:who |that )?(?:registered|signed up|came|registrations?|entries|signups) )?"
        rf"(?:via|through|on|from|with|using|in) )?({names})(?: registrations?| entries| signups|"
        rf" registrants)?\b",
        "source",
    ):
        value = SOURCES[m.group(1)]
        if re.search(r"registered|signed up|registration|entries|signups|registrants", m.group(0)):
            facts.populations.append(Population.REGISTERED)
        facts.filters.append(Filter(Field.SOURCE, "eq", value, f"registered through {value}"))


def registration_dates(ledger: Ledger, facts: Facts) -> None:
    """When runners registered: "registered in January", "signed up before March 1", "after 2025-02-01"."""
    month = "|".join(sorted(MONTHS, key=len, reverse=True))
    verb = r"(?:registered|signed up|registering|signing up|entered|registrations?|sign ups|signups|entries)"
    if m := ledger.take(
        rf"\b{verb} (before|after|by|since|until|prior to) ({month}) (\d{{1,2}})(?:st|nd|rd|th)?"
        rf"(?: (20\d\d))?\b",
        "registered_at",
    ):
        y = (
            int(m.group(4))
            if m.group(4)
            else (facts.years.years[0] if facts.years and facts.years.years else facts.today.year)
        )
        day = date(y, MONTHS[m.group(2)], int(m.group(3)))
        op: Literal["lt", "ge"] = "lt" if m.group(1) in ("before", "by", "until", "prior to") else "ge"
        facts.filters.append(
            Filter(Field.REGISTERED_AT, op, day, f"registered {m.group(1)} {day:%B %-d, %Y}")
        )
        facts.populations.append(Population.REGISTERED)
    elif m := ledger.take(
        rf"\b{verb} (?:in|during|within|over) (?:the )?(?:last|past|previous) (\w+) (days|weeks|months)\b",
        "registered_at",
    ):
        count = number_word(m.group(1)) or 0
        days = {"days": 1, "weeks": 7, "months": 30}[m.group(2)] * count
        since = facts.today - timedelta(days=days)
        facts.filters.append(Filter(Field.REGISTERED_AT, "ge", since, f"registered since {since:%B %-d, %Y}"))
        facts.populations.append(Population.REGISTERED)
    elif m := ledger.take(
        rf"\b{verb} (?:(?:made|placed|submitted|received) )?(?:in|during) ({month})(?: (20\d\d))?\b",
        "registered_at",
    ) or ledger.take(
        # "how many sign ups did the 2026 Jingle Bell Run get during December"
        rf"\b(?:sign ups|signups|registrations|entries|registrants|entrants)(?: [\w']+){{0,12}}? (?:get|got|"
        rf"gets|receive|received|take in|took in|see|saw|have|had|come in|came in|made|placed|submitted) "
        rf"(?:in|during) ({month})"
        r"(?: (20\d\d))?\b",
        "registered_at",
    ):
        mo = MONTHS[m.group(1)]
        in_year = int(m.group(2)) if m.group(2) else None
        facts.filters.append(
            Filter(
                Field.REGISTERED_AT,
                "in",
                (mo, in_year),
                f"registered in {date(2000, mo, 1):%B}" + (f" {in_year}" if in_year else ""),
            )
        )
        facts.populations.append(Population.REGISTERED)


def number_word(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS.get(text)
