"""The ask engine: understand a question, run the query as the asking tenant, and say the answer."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import structlog
from rapidfuzz import fuzz, process

from racehub.ask import compile as qc
from racehub.ask import reports
from racehub.ask.catalog import Catalog, CatalogCache
from racehub.ask.execute import QueryFailed, present, render_sql, run_readonly
from racehub.ask.files import FileStore
from racehub.ask.guard import UnsafeQuery, guard_sql
from racehub.ask.intent import Intent, Scope
from racehub.ask.parse import Outcome, _editions, parse, person_candidates
from racehub.ask.text import normalize
from racehub.config import Settings
from racehub.db import Database
from racehub.db import Scope as TenantScope

log = structlog.get_logger(__name__)

VIEWS = frozenset({"q_editions", "q_races", "q_entries", "q_results", "q_splits", "q_awards"})
# Example questions, filled in with the asking tenant's own events (never another company's).
EXAMPLES = (
    "How many runners finished the {a} last year?",
    "Who won the women's race at the {y} {b}?",
    "Show the top 10 men at the {y} {a}",
    "Which running club had the most finishers at the {y} {b}?",
    "Generate a CSV of award winners with mailing addresses for the {y} {a}",
    "Which events are scheduled next month?",
)
FOLLOW_UP = re.compile(r"^(and|what about|how about|same for|same but|now|ok|also|then|but|only)\b")


@dataclass
class Answer:
    status: str
    answer: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    sql: str | None = None
    engine: str = "parser"
    files: list[dict[str, Any]] = field(default_factory=list)
    intent: Intent | None = None
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "answer": self.answer,
            "columns": self.columns,
            "rows": self.rows,
            "sql": self.sql,
            "engine": self.engine,
            "files": self.files,
        }


class AskEngine:
    """Answers questions about one tenant's race data (or every tenant's, for the platform operator)."""

    def __init__(self, database: Database, settings: Settings, llm: Any | None = None) -> None:
        self.database = database
        self.settings = settings
        self.catalogs = CatalogCache(database)
        self.files = FileStore(settings)
        self.llm = llm

    # ------------------------------------------------------------------ public

    def ask(
        self,
        question: str,
        *,
        scope: TenantScope,
        today: date | None = None,
        previous: Intent | None = None,
        with_paths: bool = False,
    ) -> Answer:
        started = time.perf_counter()
        answer = self._ask(question.strip(), scope, today or date.today(), previous, with_paths)
        answer.elapsed_ms = (time.perf_counter() - started) * 1000
        log.info(
            "ask",
            status=answer.status,
            engine=answer.engine,
            rows=len(answer.rows),
            ms=round(answer.elapsed_ms, 1),
        )
        return answer

    def _ask(
        self, question: str, scope: TenantScope, today: date, previous: Intent | None, with_paths: bool
    ) -> Answer:
        if not scope.platform and scope.org_id is None:
            return Answer(
                "needs_login",
                'Please log in first: say who you are ("I\'m Jane from Acme Racing") '
                "or use an API key. I show each timing company only its own data.",
            )
        if not question:
            return self._unanswerable("Ask me a question about your races.", scope)
        if len(question) > 2000:
            return Answer("refused", "That question is too long; please ask in a sentence or two.")
        catalog = self.catalogs.get(scope)
        parsed = parse(question, today, catalog)
        if previous is not None:
            merged = self._follow_up(question, today, catalog, previous, parsed)
            if merged is not None:
                parsed = merged
        if isinstance(parsed, Outcome):
            return Answer(
                parsed.status,
                parsed.message,
                ["choice"] if parsed.choices else [],
                [[c] for c in parsed.choices],
            )
        intent = parsed
        if (
            intent.kind in ("person", "split", "count", "aggregate", "race_info", "top")
            or intent.kind == "place"
        ):
            intent = self._resolve_person(question, intent, scope)
        if intent.kind == "person" and intent.person is None:
            return self._fallback(question, scope, today)
        if intent.scope is None and intent.kind not in (
            "events",
            "count",
            "group",
            "person",
            "aggregate",
            "superlative",
        ):
            example = self.examples(scope)[1].split(" at the ")[-1].rstrip("?")
            return Answer(
                "clarify",
                f'Which event do you mean? Name it, e.g. "the {example}".',
                ["event"],
                [[s.name] for s in catalog.series[:20]],
                intent=intent,
            )
        try:
            if intent.kind == "report":
                return self._report(intent, scope, with_paths)
            query = self._compile(intent, question, today)
        except qc.NeedsChoice as choice:
            return Answer("clarify", choice.message, ["choice"], [[c] for c in choice.choices], intent=intent)
        answer = self._run(query, scope, intent)
        if intent.kind == "person" and not answer.rows and answer.status == "answered":
            answer = self._run(qc.compile_person_entries(intent), scope, intent)
        return answer

    # ------------------------------------------------------------------ steps

    def _compile(self, intent: Intent, question: str, today: date) -> qc.Query:
        kind = intent.kind
        if kind == "count" and intent.person is not None:
            return qc.compile_person(intent)
        if kind == "count":
            return qc.compile_count(intent)
        if kind == "winner":
            return qc.compile_winner(intent)
        if kind == "top":
            return qc.compile_ranked(intent, limit=intent.n or 10)
        if kind == "place":
            return qc.compile_ranked(intent, limit=intent.place or 1, place=intent.place)
        if kind == "person":
            return qc.compile_person(intent)
        if kind == "aggregate":
            return qc.compile_aggregate(intent)
        if kind == "superlative":
            return qc.compile_superlative(intent)
        if kind == "split":
            return qc.compile_split(intent, question)
        if kind == "group":
            return qc.compile_group(intent, question)
        if kind == "repeat":
            return qc.compile_repeat(intent, question)
        if kind == "record":
            return qc.compile_record(intent)
        if kind == "events":
            return qc.compile_events(intent, today.isoformat())
        if kind == "race_info":
            return qc.compile_race_info(intent)
        if kind == "awards":
            return qc.compile_awards(intent, question)
        raise qc.NeedsChoice("I could not tell what to compute.", ())

    def _execute(
        self,
        sql: str,
        params: dict[str, Any],
        scope: TenantScope,
        *,
        max_rows: int | None = None,
    ) -> tuple[list[str], list[tuple[Any, ...]], bool, str]:
        shown = render_sql(sql, params)
        _guard_shape(sql, _shape(params), max_rows or self.settings.ask_max_rows)
        columns, rows, truncated = run_readonly(
            self.database,
            scope,
            sql,
            params,
            timeout_ms=self.settings.ask_statement_timeout_ms,
            max_rows=max_rows or self.settings.ask_max_rows,
            max_bytes=self.settings.ask_max_bytes,
        )
        return columns, rows, truncated, shown

    def _run(self, query: qc.Query, scope: TenantScope, intent: Intent) -> Answer:
        try:
            columns, rows, truncated, shown = self._execute(query.sql, query.params, scope)
        except (QueryFailed, UnsafeQuery) as exc:
            log.warning("query failed", error=exc.message)
            return Answer("unanswerable", f"I couldn't run that query: {exc.message}", intent=intent)
        table = present(columns, rows)
        text = query.summarize(table.columns, table.rows)
        if truncated:
            text += f" (showing the first {len(table.rows)} rows)"
        return Answer("answered", text, table.columns, table.rows, shown, "parser", [], intent)

    def _report(self, intent: Intent, scope: TenantScope, with_paths: bool) -> Answer:
        if intent.scope is None:
            return Answer("clarify", "Which event and race should the report cover?", intent=intent)
        rq = reports.report_query(intent)
        try:
            columns, rows, _, shown = self._execute(rq.sql, rq.params, scope, max_rows=200_000)
        except (QueryFailed, UnsafeQuery) as exc:
            return Answer("unanswerable", f"I couldn't build that report: {exc.message}", intent=intent)
        table = present(columns, rows)
        stored = self.files.save(rq.file_stem, reports.to_csv(table.columns, table.rows))
        file = {
            "name": stored.name,
            "media_type": stored.media_type,
            "url": self.files.url(stored),
            "rows": len(table.rows),
        }
        if with_paths:
            file["path"] = str(stored.path)
        head, summary_rows = reports.summary(table.columns, table.rows, intent.report or "")
        text = (
            f"{len(table.rows):,} {rq.title} for {qc.describe_scope(intent)} — in the CSV file {stored.name}."
        )
        if not rows:
            text = f"No {rq.title} for {qc.describe_scope(intent)} (the file has only a header)."
        return Answer("answered", text, head, summary_rows, shown, "parser", [file], intent)

    def _resolve_person(self, question: str, intent: Intent, scope: TenantScope) -> Intent:
        pairs = person_candidates(question)
        if intent.scope is not None:
            names = {w for w in normalize(intent.scope.series.name).split()}
            pairs = [p for p in pairs if not (p[0] in names and p[1] in names)]
        if not pairs:
            return intent
        race_ids = intent.scope.race_ids if intent.scope is not None else None
        if intent.scope is not None and intent.year_mode == "default":
            # No year said: the runner may have raced any edition of this event.
            every = tuple(sorted(intent.scope.series.editions.values(), key=lambda e: e.start_date))
            widened = Scope(intent.scope.series, every, intent.scope.race_kind, intent.scope.race_explicit)
            race_ids = widened.race_ids
        clauses = []
        params: dict[str, Any] = {}
        for k, (first, last) in enumerate(pairs):
            clauses.append(f"(lower(first_name) = :f{k} AND lower(last_name) = :l{k})")
            params[f"f{k}"], params[f"l{k}"] = first, last
        where = "(" + " OR ".join(clauses) + ")"
        if race_ids:
            where += " AND race_id IN :race_ids"
            params["race_ids"] = race_ids
        sql = (
            "SELECT lower(first_name) AS f, lower(last_name) AS l, count(*) AS n "
            f"FROM q_entries WHERE {where} "
            "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5"
        )
        try:
            _, rows, _, _ = self._execute(sql, params, scope)
        except (QueryFailed, UnsafeQuery):
            return intent
        if rows:
            found = intent.with_(person=(rows[0][0], rows[0][1]), kind=_person_kind(intent))
            if intent.scope is not None and intent.year_mode == "default":
                found = found.with_(scope=widened, year_mode="all")
            return found
        if intent.kind == "person" and race_ids:
            return self._fuzzy_person(pairs, intent, scope, race_ids)
        return intent

    def _fuzzy_person(
        self, pairs: list[tuple[str, str]], intent: Intent, scope: TenantScope, race_ids: list[int]
    ) -> Intent:
        sql = (
            "SELECT DISTINCT lower(first_name) || ' ' || lower(last_name) AS full_name FROM q_entries "
            "WHERE race_id IN :race_ids"
        )
        try:
            _, rows, _, _ = self._execute(sql, {"race_ids": race_ids}, scope, max_rows=200_000)
        except (QueryFailed, UnsafeQuery):
            return intent
        names = [r[0] for r in rows]
        best: tuple[str, float] | None = None
        for first, last in pairs:
            hit = process.extractOne(f"{first} {last}", names, scorer=fuzz.ratio, score_cutoff=85)
            if hit and (best is None or hit[1] > best[1]):
                best = (hit[0], hit[1])
        if best is None:
            return intent
        first, _, last = best[0].partition(" ")
        return intent.with_(person=(first, last))

    def _follow_up(
        self, question: str, today: date, catalog: Catalog, previous: Intent, fresh: Intent | Outcome
    ) -> Intent | None:
        text = normalize(question)
        if not (FOLLOW_UP.search(text) or len(text.split()) <= 4):
            return None
        if isinstance(fresh, Outcome):
            return None
        changes: dict[str, Any] = {}
        for slot in (
            "sex",
            "age_min",
            "age_max",
            "age_label",
            "state",
            "team",
            "person",
            "n",
            "place",
            "group_by",
            "measure",
            "time_max_ms",
            "time_min_ms",
        ):
            value = getattr(fresh, slot)
            if value is not None:
                changes[slot] = value
        if fresh.kind not in ("person", "") and not (fresh.kind == "top" and fresh.n is None):
            changes["kind"] = fresh.kind
        if fresh.subject != "finishers" or re.search(r"\bfinish", text):
            changes["subject"] = fresh.subject
        merged = previous.with_(**changes)
        if fresh.scope is not None:
            scope = fresh.scope
            prev = previous.scope
            if prev is not None and prev.series is scope.series and not scope.race_explicit:
                scope = Scope(scope.series, scope.editions, prev.race_kind, prev.race_explicit)
            merged = merged.with_(scope=scope, years=fresh.years, year_mode=fresh.year_mode)
        elif fresh.years and previous.scope is not None:
            merged = merged.with_(years=fresh.years, year_mode=fresh.year_mode)
            editions, outcome = _editions(merged, previous.scope.series, today, text)
            if outcome:
                return None
            merged = merged.with_(
                scope=Scope(
                    previous.scope.series,
                    tuple(editions),
                    previous.scope.race_kind,
                    previous.scope.race_explicit,
                )
            )
        elif fresh.years:
            merged = merged.with_(years=fresh.years, year_mode=fresh.year_mode)
        return merged

    def _fallback(self, question: str, scope: TenantScope, today: date) -> Answer:
        if self.llm is None or not self.settings.llm_enabled:
            return self._unanswerable("I didn't understand that question.", scope)
        from racehub.ask.fallback import llm_answer

        return llm_answer(self, question, scope, today)

    def examples(self, scope: TenantScope) -> list[str]:
        """Example questions about the tenant's own events."""
        catalog = self.catalogs.get(scope)
        names = [s.name for s in catalog.series] or ["your event"]
        years = sorted({ed.year for ed in catalog.editions if ed.status == "completed"}) or [
            date.today().year
        ]
        values = {"a": names[0], "b": names[1] if len(names) > 1 else names[0], "y": years[-1]}
        return [e.format(**values) for e in EXAMPLES]

    def _unanswerable(self, lead: str, scope: TenantScope) -> Answer:
        examples = self.examples(scope)
        listed = "\n".join(f"- {e}" for e in examples)
        return Answer(
            "unanswerable",
            f"{lead} I answer questions about your events, registrations and results, for example:\n{listed}",
            ["example"],
            [[e] for e in examples],
        )


def _shape(params: dict[str, Any]) -> tuple[tuple[str, str, int], ...]:
    return tuple(
        (
            k,
            type(v[0] if isinstance(v, list | tuple) and v else v).__name__,
            len(v) if isinstance(v, list) else -1,
        )
        for k, v in sorted(params.items())
    )


@lru_cache(maxsize=512)
def _guard_shape(sql: str, shape: tuple[tuple[str, str, int], ...], max_rows: int) -> None:
    """Guard a parser statement once per shape: bound values are escaped literals and cannot change it."""
    samples = {"int": 1, "float": 1.0, "bool": True, "str": "x"}
    params: dict[str, Any] = {}
    for key, kind, length in shape:
        value = samples.get(kind, "x")
        params[key] = [value] * max(length, 1) if length >= 0 else value
    guard_sql(render_sql(sql, params), allowed_tables=VIEWS, max_rows=max_rows)


def _person_kind(intent: Intent) -> str:
    """A question that names a runner is about that runner (their splits, or their results)."""
    return "split" if intent.kind == "split" else "person"


def engine_for(database: Database, settings: Settings) -> AskEngine:
    """An engine with the configured LLM fallback (if enabled)."""
    llm = None
    if settings.llm_enabled:
        from racehub.ask.llm import LLMClient

        llm = LLMClient(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
            timeout_s=settings.llm_timeout_s,
        )
    return AskEngine(database, settings, llm)
