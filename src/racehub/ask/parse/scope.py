"""Recognisers of where and when: timing companies, events, races, years and date windows."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from rapidfuzz import fuzz

from racehub.ask.catalog import Catalog, Series
from racehub.ask.parse.facts import EventMention, Facts, RaceWord, YearSpec
from racehub.ask.parse.ledger import Ledger, words_of
from racehub.ask.reading import Window
from racehub.ask.text import MONTHS, NUMBER_WORDS

# Words of an event's name that name a distance or a kind of event rather than one event.
GENERIC = frozenset(
    "the a an of and & marathon half weekend run race races trail miler mile miles k km festival classic "
    "series challenge fun road annual event 5 8 10 25 50 1".split()
)
UMBRELLA = frozenset({"weekend", "festival", "series", "classic", "challenge"})
DISTANCE_TOKEN = re.compile(r"^\d+(\.\d+)?(k|km|mi|m)?$")

# Race kinds said in words, as the catalogue names them (`catalog.race_kind_of`).
RACE_PATTERNS: list[tuple[str, str]] = [
    (r"(?:1|one) ?mile fun run|fun run|kids? (?:fun )?run|(?:1|one) mile run", "1mi"),
    (r"half(?: marathon| marathons| mary)?|halfmarathon|hm|13\.1(?: miles?)?|21\.1 ?k", "half"),
    (r"(?:full )?marathons?|26\.2(?: miles?)?|42\.2 ?k|the full", "marathon"),
    (r"(\d+(?:\.\d+)?) ?(?:k|ks|km|kms|kilometers?|kilometres?)(?! (?:pace|per)\b)", "{0}k"),
    (r"(\d+|one|two|three|five|ten) ?(?:-)?(?:milers?|miles?|mi)(?! (?:pace|per|split)\b)", "{0}mi"),
]
_NUM = {"one": "1", "two": "2", "three": "3", "five": "5", "ten": "10"}
RACE_RE = [(re.compile(rf"\b(?:{p})\b"), kind) for p, kind in RACE_PATTERNS]
WHOLE_EVENT = re.compile(
    r"\b(?:(?:across |over |in |for |at )?(?:all|both|every|each)(?: (?:two|three|four|\d))? (?:the "
    r"|of the )?"
    r"(?:races|distances|events? races|race distances|courses|of its races|of the races)(?: "
    r"together| combined)?|"
    r"all races combined|(?:the )?(?:whole|entire)(?: _)* (?:event|weekend|edition)|(?:the "
    r")?(?:whole|entire)(?= _)|"
    r"(?:all|both) (?:the )?(?:races|distances))\b"
)


def race_kind(words: str) -> str | None:
    for pattern, kind in RACE_RE:
        m = pattern.fullmatch(words)
        if m:
            if "{0}" in kind:
                num = _NUM.get(m.group(1), m.group(1))
                num = num.rstrip("0").rstrip(".") if "." in num else num
                return kind.format(num)
            return kind
    return None


# ---------------------------------------------------------------------------------------- companies


def companies(ledger: Ledger, facts: Facts, catalog: Catalog) -> None:
    _companies(ledger, facts, catalog)
    if facts.company is not None:
        # "across every Acme Racing event", "all of Tidewater's races"
        ledger.take_all(r"\b(?:every|all(?: of)?|each|any)(?= _)", "company")


def _companies(ledger: Ledger, facts: Facts, catalog: Catalog) -> None:
    """A timing company named in the question (the operator sees several): its editions only."""
    orgs: dict[int, str] = {}
    for ed in catalog.editions:
        orgs.setdefault(ed.org_id, ed.org_name)
    for org_id, name in orgs.items():
        tokens = words_of(name)
        distinct = [
            t for t in tokens if t not in {"timing", "racing", "sports", "events", "inc", "llc", "co"}
        ]
        full = r"\b" + r" ".join(re.escape(t) for t in tokens) + r"(?: (?:inc|llc|co|ltd))?\b"
        m = ledger.take(full, "company")
        if m is None and distinct and len(orgs) > 1:
            head = " ".join(re.escape(t) for t in distinct)
            m = ledger.take(rf"\b{head}(?= (?:events|races|editions|company)\b)", "company")
        if m is not None:
            facts.company = (org_id, name)
            return


# ------------------------------------------------------------------------------------------- events


def _tok(q: str, s: str, fuzzy: bool = True) -> tuple[bool, bool]:
    """(matches, exactly) for a question word against a word of an event's name."""
    if q == s:
        return True, True
    # a misspelt generic word ("marthon") may join a name said exactly ("Boston")
    if (
        (fuzzy or s in GENERIC)
        and len(s) >= 4
        and len(q) >= 3
        and not DISTANCE_TOKEN.match(q)
        and not DISTANCE_TOKEN.match(s)
    ):
        if fuzz.ratio(q, s) >= 80:
            return True, False
    return False, False


def _best_span(
    ledger: Ledger, name: list[str], distinct: set[str], fuzzy: bool = True
) -> tuple[int, int, int, bool, bool] | None:
    """The longest run of free question words spelling words of `name` in order (a generic word of the
    name may be skipped): (start, end, distinct words matched, every word said, exact)."""
    q = ledger.tokens
    best: tuple[int, int, int, bool, bool] | None = None
    for i in range(len(q)):
        if not ledger.free(i):
            continue
        for j in range(len(name)):
            k, jj, hit, exact, used = i, j, 0, True, []
            while k < len(q) and jj < len(name) and ledger.free(k):
                ok, same = _tok(q[k], name[jj], fuzzy)
                if not ok and name[jj] in GENERIC and jj + 1 < len(name):
                    ok, same = _tok(q[k], name[jj + 1], fuzzy)
                    if ok:
                        jj += 1
                if not ok:
                    break
                used.append(jj)
                hit += name[jj] in distinct
                exact &= same
                k, jj = k + 1, jj + 1
            if hit == 0:
                continue
            full = len(set(used)) == len(name)
            cand = (i, k, hit, full, exact)
            if best is None or (hit, k - i, exact) > (best[2], best[1] - best[0], best[4]):
                best = cand
    return best


CITY_CONTEXT = re.compile(r"(?:from|in|of|live in|living in|lives in|based in|residents of|near) _?$")


def events(
    ledger: Ledger, facts: Facts, catalog: Catalog, cities: set[str], *, fuzzy: bool = True
) -> list[str]:
    """Events named in the question, each with the race kinds said inside its name. Returns the names
    of events whose mention was ambiguous (two events matched the same words equally well)."""
    found: list[tuple[tuple[int, int, bool, bool], Series, tuple[int, int, int, bool, bool]]] = []
    city_like: list[Series] = []
    for s in catalog.series:
        name = words_of(s.name)
        distinct = {t for t in name if t not in GENERIC and not DISTANCE_TOKEN.match(t)} or set(name)
        span = _best_span(ledger, name, distinct, fuzzy)
        if span is None:
            continue
        start, end, hit, full, exact = span
        if hit / len(distinct) < 0.5:
            continue
        if not fuzzy and hit == 1 < len(distinct) and not full:
            continue  # "Bell" of "Amber Bell" is no mention of the Jingle Bell Run until runners are read

        said = " ".join(ledger.tokens[start:end])
        if not full and end - start == 1 and said in cities:
            before = " ".join(ledger.tokens[max(0, start - 3) : start])
            if CITY_CONTEXT.search(before):
                continue  # "runners from Boston": a city, not the Boston Marathon
            after = ledger.tokens[end] if end < len(ledger.tokens) else ""
            year_next = re.fullmatch(r"20\d\d", after) or (
                start and re.fullmatch(r"20\d\d", ledger.tokens[start - 1])
            )
            if after in ("runners", "residents", "people", "finishers", "registrants") and not year_next:
                city_like.append(s)  # "Boston finishers": the city if another event is named
        found.append(((hit, end - start, full, exact), s, span))
    if city_like and len(found) > len(city_like):
        found = [f for f in found if f[1] not in city_like]
    found.sort(key=lambda f: f[0], reverse=True)
    ambiguous: list[str] = []
    taken: list[tuple[int, int]] = []
    for key, s, (start, end, _hit, full, exact) in found:
        if any(start < e and b < end for b, e in taken):
            rivals = [f for f in found if f[0] == key and f[1] is not s and f[2][0] == start]
            if rivals and not ambiguous:
                ambiguous = [s.name, *(r[1].name for r in rivals)]
            continue
        name_words = words_of(s.name)
        mention_words = ledger.tokens[start:end]
        # the name's own words for what was said ("marthon" is the name's "marathon")
        as_named = [next((w for w in name_words if _tok(q, w)[0]), q) for q in mention_words]
        kinds = _kinds_in(as_named, s)
        umbrella = bool(UMBRELLA & set(mention_words)) or (
            end < len(ledger.tokens) and ledger.tokens[end] in ("event", "weekend") and ledger.free(end)
        )
        if umbrella and end < len(ledger.tokens) and ledger.tokens[end] in ("event", "weekend"):
            end += 1
        ledger.claim(start, end, "event")
        taken.append((start, end))
        joined = next((m for m in facts.events if m.series is s and (m.end == start or end == m.start)), None)
        if joined is not None:
            # "chery" read after "blossom 10 miler": one mention of the event, said in two passes
            joined.start, joined.end = min(joined.start, start), max(joined.end, end)
            said_all = ledger.tokens[joined.start : joined.end]
            joined.full = (
                joined.full or [t for t in said_all] == name_words or len(said_all) >= len(name_words)
            )
            joined.kinds = _kinds_in([next((w for w in name_words if _tok(q, w)[0]), q) for q in said_all], s)
            joined.umbrella = joined.umbrella or umbrella
            continue
        facts.events.append(
            EventMention(s, start, end, full or mention_words == name_words, kinds, umbrella, exact)
        )
    facts.events.sort(key=lambda m: m.start)
    return ambiguous


def _kinds_in(words: list[str], series: Series) -> list[str]:
    """Race kinds said inside an event's mention that one of its races has ("Shamrock Marathon")."""
    available = {r.kind for ed in series.editions.values() for r in ed.races}
    text = " ".join(words)
    kinds = []
    for pattern, _ in RACE_RE:
        for m in pattern.finditer(text):
            kind = race_kind(m.group(0))
            if kind and kind in available and kind not in kinds:
                kinds.append(kind)
    return kinds


def race_words(ledger: Ledger, facts: Facts) -> None:
    """Races named by distance outside event names ("the 25K at Blue Ridge", "the women's half")."""
    if ledger.take_all(WHOLE_EVENT, "whole_event"):
        facts.whole_event = True
    for pattern, _ in RACE_RE:
        for m, a, _b in list(ledger.search(pattern)):
            kind = race_kind(m.group(0))
            if kind is None or not all(ledger.free(i) for i in range(a, _b)):
                continue
            ledger.claim(a, _b, "race")
            facts.race_words.append(RaceWord(kind, a, m.group(0)))


# -------------------------------------------------------------------------------------------- years

YEAR = r"(20\d\d)"


class _Counts(dict[str, int]):
    """Number words and any whole number written in digits."""

    def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]
        if key.isdigit() and 0 < int(key) < 1000:
            return int(key)
        return super().get(key, default)


_COUNT = _Counts(NUMBER_WORDS)
# Every edition, one figure each ("each year", "by year", "year over year").
EVERY_EDITION = re.compile(
    r"\b(?:each|every|per|by|for each|in each) (?:year|edition)s?\b|\byear (?:over|by|to|on) year\b"
)
# Every edition, taken as a whole unless a measure asks per year ("over the years", "across all editions").
ALL_EDITIONS = re.compile(
    r"\b(?:all(?: the)?|across(?: all)?(?: the)?|over (?:the|all)(?: the)?)(?: (?:two|three|four|five|\d))? "
    r"(?:years|editions)\b|\bover time\b|"
    r"\bacross (?:the |all )?(?:years|editions)\b|\ball (?:of )?(?:its|the) editions\b"
)
ALL_TIME = re.compile(
    r"\ball[ -]time\b|\bever\b|\banyone (?:has |have )?(?:ever )?(?:run|ran|done|raced)\b|\bin "
    r"(?:its |their |our |the race's |the event's )?history\b|"
    r"\bhistorically\b|\bof all time\b|\bany year\b"
)


def years(ledger: Ledger, facts: Facts) -> None:
    today = facts.today
    spec: YearSpec | None = None
    if m := ledger.take(
        rf"\b(?:from |between )?{YEAR} ?(?:-|to|and|through|thru|until|till|up to) ?{YEAR}\b", "year"
    ):
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        bounded = re.match(r"(from|between)", m.group(0)) or re.search(
            r"-|to|through|thru|until|till", m.group(0)
        )
        if re.search(r"\band\b", m.group(0)) and not m.group(0).startswith("between"):
            spec = YearSpec([a, b], "list", m.group(0))
        elif bounded:
            spec = YearSpec(list(range(a, b + 1)), "range", m.group(0))
    elif m := ledger.take(r"\b(\d{4})-(\d{2,4})\b", "year"):
        a = int(m.group(1))
        b = int(m.group(2)) if len(m.group(2)) == 4 else a // 100 * 100 + int(m.group(2))
        spec = YearSpec(list(range(min(a, b), max(a, b) + 1)), "range", m.group(0))
    elif m := ledger.take(rf"\bsince {YEAR}\b", "year"):
        spec = YearSpec(list(range(int(m.group(1)), today.year + 1)), "range", m.group(0))
    elif m := ledger.take(
        r"\b(?:in |over |during )?the (?:last|past|previous) (\w+) (?:years|editions|seasons)\b", "year"
    ):
        n = _COUNT.get(m.group(1))
        if n:
            spec = YearSpec(list(range(today.year - n + 1, today.year + 1)), "range", m.group(0))
            facts.notes.append(f"'{m.group(0)}' read as {today.year - n + 1}-{today.year}")
    said_at: list[tuple[int, int]] = []
    explicit = []
    month_words = "|".join(MONTHS)
    for m, a, b in list(ledger.search(rf"\b(?:in |of |for |the )?{YEAR}(?: edition)?\b")):
        if a and ledger.tokens[a - 1] in MONTHS and not re.match(r"(in|of|for|the) ", m.group(0)):
            continue  # "November 2025": the month's year
        if not all(ledger.free(i) for i in range(a, b)):
            continue
        ledger.claim(a, b, "year")
        explicit.append(int(m.group(1)))
    del month_words
    said_at += (
        [
            (y, c.start)
            for y, c in zip(
                explicit, [c for c in ledger.claims if c.by == "year"][-len(explicit) :], strict=False
            )
        ]
        if explicit
        else []
    )
    relative = []
    for pattern, delta in (
        (r"\b(?:the )?year before last\b", -2),
        (r"\b(?:last|previous|prior|past) year\b|\ba year ago\b|\blast years?\b", -1),
        (r"\b(?:this|current|the current) year\b|\bthis years?\b", 0),
        (r"\bnext year\b|\bnext years?\b", 1),
        (r"\b(two|three|four|2|3|4) years ago\b", None),
    ):
        while m := ledger.take(pattern, "year"):
            if delta is None:
                back = _COUNT[m.group(1)]
                relative.append(today.year - back)
            else:
                relative.append(today.year + delta)
            said_at.append((relative[-1], ledger.claims[-1].start))
    said = explicit + [y for y in relative if y not in explicit]
    if spec is not None:
        for y in said:
            if y not in spec.years:
                spec.years.append(y)
    elif len(said) == 1:
        spec = YearSpec(said, "single" if explicit else "relative", str(said[0]))
    elif said:
        spec = YearSpec(sorted(set(said)), "list", " and ".join(map(str, said)))
    if spec is not None:
        spec.said_at = sorted(said_at, key=lambda p: p[1])
    if ledger.take_all(EVERY_EDITION, "year"):
        if spec is None:
            spec = YearSpec([], "every", "every edition")
        facts.series = True
    if ledger.take(ALL_EDITIONS, "year") and spec is None:
        spec = YearSpec([], "every", "every edition")
    if ledger.take(ALL_TIME, "year"):
        if spec is None:
            spec = YearSpec([], "every", "every edition")
        facts.combined = True
    facts.years = spec


# ------------------------------------------------------------------------------------------ windows

MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30, "year": 365, "years": 365}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 2)}


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _month(ledger: Ledger) -> re.Match[str] | None:
    """A month named ("in December 2026", "in dec"); "may" only as "in May" or "May 2026"."""
    for m, a, b in ledger.search(rf"\b(?:in |during |for )?({MONTH_RE})(?: of)?(?: {YEAR})?\b"):
        if m.group(1) in ("may", "mar", "jun", "jan") and not (
            m.group(0).startswith(("in ", "during ", "for ")) or m.group(2)
        ):
            continue
        ledger.claim(a, b, "window")
        return m
    return None


def windows(ledger: Ledger, facts: Facts) -> None:
    """Date windows relative to today, for the catalogue ("in the next two weeks", "in December 2026")."""
    today = facts.today
    w: Window | None = None
    if m := ledger.take(
        r"\b(?:in |within |over |during )?(?:the )?(?:next|coming|upcoming) (\w+) "
        r"(days|weeks|months)\b",
        "window",
    ):
        n = _COUNT.get(m.group(1))
        if n:
            end = today + timedelta(days=n * UNITS[m.group(2)])
            if m.group(2) == "months":
                y, mo = divmod(today.month - 1 + n, 12)
                end = date(
                    today.year + y, mo + 1, min(today.day, calendar.monthrange(today.year + y, mo + 1)[1])
                )
            w = Window(
                today, end, f"in the next {m.group(1)} {m.group(2)} ({today:%b %-d} - {end:%b %-d, %Y})"
            )
    elif m := ledger.take(
        r"\b(?:in |over |during )?(?:the )?(?:last|past|previous) (\w+) (days|weeks|months)\b", "window"
    ):
        n = _COUNT.get(m.group(1))
        if n:
            back = today - timedelta(days=n * UNITS[m.group(2)])
            w = Window(
                back, today, f"in the last {m.group(1)} {m.group(2)} ({back:%b %-d} - {today:%b %-d, %Y})"
            )
    elif m := ledger.take(
        r"\b(?:(?:in|within|over|during) )?the (?:next|coming) (week|month)\b|\bwithin (?:a|the "
        r"next) (week|month)\b",
        "window",
    ):
        # "in the next week": the coming seven days (bare "next week" is the calendar week after this one)
        unit = m.group(1) or m.group(2)
        end = today + timedelta(days=7 if unit == "week" else 30)
        w = Window(today, end, f"in the next {unit} ({today:%b %-d} - {end:%b %-d, %Y})")
    elif m := ledger.take(
        r"\b(?:in |during )?(?:the )?(next|this|coming|last|previous|past) (week|weekend|month)\b", "window"
    ):
        which, unit = m.group(1), m.group(2)
        if unit == "month":
            y, mo = today.year, today.month
            if which in ("next", "coming"):
                y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
            elif which in ("last", "previous", "past"):
                y, mo = (y - 1, 12) if mo == 1 else (y, mo - 1)
            w = Window(date(y, mo, 1), _month_end(y, mo), f"{which} month ({date(y, mo, 1):%B %Y})")
        else:
            monday = today - timedelta(days=today.weekday())
            if which in ("next", "coming"):
                monday += timedelta(days=7)
            elif which in ("last", "previous", "past"):
                monday -= timedelta(days=7)
            first = monday + timedelta(days=5) if unit == "weekend" else monday
            w = Window(
                first,
                monday + timedelta(days=6),
                f"{which} {unit} ({first:%b %-d} - {monday + timedelta(days=6):%b %-d, %Y})",
            )
    elif (hit := _month(ledger)) is not None:
        m = hit
        mo = MONTHS[m.group(1)]
        said_year = int(m.group(2)) if m.group(2) else None
        if said_year is None and facts.years and len(facts.years.years) == 1:
            said_year = facts.years.years[0]
        y = said_year or today.year
        w = Window(date(y, mo, 1), _month_end(y, mo), f"in {date(y, mo, 1):%B %Y}")
    elif m := ledger.take(r"\b(?:in |during |this )?(?:the )?(spring|summer|fall|autumn|winter)\b", "window"):
        a, b = SEASONS[m.group(1)]
        y = facts.years.years[0] if facts.years and len(facts.years.years) == 1 else today.year
        season_start = date(y, a, 1)
        season_end = _month_end(y + (b < a), b)
        w = Window(
            season_start,
            season_end,
            f"in the {m.group(1)} of {y} ({season_start:%b %-d} - {season_end:%b %-d, %Y})",
        )
    if ledger.take(
        r"\b(?:the )?(?:rest|remainder) of (?:the|this) year\b|\blater this year\b|"
        r"\bstill to come\b|\bremaining(?: this year)?\b",
        "window",
    ):
        w = Window(today, date(today.year, 12, 31), f"the rest of {today.year}", "upcoming")
    held = ledger.take(
        r"\b(?:have |has )?(?:already )?(?:taken place|took place|happened|been held|were held|was held|"
        r"been run|are done|are over)(?: already)?(?: so far)?\b|\balready (?:run|held|over|done)\b|"
        r"\bearlier\b|\bpast\b(?! \w+ (?:days|weeks|months|years))",
        "window",
    )
    upcoming = ledger.take(
        r"\b(?:upcoming|coming up|scheduled|planned|in the future|future|ahead|to come|on the calendar|"
        r"on the schedule|(?:the )?next(?: one)?|yet to (?:happen|take place|run))\b",
        "window",
    )
    if held:
        start: date | None = w.start if w else None
        if start is None and facts.years and len(facts.years.years) == 1:
            start = date(facts.years.years[0], 1, 1)
        end = min(w.end, today) if w and w.end else today
        since = f"since {start:%b %-d, %Y} " if start else ""
        words = f"held {since}up to today ({today:%b %-d, %Y})"
        w = Window(start, end, words, "completed")
    elif upcoming:
        if w is None:
            w = Window(
                today,
                None,
                f"upcoming (from {today:%b %-d, %Y})",
                "upcoming",
                next_only=bool(re.search(r"\bnext\b", upcoming.group(0))),
            )
        else:
            w = Window(max(w.start or today, today), w.end, w.words, "upcoming")
    facts.window = w
