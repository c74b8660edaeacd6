"""Words: the reviewed list of words that carry nothing here, data RaceHub does not have, and typo repair.

FILLER is deliberately short and reviewed: a word on it may be left unused by a reading without the
answer changing. A word that narrows a question ("elite", "wheelchair", "first-time") must never be
added here; an unknown word blocks the answer instead.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

# Words that carry no meaning for a figure: grammar, politeness, chat, and generic nouns whose meaning
# the recognisers already took from more specific words ("runners finished" -> finishers).
FILLER = frozenset(
    """
    a an the this that these those there here it its is are was were be been being am do does did done
    doing have has had having will would can could should shall may might must of in at on for to from by
    with about across into onto over among amongst within during as then so and or but
    all any some per via i me my mine we us our ours you your yours they them
    their theirs he him his she her hers who whom whose what which when where how whats
    please pls plz kindly thanks thank thx ty cheers hi hey hello hiya yo ok okay sure sorry quick quickly
    question real really just exactly actually currently now still already ever even only
    tell show give get got find look up pull let know need want like wanted wondering wonder curious
    see check display provide share fetch bring grab help able possible mind love appreciate
    runner runners people ppl folks athletes athlete person persons individuals individual competitors
    competitor participant everyone everybody anyone anybody someone one ones
    race races event events edition editions result results data info information details stats
    statistics numbers figure figures
    year years time date day
    our company company's team's
    overall total
    many much number count
    name names
    if whether yes
    hmm um uh well oh
    u ur r ya yeah yep tho btw lol pls plz wanna gonna gimme lemme kinda sorta quick q quickie
    question folks guys team's asap same thing likewise
    sorry bother bothering morning afternoon evening good great awesome perfect chance sec minute moment
    putting together director directors board wondering hoping grateful much appreciated ta cheers
    whenever convenient possibly maybe perhaps so to date right asked ask mind end ended far home us
    """.split()
)

# Words whose meaning is the caller's data but not recorded in RaceHub: the question is unanswerable.
OUT_OF_DOMAIN = frozenset(
    """
    weather temperature temperatures rain raining rained snow wind windy humidity humid hot cold heat
    degrees forecast revenue revenues money price prices cost costs fee fees paid pay payment payments
    income profit profits dollars dollar $ sponsor sponsors sponsorship donation donations fundraising
    charity raised shirt shirts tshirt t-shirt tee size sizes swag volunteer volunteers parking permit
    permits insurance photo photos photographs pictures video medical injury injuries ambulance
    hotel hotels elevation altitude hills calories heartrate shoes shoe nutrition water
    toilets spectators spectator crowd crowds coupon coupons discount discounts refund refunds
    why reason reasons because cause
    """.split()
)

# Content words the recognisers use, for typo repair ("finsihed" -> "finished").
DOMAIN_WORDS = frozenset(
    """
    finished finish finishers finisher finishing completed registered registration registrations
    registrants signed started starters starting start disqualified average median mean fastest slowest
    quickest oldest youngest winner winners winning won women woman men female male females males ladies
    marathon half miler mile miles minutes hours seconds place placed position overall percentage
    percent proportion share compare compared comparison difference between through participants
    participated entrants entries events races schedule scheduled upcoming coming split splits halfway
    pace club clubs team teams running members residents city cities state states country countries
    division divisions group groups masters award awards export download spreadsheet mailing addresses
    address chip gun net clock official total number count how many different distinct unique list
    which what who where when were was runners people athletes finish-line dropped didn't
    previous following next last this year years month months weeks week days today yesterday tomorrow
    january february march april june july august september october november december
    registrants everyone everybody roster breakdown distribution histogram chart
    kilometer kilometers kilometre mile per age ages aged older younger under over above below
    """.split()
)


@lru_cache(maxsize=4096)
def repair(token: str) -> str | None:
    """The domain word a misspelt token stands for, when exactly one is close enough; else None."""
    if len(token) < 6 or not token.isalpha() or token in DOMAIN_WORDS or token in FILLER:
        return None
    limit = 1 if len(token) < 8 else 2
    close = [w for w in DOMAIN_WORDS if abs(len(w) - len(token)) <= limit]
    hits = sorted(
        (DamerauLevenshtein.distance(token, w, score_cutoff=limit), w)
        for w in close
        if DamerauLevenshtein.distance(token, w, score_cutoff=limit) <= limit
    )
    if not hits:
        return None
    if len(hits) > 1 and hits[0][0] == hits[1][0]:
        return None
    return hits[0][1]
