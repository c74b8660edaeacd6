"""Recognisers of what is asked: reports, splits, awards, who is counted, and what is computed over them."""

from __future__ import annotations

import re

from racehub.ask.parse.facts import Facts
from racehub.ask.parse.ledger import Ledger
from racehub.ask.reading import AwardSpec, Population
from racehub.ask.text import NUMBER_WORDS, ORDINALS

NUM = r"(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
ORD = r"(" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + r"|\d+(?:st|nd|rd|th))"


def _num(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def _ord(text: str) -> int:
    return ORDINALS.get(text) or int(re.sub(r"\D", "", text))


# -------------------------------------------------------------------------------------------- files


# "I'm putting together a report for the director": what the asker is doing, neither figures taken
# together nor a report asked for (read before either).
ASKERS_WORK = (
    r"\b(?:putting|put|pulling|pull|getting|get|working on|writing|preparing|doing) together"
    r"(?: (?:a|an|the|some|my|our) "
    r"(?:report|numbers|figures|stats|statistics|summary|deck|email|update|recap))?\b|"
    r"\b(?:working on|writing|preparing|doing) (?:a|an|the|my|our) "
    r"(?:report|summary|deck|email|update|recap)\b|"
    r"\b(?:for|to) (?:our|my|the|a) race directors?\b"
)


def askers_work(ledger: Ledger, facts: Facts) -> None:
    ledger.take_all(ASKERS_WORK, "filler")


def reports(ledger: Ledger, facts: Facts) -> None:
    """Files: CSV/exports, with mailing addresses or contact details (those go to a file, not a table)."""
    if ledger.take(
        r"\b(?:with |and |plus |including |incl )?(?:their )?(?:emails?|email "
        r"addresses|e-mails?|phone numbers?|"
        r"phones|contact (?:info|information|details|list))(?: list| addresses)?\b",
        "report",
    ):
        facts.columns.append("contact")
    addresses = (
        r"(?:with |including |plus |and |incl |w/ |along with )?(?:their |the |all )?(?:full )?"
        r"(?:mailing|postal|home|street|snail mail)? ?address(?:es)?(?: (?:info|information|details))?"
        r"(?: for (?:the )?(?:packet pickup|mailing|award|medal|shipping)[a-z ]*)?"
    )
    if ledger.take(rf"\b{addresses}\b", "report"):
        facts.addresses = True
    if ledger.take_all(
        r"\b(?:as (?:a |an )?|in (?:a |an )?)?(?:csv|spreadsheet|excel|xlsx|export|exported|download|"
        r"downloadable|file|mailing list|mail merge|mailing labels|labels|report)(?: file| export| list|"
        r" format)?\b",
        "report",
    ):
        facts.report = "rows"
    if (facts.addresses or "contact" in facts.columns) and facts.report is None:
        facts.report = "rows"
    if facts.report:
        ledger.take_all(
            r"\b(?:generate|create|make|build|produce|pull|export|prepare|put together|"
            r"send|email|give|need|want|list)\b",
            "report",
        )
        ledger.take_all(
            r"\b(?:packet pickup|pickup|letters|mailing|mail "
            r"out|mailers|envelopes|shipping|mail|send out|ship|"
            r"postcards|thank you notes|plaques|medals|certificates|trophies|invitations|so we can|so i can|"
            r"included|attached|in it)\b",
            "report",
        )


# ------------------------------------------------------------------------------------------- splits

SPLIT_POINT = (
    r"(aid(?: station)? \d+|half ?marathon|half ?way|halfway|half|13\.1(?: miles?)?|(\d+(?:\.\d+)?) "
    r"?(?:k|km)|"
    r"(\d+|one|two|three|five|ten) ?(?:miles?|mi|milers?)|mile (\d+))"
)


def splits(ledger: Ledger, facts: Facts) -> None:
    m = (
        ledger.take(
            rf"\b(?:splits?|split times?|intermediate times?)(?: time)? (?:at|for|through|to|from) (?:the )?"
            rf"{SPLIT_POINT}(?: split| mark| point| checkpoint| mat)?\b",
            "split",
        )
        or ledger.take(
            rf"\b(?:the |their |his |her )?{SPLIT_POINT} (?:split|splits|split time|split times|mark|point|"
            r"checkpoint|time check|timing mat|mat)\b",
            "split",
        )
        or ledger.take(
            r"\b(?:at|through|passing|when (?:he|she|they) passed) (?:the )?(half ?way|halfway)"
            r"(?: point| mark)?\b",
            "split",
        )
    )
    if m:
        facts.split = _split_name(m)
        facts.split_asked = True
    elif ledger.take(
        r"\b(?:all |the |their |his |her )?(?:splits|split times|intermediate times|split|checkpoints|"
        r"split data|timing points)\b",
        "split",
    ):
        facts.split_asked = True


def _split_name(m: re.Match[str]) -> str:
    said = m.group(0)
    if aid := re.search(r"aid(?: station)? (\d+)", said):
        return f"name:aid {aid.group(1)}"
    if re.search(r"half|13\.1", said):
        return "half"
    if km := re.search(r"(\d+(?:\.\d+)?) ?(?:k|km)\b", said):
        return f"{km.group(1)}k"
    if mi := re.search(r"(\d+|one|two|three|five|ten) ?(?:miles?|mi|milers?)\b|mile (\d+)", said):
        n = mi.group(1) or mi.group(2)
        return f"{NUMBER_WORDS.get(n, n)}mi"
    return said


# ------------------------------------------------------------------------------------------- awards


def awards(ledger: Ledger, facts: Facts) -> None:
    if m := ledger.take(
        r"\b(?:the )?(?:age[ -]?group|agegroup|ag|division)(?: award| awards| winners?| champions?|"
        r" medals?| prizes?| podium| placers| placings| award winners)\b",
        "awards",
    ):
        facts.awards = AwardSpec("age_group", winners_only=bool(re.search(r"winner|champion", m.group(0))))
    elif m := ledger.take(
        r"\b(?:the )?(?:grand )?masters?(?: award| awards| winners?| champions?| title| prize| prizes|"
        r" medals?| podium)\b",
        "awards",
    ):
        facts.awards = AwardSpec("masters")
        if m.group(0).strip().startswith(("grand", "the grand")):
            facts.notes.append("grand masters awards are not scored separately: masters awards shown")
    elif ledger.take(r"\b(?:the )?overall (?:award|awards|award winners|podium|prizes?|medals?)\b", "awards"):
        facts.awards = AwardSpec("overall")
    elif ledger.take(
        r"\b(?:award winners|award recipients|awardees|medalists|medallists|medal winners|prize winners|"
        r"awards?|prizes?|medals?|podiums?|trophies|trophy)\b",
        "awards",
    ):
        facts.awards = AwardSpec(None)
    if facts.awards is not None:
        ledger.take_all(
            r"\b(?:given out|handed out|gave out|hand out|give out|presented|went out)\b", "awards"
        )
        ledger.take_all(
            r"\b(?:received|receive|got|get|took|take|won|win|earned|earn|given|awarded|went to|go to|"
            r"recipients?|winners?)\b",
            "awards",
        )


# -------------------------------------------------------------------------------------- populations

POPULATIONS: list[tuple[str, Population]] = [
    (r"non ?-?finishers|nonfinishers|did not cross the finish(?: line)?", Population.NON_FINISHERS),
    (
        r"did not finish|dnf(?:s|d|ed|'d)?|dropped out|drop(?:ped|s)? out|drop "
        r"?outs|dropouts|failed to finish|"
        r"did not complete|not finish(?:ed)?|quit|abandoned|withdrew during",
        Population.DNF,
    ),
    (
        r"did not start|dns(?:es|d|ed)?|no ?-?shows?|noshows?|never (?:started|showed "
        r"up|showed|turned up|came|ran)|"
        r"did not (?:show up|show|turn up|come|race|run)|absent|missing",
        Population.DNS,
    ),
    (r"dq(?:s|d|ed|'d)?|disqualified|disqualifications?|got dq|were dq", Population.DQ),
    (
        r"starters|started(?: the race)?|toed the (?:start )?line|took the start|crossed the start(?: line)?|"
        r"made it to the start|showed up|turned up|got to the start",
        Population.STARTERS,
    ),
    (
        r"finishers?|finished|finishing|finish(?:ed)? the race|completed(?: the "
        r"race)?|completers|completions|"
        r"crossed the finish(?: line)?|made it to the finish|finish line|complete|finish",
        Population.FINISHERS,
    ),
    (
        r"registered|registrants?|registrations?|regs|signed up|sign ?ups?|signups|entrants?|entries|entered|"
        r"enrolled|on the start list|start list|roster|field size|registering|registration|participants?|"
        r"particpants?|participents?",
        Population.REGISTERED,
    ),
]
POP_RE = [(re.compile(rf"\b(?:{p})\b"), pop) for p, pop in POPULATIONS]
PEOPLE = (
    r"runners?(?! up\b)|people|ppl|folks|athletes?|individuals|competitors?|persons|everyone|everybody|"
    r"anyone|racers|ones|guys and gals|field|total field"
)
RAN = (
    r"ran|raced|competed|took part|participated|participating|competing|racing|run|came|attended|turned out|"
    r"showed|show up|"
    r"running(?! (?:club|clubs|team|teams|group|groups))|did it|did the race"
)


def repeats(ledger: Ledger, facts: Facts) -> None:
    """People by how often they ran: "3 or more times", "at least twice", "2+ finishes", "more than once"."""
    n = r"(\d+|two|three|four|five|six)"
    few = r"([2-9]|10|two|three|four|five|six)"  # "at least 3 Boston Marathons"; "at least 50" is an age
    m = ledger.take(
        rf"\b(?:with |who have |that have |have )?(?:at least {n}|{n} ?\+|{n} or more|more than {n}|over {n})"
        r"(?: _)* (?:finishes|races|times|editions|events|years|starts|entries)\b|"
        rf"\b(?:with |who have |that have |have )?(?:at least {few}|{few} ?\+|{few} or more)(?= _)|"
        r"\b(?:at least twice|twice or more|more than once|more than (?:one|1) time|multiple "
        r"(?:times|races|editions|years|events)|"
        r"two or more (?:races|times|editions|events)|repeat(?:ed)? "
        r"(?:runners|finishers|participants|entrants)|"
        r"returning (?:runners|finishers|participants|entrants)|repeaters|repeat)\b",
        "repeat",
    )
    if m is None:
        return
    said = m.group(0)
    number = next((g for g in m.groups() if g), None)
    count = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}.get(number or "", None)
    if count is None and number and number.isdigit():
        count = int(number)
    if re.search(r"more than|over", said) and count is not None:
        count += 1
    if re.search(r"repeat|returning", said):
        facts.repeat = "returning"
        return
    facts.repeat = "at_least"
    facts.repeat_n = count or 2
    # the counted things said in between ("boston marathon finishes") stay with the event recogniser


def populations(ledger: Ledger, facts: Facts) -> None:
    # "what percentage of starters finished": the whole named after "of", the part by the verb
    found: list[tuple[int, Population]] = []
    for pattern, pop in POP_RE:
        for _, a, b in list(ledger.search(pattern)):
            if not all(ledger.free(i) for i in range(a, b)):
                continue
            before = " ".join(ledger.tokens[max(0, a - 3) : a])
            if re.search(
                r"(?:percent(?:age)?|share|proportion|fraction|rate|ratio|%|how many|many) (?:of "
                r")?(?:the |all )?$",
                before + " ",
            ) and re.search(r"\bof(?: the| all)?$", before):
                facts.population_of = pop
            ledger.claim(a, b, "population")
            found.append((a, pop))
    ordered = [pop for _, pop in sorted(found, key=lambda f: f[0])]
    weak = [a for a, pop in found if pop == Population.REGISTERED and re.match(r"part", ledger.tokens[a])]
    if weak and len({p for p in ordered}) > 1:
        # "participants who finished": participants are whoever the verb says
        ordered = [pop for a, pop in sorted(found, key=lambda f: f[0]) if a not in weak]
    facts.populations.extend(ordered)
    if ledger.take_all(rf"\b(?:{PEOPLE})\b", "people"):
        facts.people_word = True
    if ledger.take_all(rf"\b(?:{RAN})\b", "ran"):
        facts.ran = True


# ----------------------------------------------------------------------------------------- measures


def measures(ledger: Ledger, facts: Facts) -> None:
    stats(ledger, facts)
    _share(ledger, facts)
    _compare(ledger, facts)
    _grouping(ledger, facts)
    _ranks(ledger, facts)
    _aggregates(ledger, facts)
    _counts_and_lists(ledger, facts)
    _runner_details(ledger, facts)


def rates(ledger: Ledger, facts: Facts) -> None:
    """Rates name both populations at once ("finish rate" = finishers / starters): read before them."""
    if m := ledger.take(
        r"\b(?:the )?(finish(?:ing|er)?|completion|dnf|drop ?out|dropout|attrition|no ?-?show|dns|"
        r"show ?-?up|turnout|dq|disqualification) rates?\b",
        "share",
    ):
        word = m.group(1)
        facts.share = True
        facts.rate = (
            "finish"
            if word.startswith(("finish", "completion"))
            else "dnf"
            if word.startswith(("dnf", "drop", "attrition"))
            else "dq"
            if word.startswith(("dq", "disq"))
            else "show"
            if word.startswith(("show", "turnout"))
            else "dns"
        )


def _share(ledger: Ledger, facts: Facts) -> None:
    if ledger.take(
        r"(?:\b(?:what |which )?(?:percent(?:age)?s?|per cent|share|proportion|fraction|ratio|what part|"
        r"what portion)\b|(?:\b(?:what|which) )?(?<![^ ])%)(?: of\b)?",
        "share",
    ) or ledger.take(r"\b\d+(?:\.\d+)?%", "share"):
        facts.share = True


COMPARE = (
    r"compare[sd]?|comparison|comparing|vs|versus|v|against|difference|differ(?:ed|ence|ences|s)?|"
    r"change[sd]?|changing|grow|grew|grown|growth|growing|increase[sd]?|increasing|decrease[sd]?|decreasing|"
    r"decline[sd]?|declining|drop(?:ped)?(?! out)|trend(?:s|ed)?|gain(?:ed)?|lost|shrink|shrank|shrunk|"
    r"evolve[sd]?|up or down|go up|go down|went up|went down|gone up|gone down|year over year|stack up"
)


def _compare(ledger: Ledger, facts: Facts) -> None:
    if ledger.take(
        r"\b(?:which|what|who) (?:one |event |race |year |edition )?(?:had|has|got|drew|attracted|saw) "
        r"(?:more|fewer|less|bigger|larger|smaller|a bigger|a larger)\b|"
        r"\bmore or (?:fewer|less)\b|\bbigger|larger|smaller\b",
        "compare",
    ):
        facts.compare = True
        facts.more_or_fewer = True
    if ledger.take_all(rf"\b(?:how (?:did|has|have|does|do) )?(?:{COMPARE})\b", "compare"):
        facts.compare = True
    if facts.sexes_both and ledger.anywhere(r"outnumber(?:ed|s)?"):
        ledger.take_all(r"\bby how many\b|\bhow many\b", "compare")
        facts.compare = facts.count = True
    if ledger.has(r"\b(?:more|fewer|less)\b") and (
        ledger.anywhere(r"than")
        or facts.sexes_both
        or ledger.has(r"\bvs\b|\bversus\b")
        or (facts.years and len(facts.years.years) == 2)
    ):
        ledger.take_all(r"\b(?:how many )?(?:more|fewer|less)\b|\bthan\b", "compare")
        facts.compare = True
    if facts.compare:
        ledger.take_all(r"\bthan\b", "compare")


GROUP_ATTRS = {
    "year": "year",
    "years": "year",
    "edition": "year",
    "editions": "year",
    "race": "race",
    "races": "race",
    "distance": "race",
    "distances": "race",
    "sex": "sex",
    "gender": "sex",
    "genders": "sex",
    "age group": "age_group",
    "age groups": "age_group",
    "agegroup": "age_group",
    "division": "age_group",
    "divisions": "age_group",
    "age": "age_group",
    "ages": "age_group",
    "state": "state",
    "states": "state",
    "club": "team",
    "clubs": "team",
    "team": "team",
    "teams": "team",
    "running club": "team",
    "running clubs": "team",
    "city": "city",
    "cities": "city",
    "town": "city",
    "towns": "city",
    "hometown": "city",
    "hometowns": "city",
    "country": "country",
    "countries": "country",
    "event": "event",
    "events": "event",
    "source": "source",
    "registration source": "source",
    "platform": "source",
}
ATTR = "|".join(sorted(GROUP_ATTRS, key=len, reverse=True))
MOST = r"(most|fewest|least|highest|lowest|biggest|largest|smallest|greatest|best|top|strongest)"


def _grouping(ledger: Ledger, facts: Facts) -> None:
    if m := ledger.take(
        rf"\b(?:what|which) ({ATTR}) (?:did|do|does|were|was|are) (?:the )?(most|majority of|fewest|least)\b",
        "group",
    ):
        facts.group_by.append(GROUP_ATTRS[m.group(1)])
        facts.top_groups = 1
        facts.group_order = "asc" if m.group(2) in ("fewest", "least") else "desc"
        ledger.take_all(r"\b(?:come|came|hail|hailed|live|lived|run|ran) (?:from|for|in)\b", "group")
    if m := ledger.take(
        rf"\b(?:which|what) ({ATTR}) (?:had|has|have|sent|brought|produced|was|is|were|got|drew|gave|"
        rf"contributed|fielded|provided)(?: us| we)?(?: the)? {MOST}\b",
        "group",
    ):
        facts.group_by.append(GROUP_ATTRS[m.group(1)])
        facts.top_groups = 1
        facts.group_order = "asc" if m.group(2) in ("fewest", "least", "lowest", "smallest") else "desc"
    elif m := ledger.take(
        rf"\b(?:the )?{MOST} (?:common|popular|represented|frequent|numerous)? ?({ATTR})\b", "group"
    ):
        facts.group_by.append(GROUP_ATTRS[m.group(2)])
        facts.top_groups = 1
        facts.group_order = "asc" if m.group(1) in ("fewest", "least", "lowest", "smallest") else "desc"
    elif m := ledger.take(rf"\b(?:the )?top {NUM} ({ATTR})\b", "group"):
        facts.group_by.append(GROUP_ATTRS[m.group(2)])
        facts.top_groups = _num(m.group(1))
    elif m := ledger.take(rf"\b({ATTR}) with the {MOST}\b", "group"):
        facts.group_by.append(GROUP_ATTRS[m.group(1)])
        facts.top_groups = 1
        facts.group_order = "asc" if m.group(2) in ("fewest", "least", "lowest", "smallest") else "desc"
    for m in ledger.take_all(
        rf"\b(?:broken down by|break(?: ?down)? by|breakdown (?:by|per)|split by|grouped by|"
        rf"group(?:ed)? by|sorted by|by|per|for each|for every|each|in each|across each|"
        rf"for all|across all|across) (?:the )?({ATTR})\b",
        "group",
    ):
        attr = GROUP_ATTRS[m.group(1)]
        if attr not in facts.group_by:
            facts.group_by.append(attr)
    _histogram(ledger, facts)
    for m in ledger.take_all(
        rf"\b({ATTR}) (?:breakdown|distribution|split|counts|mix|totals)\b|"
        rf"\b(?:breakdown|distribution|histogram|spread) (?:of|by|across) (?:the )?({ATTR})\b",
        "group",
    ):
        attr = GROUP_ATTRS[m.group(1) or m.group(2)]
        if attr not in facts.group_by:
            facts.group_by.append(attr)
    if facts.group_by or facts.sexes_both:
        ledger.take_all(
            r"\b(?:break(?:s)? (?:it |them |that )?down|broken down|breakdown|split (?:it |them )?up)\b",
            "group",
        )
    if ledger.take(r"\b(?:breakdown|distribution|histogram|chart|graph|plot)\b", "chart"):
        facts.chart = True
    if ledger.take(
        r"\b(?:in total|total(?:led)?|altogether|all together|together|combined|overall total|in "
        r"all|all in all|"
        r"cumulative|cumulatively|grand total|summed|sum)\b",
        "combined",
    ):
        facts.combined = True


DISTINCT_NOUNS = {
    "clubs": "team",
    "teams": "team",
    "running clubs": "team",
    "states": "state",
    "cities": "city",
    "towns": "city",
    "countries": "country",
    "age groups": "age_group",
    "divisions": "age_group",
    "people": "person",
    "runners": "person",
    "persons": "person",
    "individuals": "person",
    "athletes": "person",
    "participants": "person",
    "hometowns": "city",
    "finishers": "person",
    "starters": "person",
    "registrants": "person",
    "entrants": "person",
    "ppl": "person",
    "folks": "person",
}
DISTINCT_POPULATIONS = {
    "finishers": Population.FINISHERS,
    "starters": Population.STARTERS,
    "registrants": Population.REGISTERED,
    "entrants": Population.REGISTERED,
}


BAND_WORDS = r"(?:distribution|histogram|spread|breakdown|bands|brackets|buckets|ranges)"
TIME_WORDS = r"(?:times?|paces?|results)"


def _histogram(ledger: Ledger, facts: Facts) -> None:
    """Finish times (or paces) counted in bands: "distribution of finish times", "pace histogram",
    "how were the times spread". Words of time before the band word are left for the basis."""
    lead = r"(?:(?:_|finish(?:ing)?|chip|gun|net|clock|official|finisher|finishers'?|runners'?) ){0,2}"
    width = ledger.take(
        r"\bin (\d+|one|two|five|ten|fifteen|twenty|thirty)[ -]?(minute|min|second|sec)s? "
        r"(?:bands|buckets|brackets|ranges|groups|increments|intervals|bins)\b",
        "histogram",
    )
    if width is not None:
        amount = _num(width.group(1))
        facts.band_ms = amount * (60_000 if width.group(2).startswith("m") else 1000)
    before = ledger.take(
        rf"\b{BAND_WORDS}(?: of| in| for)?(?: the| their)?(?= {lead}{TIME_WORDS}\b)", "histogram"
    )
    if before is None and ledger.anywhere(r"times?|paces?"):
        # "how were the gun finish times of women spread out": the time words may be read already
        before = ledger.take(
            r"\bhow (?:were|are|was|is|did)(?: the| their)?(?= (?:[\w'\-]+ ){0,8}(?:distributed|spread out|"
            r"spread|break down)\b)",
            "histogram",
        )
    if before is not None:
        after = ledger.take(
            rf"\b(?:(time|times|pace|paces|result|results) )?(?:spread out|{BAND_WORDS}|distributed|"
            r"break down|look)\b",
            "histogram",
        )
    else:
        after = ledger.take(
            rf"\b(time|times|pace|paces) (?:(?<=s )(?:distributed|spread out)|{BAND_WORDS})\b", "histogram"
        )
    if before is None and after is None and width is None:
        return
    facts.histogram = True
    facts.chart = True
    said = after.group(0) if after is not None else ""
    if "pace" in said:
        facts.quantity = "pace"
    elif said and facts.quantity is None:
        facts.quantity = "time"


def distinct(ledger: Ledger, facts: Facts) -> None:
    """How many different clubs, states, cities, countries or people: read before the population words."""
    nouns = "|".join(sorted(DISTINCT_NOUNS, key=len, reverse=True))
    tail = (
        r"(?: (?:were|was|are|is|have been|had been))?"
        r"(?: (?:represented|present|there|in the field|involved))?"
    )
    m = (
        ledger.take(
            rf"\b(?:how many|number of|count(?: of)?|total number of|the number of) (?:different|distinct|"
            rf"unique|separate|individual|other) ({nouns}){tail}\b",
            "distinct",
        )
        or ledger.take(
            r"\b(?:how many|number of|count(?: of)?|the number of) (clubs|teams|running clubs|states|"
            rf"cities|towns|countries|age groups|divisions|hometowns){tail}\b",
            "distinct",
        )
        or ledger.take(rf"\b(?:different|distinct|unique) ({nouns}){tail}\b", "distinct")
    )
    if m is None:
        return
    noun = m.group(1)
    facts.distinct = DISTINCT_NOUNS[noun]
    ledger.take_all(
        r"\b(?:come|came|comes|hail|hailed|hailing) from\b|\b(?:had|with|having) at least one\b", "distinct"
    )
    if noun in DISTINCT_POPULATIONS:
        facts.populations.append(DISTINCT_POPULATIONS[noun])
    if m.group(0).startswith(("how many", "number", "count", "total", "the number")):
        facts.count = True


def _ranks(ledger: Ledger, facts: Facts) -> None:
    if m := ledger.take(
        rf"\b(?:the )?(top|first|fastest|quickest|best|leading|slowest|last) {NUM}\b|"
        rf"\b{NUM} (fastest|quickest|slowest|best)\b",
        "rank",
    ):
        word = m.group(1) or m.group(4)
        number = m.group(2) or m.group(3)
        facts.n = _num(number)
        facts.order = "desc" if word in ("slowest", "last") else "asc"
    elif ledger.take(r"\b(?:the )?podium\b", "rank"):
        facts.n = 3
    if m := ledger.take(r"\b(?:the )?(?:runner[ -]?up|second[- ]place finisher)\b", "rank"):
        facts.place = 2
    elif m := ledger.take(
        rf"\b(?:in |finished |placed |came(?: in)? |was |took |got |the )?{ORD}[ -]?(?:place|"
        rf"position|fastest|overall|spot)?(?= |$)(?! (?:time|timers?|race|half|year|edition)\b)",
        "rank",
    ):
        value = _ord(m.group(1))
        if value == 1 and not re.search(r"place|position|spot", m.group(0)):
            facts.winner = True
        else:
            facts.place = value
        if "overall" in m.group(0):
            facts.overall = True
    if ledger.take(
        r"\b(?:last place|dead last|last finisher|final finisher|last to finish|last across(?: the line)?|"
        r"last one)\b",
        "rank",
    ):
        facts.n, facts.order = 1, "desc"
    if ledger.take(
        r"\b(?:who won|won|wins|win|winners?|winning|champions?|victors?|took first|came first|"
        r"first across(?: the (?:finish )?line)?|first to finish|finished first|placed first|number "
        r"one|victory|"
        r"crossed the (?:finish )?line first|first to cross(?: the (?:finish )?line)?|took(?= _)|"
        r"crossed the (?:finish )?line(?= _)|"
        r"took (?:the )?(?:title|crown|win)|who took)\b",
        "rank",
    ):
        facts.winner = True
        ledger.take_all(
            r"\bhow (?:fast|quick)\b|\b(?:crossed|across|cross) the (?:finish )?line\b|\bhome\b", "rank"
        )
    if m := ledger.take(
        r"\b(?:the )?(fastest|quickest|slowest)(?=(?: _)+(?! (?:time|times|pace|paces|finish|finishing|"
        r"split|age)\b)| (?:runner|runners|finisher|finishers|person|one|athlete|overall|of them|of "
        r"all)\b|$)",
        "rank",
    ):
        if m.group(1) == "slowest":
            facts.n, facts.order = 1, "desc"
        else:
            facts.winner = True
    if ledger.take(
        r"\b(?:the )?(?:very )?last(?= _| (?:one|person|runner|athlete|across|to cross|place)\b)", "rank"
    ):
        facts.n, facts.order = 1, "desc"
    if ledger.take(r"\boverall\b", "rank"):
        facts.overall = True
    if m := ledger.take(r"\b(oldest|youngest|eldest)\b", "age"):
        facts.extreme_age = "youngest" if m.group(1) == "youngest" else "oldest"
    if ledger.take(
        r"\b(?:(?:who )?(?:holds?|held|owns?|set) )?(?:the )?(?:course records?|event records?|race "
        r"records?|records?|"
        r"fastest ever|best ever|record holders?)\b",
        "rank",
    ):
        facts.record = True
        ledger.take_all(r"\b(?:holds?|held|owns?|set)\b", "rank")


STATS = {
    "average": "avg",
    "avg": "avg",
    "mean": "avg",
    "typical": "avg",
    "median": "median",
    "middle": "median",
    "fastest": "min",
    "quickest": "min",
    "best": "min",
    "lowest": "min",
    "winning": "min",
    "shortest": "min",
    "slowest": "max",
    "worst": "max",
    "longest": "max",
    "highest": "max",
}


def units(ledger: Ledger, facts: Facts) -> None:
    """Pace per mile or per km ("pace /km", "min/mi"): read before places take "mi" for Michigan."""
    unit = ledger.take(
        r"(?:\b(?:per|a|each|every)|/) ?(mile|mi|km|kilometer|kilometre|k)\b|\bmin(?:ute)?s? ?(?:per|/) ?"
        r"(mile|mi|km|kilometer|kilometre|k)\b|\b(mile|km|kilometer|kilometre) pace\b|"
        r"\bmin ?/ ?(mi|km)\b",
        "pace",
    )
    if unit:
        word = next(g for g in unit.groups() if g)
        facts.pace_unit = "km" if word.startswith("k") else "mile"
        facts.quantity = "pace"


def stats(ledger: Ledger, facts: Facts) -> None:
    """average / median / fastest / slowest of a time, pace or age: read before rankings take
    "fastest" and before the time basis takes "time"."""
    modifiers = (
        r"(?:(?:_|finish(?:ing)?|overall|chip|gun|net|clock|official|marathon|half|race|5k|10k|"
        r"finisher|finishers|runner|runners|men|women|winning|race) ){0,3}"
    )
    stat = ledger.take(
        r"\b(average|avg|mean|typical|median|middle|fastest|quickest|best|lowest|winning|shortest|"
        r"slowest|worst|longest|highest)\b(?= "
        rf"{modifiers}(?:time|times|pace|paces|age|ages|result|finish)\b)",
        "stat",
    )
    if stat is None:
        stat = ledger.take(r"\b(average|avg|mean|median)\b", "stat")
    if stat:
        facts.stat = STATS[stat.group(1)]


def _aggregates(ledger: Ledger, facts: Facts) -> None:
    basis = ledger.take(
        r"\b(?:chip|net|chip ?-?time|nettime)(?: and (?:gun|clock))?\b|\b(?:gun|clock|official)"
        r"(?: and (?:chip|net))?\b|\bboth times\b",
        "basis",
    )
    if basis:
        said = basis.group(0)
        facts.basis = (
            "both"
            if (" and " in said or "both" in said)
            else ("chip" if said.startswith(("chip", "net")) else "gun")
        )
        ledger.take_all(r"\b(?:time|times)\b", "basis")
    quantity = (
        ledger.take(
            r"\b(?:finish(?:ing)? times?|finish|times?|results?|pace|paces|ages?|how old|old)\b", "quantity"
        )
        if (facts.stat or facts.extreme_age or facts.histogram)
        else None
    )
    if quantity:
        said = quantity.group(0)
        facts.quantity = (
            "pace"
            if "pace" in said
            else "age"
            if ("age" in said or "old" in said)
            else facts.quantity or "time"
        )
    elif facts.stat and facts.quantity is None:
        facts.quantity = "time"


def _counts_and_lists(ledger: Ledger, facts: Facts) -> None:
    if ledger.take_all(
        r"(?:(?<![^ ])# of\b|\b(?:how many|how much|number of|no of|count(?:ed|s)?(?: of)?|total(?: "
        r"number)?(?: of)?|"
        r"tally|headcount|head count|sum of|amount of|quantity of|field size|size of the field|"
        r"number(?= _)|count(?= _))\b)",
        "count",
    ):
        facts.count = True
    if ledger.take_all(
        r"\b(?:(?:list(?:ing)?(?: (?:of|every|all(?: the)?|each))?|names?(?: of)?|roster|show me|give me|"
        r"tell me who|who (?:were|are|was|got|"
        r"is))\b|which(?= (?:runners|people|athletes|finishers|participants|women|men|_)\b))",
        "list",
    ):
        facts.listing = True
    # "who" asks for names when it opens the question; after a noun it only joins a clause
    # ("Virginians who finished")
    greeting = {
        "hi",
        "hey",
        "hello",
        "hiya",
        "ok",
        "okay",
        "so",
        "and",
        "quick",
        "q",
        "please",
        "pls",
        "morning",
        "yo",
        "there",
        "good",
        "afternoon",
        "evening",
        "question",
        "one",
        "for",
        "you",
        "folks",
        "team",
        "all",
        "sorry",
        "thanks",
        "but",
    }
    for start in sorted(ledger.sentence_starts):
        first = next((i for i in range(start, len(ledger.tokens)) if ledger.tokens[i] not in greeting), None)
        if first is not None and ledger.tokens[first] in ("who", "whom") and ledger.free(first):
            ledger.claim(first, first + 1, "list")
            facts.listing = True


def _runner_details(ledger: Ledger, facts: Facts) -> None:
    """A runner's own figures: times, places, pace, age, bib; their races over the years."""
    if ledger.take(
        r"\b(?:race history|results history|(?:all |every )?(?:(?:of )?(?:his|her|their) )?(?:races|results)"
        r"(?: (?:with us|so far))?(?= .*(?:over the years|ever|every|all))|which races|what races|"
        r"how many races|races (?:has|have|did)|every race|(?:list )?every race (?:_ )*(?:entered|ran|did)|"
        r"(?:and )?(?:the |their |his |her )?results)\b",
        "history",
    ):
        facts.history = True
    if ledger.take(
        r"^(?:did|has|have|was|were) (?=\S+ \S+ (?:finish|complete|start|run|race|make it))", "did"
    ) or (ledger.anywhere(r"^did") and ledger.take(r"\b(?:make it|finish|complete)\b", "did")):
        facts.did_finish = True
    for pattern, column in (
        (
            r"\b(?:age[ -]?group|agegroup|ag|division|category) "
            r"(?:place|placing|position|rank|ranking|finish)s?\b",
            "age_group_place",
        ),
        (r"\b(?:gender|sex|women|men|female|male) (?:place|placing|position|rank|ranking)s?\b", "sex_place"),
        (r"\boverall (?:place|placing|position|rank|ranking|finish)\b", "overall_place"),
        (r"\b(?:what |which )?(?:place|placing|position|rank|ranking|standing)s?\b", "place"),
        (r"\b(?:finish(?:ing)? |race |final |official )?(?:time|times|result)\b", "time"),
        (r"\bpace\b", "pace"),
        (
            r"\b(?:what |which )?(?:age[ -]?group|agegroup|division|category|bracket)(?: (?:was|is) "
            r"(?:she|he|they) in)?\b",
            "age_group",
        ),
        (r"\b(?:how old|age)\b", "age"),
        (
            r"\b(?:what |which )?bib(?: number)?(?: (?:did|does|was|is) (?:_ ){0,4}"
            r"(?:wear|wore|wearing|have|had|get|got|"
            r"run with|assigned))?\b|\b(?:wear|wore|wearing)\b",
            "bib",
        ),
        (r"\bstatus\b", "status"),
    ):
        if ledger.take(pattern, "detail"):
            facts.columns.append(column)
