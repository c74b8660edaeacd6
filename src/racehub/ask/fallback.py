"""The LLM fallback: a model proposes SQL from the view schema and glossary; the guard decides what runs.

The model sees no rows. What it proposes is parsed and checked by the guard, then runs like every other
answer: read-only, as the asking tenant's reader role, with a timeout and limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import structlog

from racehub.ask.answer import LLM_LINE, VIEWS, Answer, unanswerable
from racehub.ask.execute import QueryFailed, present, run_readonly
from racehub.ask.guard import UnsafeQuery, guard_sql
from racehub.ask.llm import LLMBadReply, LLMClient, LLMError, LLMUnavailable
from racehub.ask.privacy import names_people
from racehub.config import Settings
from racehub.db import Database, Scope

log = structlog.get_logger(__name__)

SCHEMA = """
q_editions(edition_id, event_name, year, start_date, city, state, timezone,
           status 'upcoming'|'completed', timing_company, registration_provider, results_provider)
           -- one row per yearly edition of an event
q_races(race_id, edition_id, event_name, year, start_date, status, race_name, distance_m, start_time,
        placement_basis 'gun'|'chip', overall_award_depth, masters_award_depth, masters_min_age,
        ag_award_depth, age_group_width, exclude_award_winners_from_ag)
q_entries(entry_id, race_id, edition_id, event_name, year, start_date, race_name, distance_m, person_id,
          bib, first_name, last_name, full_name, sex 'M'|'F'|'X', age, dob, email, phone, address1, city,
          state, zip, country, team, registered_at, registration_source)  -- one row per registration
q_results(all q_entries columns, status 'FIN'|'DNF'|'DNS'|'DQ', finished boolean, gun_ms, chip_ms,
          placement_ms, overall_place, sex_place, age_group, age_group_place)
          -- one row per entry with a result
q_splits(entry_id, race_id, edition_id, event_name, year, race_name, bib, first_name, last_name, sex, age,
         split_name, split_distance_m, chip_ms)
q_awards(race_id, edition_id, event_name, year, race_name, category 'overall'|'masters'|'age_group', sex,
         age_group, award_place, entry_id, bib, first_name, last_name, age, placement_ms, address1, city,
         state, zip, country, email)
"""

GLOSSARY = """
- A finisher has status = 'FIN'. DNF, DNS and DQ are not finishers. "Registered" means every q_entries row.
- Times are integer milliseconds (gun_ms, chip_ms, placement_ms). placement_ms is the time places use.
- Places use competition ranking (1, 2, 2, 4); sex_place ranks within sex; age_group like '40-44'.
- event_name is the event (e.g. 'Shamrock Marathon Weekend'); race_name is a race in it (e.g. 'Marathon').
- "Last year" and "this year" are relative to today's date.
- Only the q_* views exist. Write PostgreSQL. Always add LIMIT.
"""


def llm_answer(
    llm: LLMClient,
    database: Database,
    settings: Settings,
    question: str,
    scope: Scope,
    today: date,
    *,
    not_understood: Sequence[str] = (),
    examples: list[str],
) -> Answer:
    """The model's SQL for a question the parser could not read completely, guarded and run like any
    answer; marked as the model's (never presented as exact). `examples` are offered when it cannot help."""
    try:
        if not llm.available():
            return unanswerable(
                "I didn't understand that question (and no language model is reachable "
                "for questions outside what I know).",
                examples,
            )
        asked = question
        if not_understood:
            words = ", ".join(repr(w) for w in not_understood)
            asked = (
                f"{question}\n\n(RaceHub's parser could not apply these words: {words}. Use them only if "
                "the views can express them exactly; otherwise reply CANNOT_ANSWER.)"
            )
        proposal = llm.propose_sql(asked, SCHEMA, GLOSSARY, today)
    except LLMUnavailable:
        return unanswerable(
            "I didn't understand that question (the language model is unavailable).", examples
        )
    except LLMBadReply as exc:
        return unanswerable(f"I didn't understand that question ({exc.message}).", examples)
    except LLMError as exc:
        return unanswerable(f"I didn't understand that question ({exc.message}).", examples)
    try:
        safe_sql = guard_sql(proposal.sql, allowed_tables=VIEWS, max_rows=settings.ask_max_rows)
    except UnsafeQuery as exc:
        log.warning("llm sql rejected", reason=exc.message)
        return Answer(
            "refused",
            f"The query proposed for that question was not safe to run ({exc.message}).",
            sql=None,
            engine="llm",
        )
    try:
        columns, rows, truncated = run_readonly(
            database,
            scope,
            safe_sql,
            {},
            timeout_ms=settings.ask_statement_timeout_ms,
            max_rows=settings.ask_max_rows,
            max_bytes=settings.ask_max_bytes,
        )
    except QueryFailed as exc:
        return Answer("unanswerable", f"I couldn't answer that: {exc.message}", sql=safe_sql, engine="llm")
    table = present(columns, rows)
    summary = summarize(
        safe_sql, table.columns, table.rows, truncated=truncated, max_bytes=settings.ask_max_bytes
    )
    return Answer("answered", summary, table.columns, table.rows, safe_sql, "llm", interpretation=LLM_LINE)


def summarize(
    sql: str, columns: list[str], rows: list[list[object]], *, truncated: bool, max_bytes: int
) -> str:
    """The answer's one line. The model's own words are not shown (they could carry anything, its prompt
    included); a single row's figures are, unless a column comes from personal data: the summary can
    reach a language model, and personal values never do."""
    lead = "Here is what I found (query written by the language model and checked before running)."
    if not rows:
        if truncated:
            return f"{lead} (the first row alone is larger than the {max_bytes}-byte limit: nothing to show)"
        return f"{lead} (no rows)"
    if len(rows) == 1 and len(columns) <= 3 and not names_people(sql, columns):
        figures = ", ".join(f"{c}: {v}" for c, v in zip(columns, rows[0], strict=True))
        return f"{lead} ({figures})"
    return f"{lead} ({len(rows)} row{'s' if len(rows) != 1 else ''}{', truncated' if truncated else ''})"
