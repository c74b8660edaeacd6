"""What the tools return, and the words other assistants read to choose a tool.

The descriptions are shared by the MCP server and the OpenAPI tool server, so an assistant sees the
same tool whichever way it connects.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from racehub.events.schemas import EventEdition, RaceSummary

ASK = (
    "Answer a question about the race data of your timing company in plain English, e.g. "
    "'Who won the women's race at the 2025 Boston Marathon?', 'How many runners finished the Shamrock "
    "Marathon last year?', 'Top 10 men at the 2024 Harbor Half'. Returns the answer as a sentence, the "
    "table behind it (columns and rows) and the SQL that produced it. Use it for counts, winners, "
    "rankings, a runner's times and comparisons across events; `status` is 'answered', 'clarify' "
    "(the rows list the choices), 'unanswerable' or 'refused'."
)
LIST_EVENTS = (
    "List the event editions (one event in one year, e.g. 'Boston Marathon 2025') of your timing "
    "company, newest first, each with its races (race id, name, distance, entry and finisher counts). "
    "Filter by part of the event name, the year or the status. Use it to find the race id that "
    "get_results and get_awards need."
)
GET_RESULTS = (
    "A page of one race's results in finishing order: place, sex place, age-group place, bib, name, "
    "sex, age, age group, city, team, gun and chip time, pace per mile and status (FIN, DNF, DNS, DQ; "
    "non-finishers last). Filter by sex (M, F, X) or age group (e.g. '40-44'). Take the race id from "
    "list_events. An unknown race id, or one of another company, answers 'not found'."
)
GET_AWARDS = (
    "The award winners of one race: overall, masters and age-group winners for each sex, with name, "
    "bib, age and time. Take the race id from list_events. An unknown race id, or one of another "
    "company, answers 'not found'."
)

FOLLOW = (
    "Follow runners, races and results for push notifications to the user's devices, in plain English: "
    "'Tell me when bib 1234 passes 30K', 'Notify me when Jane Doe finishes', 'Tell me when the first woman "
    "finishes the Boston Marathon', 'Notify me when the 2026 Shamrock Marathon results are final', 'Tell me "
    "when Boston's scoring is done'; also 'Stop notifying me about 1234' and 'What am I following?'. "
    "Returns `kind` (followed, already, unfollowed, list, live, question), a `reply` saying exactly what was "
    "set up (read it to the user), the follows touched and, for a question, the `options` to choose from."
)
FOLLOW_TEXT = "what the user wants to be told (or stop being told), in their words"

QUESTION = "the question, in plain English"
TODAY = "the reference date (YYYY-MM-DD) for 'last year', 'this year' and 'upcoming'; default today"
EVENT_NAME = "part of the event name, e.g. 'shamrock' (case does not matter)"
YEAR = "the edition's year, e.g. 2025"
STATUS = "upcoming, completed or cancelled"
RACE_ID = "the race id, from list_events"
SEX = "only this sex: M, F or X"
AGE_GROUP = "only this age group, e.g. '40-44'"
LIMIT = "at most this many rows (1-100)"
OFFSET = "skip this many rows (for the next page)"


class EventWithRaces(EventEdition):
    """One event edition and its races."""

    races: list[RaceSummary]


class EventList(BaseModel):
    total: int = Field(description="editions that match, on all pages")
    limit: int
    offset: int
    items: list[EventWithRaces]
