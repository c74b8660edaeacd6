"""Questions that must not run: requests to change data, SQL typed into chat, probes of the system,
and identities claimed in a question (a question is not a login)."""

from __future__ import annotations

import re

from racehub.ask.parse.ledger import Ledger, fold
from racehub.ask.reading import Outcome

SQL_INJECTION = re.compile(
    r";\s*\w|--|/\*|\b(drop|delete|truncate|insert|update|alter|create|grant|revoke)\s+(table|from|into|"
    r"database|schema|role|user|index|view)\b|\bunion\s+(all\s+)?select\b|\bselect\s+\*?\s*\w*\s*from\b|"
    r"\bpg_\w+|\binformation_schema\b|\bset_config\b|\bcurrent_setting\b|\bpg_sleep\b|\bcopy\s+\w+\s+(to|from)\b|"
    r"\bset\s+role\b|\bset\s+session\b|'\s*(or|and)\s+'?\d|^\s*select\b[^?]*\bfrom\b|"
    r"\bupdate\s+\w+\s+set\b|\bselect\s+[\w*]+(?:\s*,\s*\w+)*\s+from\s+\w+|\blimit\s+\d+\s*$|"
    r"\b(?:status|time|place)\s*=\s*'",
    re.IGNORECASE,
)

SYSTEM_PROBES = re.compile(
    r"\b(system prompt|your prompt|your instructions|ignore (all )?(previous|prior|your|the above)|"
    r"password hash(es)?|passwords?|api keys?|secret keys?|database schema|db schema|schema of|"
    r"(all|every|list (all|every|the)?|what|which) (the )?(tables?|columns?|views?)( and columns?)?|"
    r"table names?|column names?|other tenants?|other (timing )?companies|every (timing )?company|"
    r"all (timing )?companies|connection string|credentials?|environment variables?|env (?:file|vars?)|"
    r"dot ?env|contents of your|your (?:config(?:uration)?|settings|source) (?:file|code)|"
    r"(act|pretend|behave) as (an? )?(admin|administrator|operator|root|superuser)|"
    r"jailbreak|developer mode|sudo|dump|(?:the )?(?:users|persons|entries|results|api_keys|memberships|"
    r"organizations) table|raw table|raw data dump)\b"
)

# Verbs that change data, in the form a request takes ("mark", not "marked").
WRITE_VERBS = (
    "delete|remove|erase|wipe|purge|drop(?! in\\b| off\\b)|truncate|update(?! on\\b)|insert|alter|modify|"
    "change(?! in\\b| from\\b| between\\b| over\\b)|edit|set|mark|unmark|fix|correct(?! me\\b)|"
    "add(?! up\\b)|move|rename|merge|replace|overwrite|assign|reassign|disqualify|reinstate|clear|reset|"
    "register|enroll|transfer|swap|upload|undo|revert|restore|adjust|amend|void|cancel|unregister|withdraw|"
    "strip|revoke|override|backdate|rescore|re score|rerun|re run|recalculate|recompute|bump|un dq|undq|"
    "un disqualify|undisqualify|overturn|lift the dq|reverse|"
    "give(?= (?!me\\b|us\\b|a list|the list|a csv|the csv|a breakdown|a count|the number|the names|the top|"
    "the results|a summary|an overview|some|all)[a-z]+ [a-z]+ (?:a|an|the|his|her|their) "
    "(?:award|medal|prize|place|dq|dnf|dns|time|bib|result))|"
    "dq (?=bib|#|\\d|him\\b|her\\b|them\\b|this\\b|that\\b|the runner|runner|athlete|entrant|participant|"
    "everyone|all\\b|[a-z]+ [a-z]+ (?:from|in|at|for)\\b)"
)
# What may come before a request's verb: politeness, modals, "I need you to".
LEAD_IN = (
    r"(?:(?:hi|hey|hello|ok|okay|so|also|and|then|now|quick one|real quick|quick q|quick question|q)[ ,:]+)*"
    r"(?:please |pls |plz |kindly |just |go ahead and |can you |could you |would you |will you |can we |"
    r"could we |i need you to |i want you to |i would like you to |id like you to |i need to |i want to |"
    r"we need to |we have to |i have to |help me |let us |let's |lets |you need to |you should |"
    r"is it possible to |are you able to |i would like to |id like to |time to )*"
)
REQUEST = re.compile(rf"^{LEAD_IN}(?:{WRITE_VERBS})\b")
# A correction stated rather than asked: "... should be DQ", "change X to Y", "mark ... as DNF".
STATED_CHANGE = re.compile(
    r"\b(should|needs to|need to|has to|must|ought to) (be|have been|read|say|show) (a |an |the )?"
    r"(dq|dnf|dns|disqualified|removed|deleted|changed|corrected|updated|fixed|\d{1,2}:\d\d)\b|"
    r"\b(mark|set|change|update|move|switch|correct|fix|put|make)\b.{0,80}?\b(as|to|into) "
    r"(a |an |the )?(dq|dnf|dns|fin|finished|disqualified|\d{1,2}:\d\d)\b|"
    r"\b(delete|remove|erase|wipe|drop|purge)\b.{0,80}\b(from|in) (the "
    r")?(database|db|system|results|records)\b"
)
# First names that are also write verbs: followed by a name in the possessive, they are a runner.
NAMED_VERB = re.compile(
    r"^(?:mark|will|bill|drew|rob|sue|chase|grant|pat|clay|cliff|rich|sterling)\s+"
    r"(?!(?:bib|bibs|the|a|an|all|every|everyone|runner|runners|entry|entries|result|results|race|him|her|"
    r"them|this|that|these|those|it|as|number|no|my|our|their|his)\b)[a-z][a-z'\-]+(?:'s)?(?:\s|$)"
)
NOT_A_NAME = (
    "new|curious|interested|looking|wondering|trying|working|confused|here|back|done|sorry|sure|not|just|"
    "still|also|asking|coming|going|checking|hoping|glad|happy|back"
)
# "I'm putting together numbers for ...": a verb in -ing is what someone does, not who they are.
ING_NAMES = "sterling|irving|king|ming|ling|manning|fleming|channing|browning|golding|hastings|darling"
IDENTITY_CLAIM = re.compile(
    rf"^(?:hi|hey|hello|ok|okay)?[ ,!.]*(?:i am|i'm|im|this is|it is|it's|my name is) (?!(?:{NOT_A_NAME})\b)"
    rf"(?!(?!(?:{ING_NAMES})\b)[a-z]+ing\b(?! (?:from|at|with)\b))"
    r"[a-z][a-z'\-]+(?: [a-z][a-z'\-]+){0,3} (?:from|at|with|of|for) [a-z0-9]"
)
# "give Susan Douglas the masters award": handing out an award is a change to the results.
# The verb opens a request ("give ...", "please hand ..."): "Brandon Grant's age group place" is a question.
GIVE_AWARD = re.compile(
    r"(?:^|[.!?;:,\-] *|\b(?:please|pls|can you|could you|would you|kindly|go ahead and|i want you to|"
    r"you should|we need to|need you to) )(?:give|award|grant|hand|assign) (?!me\b|us\b|them\b|a list\b|"
    r"the list\b)(?:[a-z'\-]+ ){1,3}(?:the |a |an )?(?:[a-z0-9\-]+ ){0,3}(?:award|medal|prize|trophy|title|"
    r"win|place)\b"
)


def refusal(question: str, ledger: Ledger) -> Outcome | None:
    """An Outcome when the question must not be answered by a query at all."""
    if SQL_INJECTION.search(question):
        return Outcome(
            "refused",
            "That looks like SQL or a system command; I only answer questions about race data and never "
            "run statements typed into the chat.",
        )
    folded = fold(question)
    plain = " ".join(ledger.tokens)
    if SYSTEM_PROBES.search(plain) or SYSTEM_PROBES.search(folded):
        return Outcome(
            "refused",
            "I can't share system internals, credentials or other companies' data. Ask me about your own "
            "events, results and registrations.",
        )
    if GIVE_AWARD.search(folded.strip()):
        return Outcome(
            "refused",
            "I can't change results or awards: awards follow from the results by the race's rules. Staff "
            "correct a result in the results page or the API, and the race is re-scored.",
        )
    if IDENTITY_CLAIM.search(folded.strip()):
        return Outcome(
            "needs_login",
            "A question can't say who you are: you are answered as the account or key you signed in with. "
            "To act as someone else, log in as them (in chat: say who you are and reply with the code sent "
            "to the email on file).",
        )
    for sentence in re.split(r"[.!?;,:]+\s+|\n+|\s(?:and|then|but|also)\s", folded):
        words = " ".join(Ledger.of(sentence).tokens)
        verb = REQUEST.search(words) or re.search(rf"\b(?:you|u) to (?:{WRITE_VERBS})\b", words)
        if verb and NAMED_VERB.match(sentence.strip()) and not STATED_CHANGE.search(words):
            verb = None  # "Mark Ayala's chip time": a runner named Mark, not a request to mark
        if verb or STATED_CHANGE.search(words):
            return Outcome(
                "refused",
                "I can't change data: answers are read-only. Results, registrations and statuses change "
                "through imports, vendor syncs and scoring runs (staff start those from chat with a "
                'confirmation, e.g. "sync Shamrock registrations"), and a participant\'s erasure goes '
                "through `racehub participants erase`.",
            )
    return None
