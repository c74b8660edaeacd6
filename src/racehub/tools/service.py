"""The capabilities offered to other assistants, over the domain services the REST API uses.

Each function runs inside the caller's tenant transaction (row-level security does the isolation);
none takes a tenant argument, so no tool can widen what its key may see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from racehub.ask.catalog import Catalog
from racehub.ask.engine import AskEngine
from racehub.ask.schemas import AnswerOut
from racehub.ask.service import answer_for
from racehub.auth.callers import Caller
from racehub.errors import InvalidInput
from racehub.events import service as events
from racehub.events.repository import EditionFilters
from racehub.follows import service as follows
from racehub.follows.schemas import FollowReply
from racehub.results import service as results
from racehub.results.repository import ResultFilters
from racehub.results.schemas import AwardList, ResultPage
from racehub.tools.schemas import EventList, EventWithRaces

MAX_LIMIT = 100


def ask(engine: AskEngine, caller: Caller, question: str, today: date | None, *, via: str) -> AnswerOut:
    """The ask engine's answer as the caller's tenant (its own read-only transaction), audited."""
    return AnswerOut.model_validate(answer_for(engine, caller, question, today, via=via).to_dict())


def list_events(
    session: Session, *, name: str | None, year: int | None, status: str | None, limit: int, offset: int
) -> EventList:
    filters = EditionFilters(name=name.strip() if name and name.strip() else None, year=year, status=status)
    page = events.list_editions(session, filters, limit=min(limit, MAX_LIMIT), offset=offset)
    items = [
        EventWithRaces(**edition.model_dump(), races=events.races_of_edition(session, edition.id))
        for edition in page.items
    ]
    return EventList(total=page.total, limit=page.limit, offset=page.offset, items=items)


def get_results(
    session: Session, race_id: int, *, sex: str | None, age_group: str | None, limit: int, offset: int
) -> ResultPage:
    filters = ResultFilters(sex=sex, age_group=age_group.strip() if age_group else None)
    return results.results_page(
        session, race_id, filters, sort="place", limit=min(limit, MAX_LIMIT), offset=offset
    )


def get_awards(session: Session, race_id: int) -> AwardList:
    return results.award_list(session, race_id)


def follow(
    session: Session, caller: Caller, catalog: Catalog, said: str, today: date | None, max_runners: int
) -> FollowReply:
    """A follow sentence acted on for the caller (their devices get the notifications)."""
    if caller.org_id is None:
        raise InvalidInput("follows belong to one timing company: use a key of one organization")
    follower = follows.Follower(caller.org_id, caller.user_id)
    reply = follows.say(session, follower, catalog, said, today or date.today(), max_runners)
    if reply is None:
        raise InvalidInput(
            "I could not read that as a follow. Try: tell me when bib 1234 passes 30K; "
            "stop notifying me about 1234; what am I following?"
        )
    return reply
