"""The ask engine: read a question, run its query as the asking tenant, and say the answer with how it
was read. A question with a word the reading did not use is never answered as if the word were not
there: it gets `clarify` (or the language model, when one is configured, told which words were not
understood)."""

from __future__ import annotations

import time
from datetime import date
from functools import lru_cache
from typing import Any

import structlog

from racehub.ask import reports
from racehub.ask.answer import VIEWS, Answer, unanswerable
from racehub.ask.catalog import CatalogCache, RaceInfo
from racehub.ask.charts import bar_chart
from racehub.ask.compile import NeedsChoice, Query, compile_reading
from racehub.ask.compile.people import namesake_choices, namesakes_query
from racehub.ask.conversation import Context, is_follow_up, pick
from racehub.ask.directory import Directory
from racehub.ask.execute import QueryFailed, Table, present, render_sql, run_readonly
from racehub.ask.explain import interpretation
from racehub.ask.fallback import llm_answer
from racehub.ask.files import FileStore
from racehub.ask.guard import UnsafeQuery, guard_sql
from racehub.ask.llm import LLMClient
from racehub.ask.parse import Parsed, read
from racehub.ask.reading import Choice, Kind, Outcome, PersonRef, RaceSet, Reading
from racehub.config import Settings
from racehub.db import Database
from racehub.db import Scope as TenantScope

log = structlog.get_logger(__name__)

# Example questions, filled in with the asking tenant's own events (never another company's).
EXAMPLES = (
    "How many runners finished the {a} last year?",
    "Who won the women's race at the {y} {b}?",
    "Show the top 10 men at the {y} {a}",
    "Which running club had the most finishers at the {y} {b}?",
    "Generate a CSV of award winners with mailing addresses for the {y} {a}",
    "Which events are scheduled next month?",
)


class AskEngine:
    """Answers questions about one tenant's race data (or every tenant's, for the platform operator)."""

    def __init__(self, database: Database, settings: Settings, llm: LLMClient | None = None) -> None:
        self.database = database
        self.settings = settings
        self.catalogs = CatalogCache(database)
        self.directory = Directory(database)
        self.files = FileStore(settings)
        self.llm = llm

    # ------------------------------------------------------------------ public

    def ask(
        self,
        question: str,
        *,
        scope: TenantScope,
        today: date | None = None,
        previous: Context | None = None,
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

    def clear_caches(self) -> None:
        self.catalogs.clear()
        self.directory.clear()

    # ------------------------------------------------------------------ steps

    def _ask(
        self, question: str, scope: TenantScope, today: date, previous: Context | None, with_paths: bool
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
        if previous is not None and previous.choices:
            chosen = pick(question, previous.choices)
            if chosen is not None:
                return self._answer(
                    previous.question,
                    scope,
                    previous.today,
                    with_paths,
                    binding={**previous.binding, **chosen.binding},
                )
        follows = previous.question if previous is not None and previous.reading is not None else None
        return self._answer(question, scope, today, with_paths, follows=follows)

    def _answer(
        self,
        question: str,
        scope: TenantScope,
        today: date,
        with_paths: bool,
        *,
        binding: dict[str, Any] | None = None,
        follows: str | None = None,
    ) -> Answer:
        catalog = self.catalogs.get(scope)
        parsed = read(question, today, catalog, self.directory, scope, binding)
        if follows is not None and is_follow_up(question) and not isinstance(parsed.result, Reading | None):
            merged = read(question, today, catalog, self.directory, scope, binding, previous=follows)
            if isinstance(merged.result, Reading):
                parsed, question = merged, follows
        elif (
            follows is not None
            and is_follow_up(question)
            and isinstance(parsed.result, Reading)
            and (parsed.result.races is None and parsed.result.kind != Kind.EVENTS)
        ):
            merged = read(question, today, catalog, self.directory, scope, binding, previous=follows)
            if isinstance(merged.result, Reading):
                parsed, question = merged, follows
        context = Context(question, today, binding=binding or {})
        result = parsed.result
        if isinstance(result, Outcome):
            if result.status in ("refused", "needs_login"):
                return self._outcome(result, context)
            if parsed.unknown or (result.status == "unanswerable" and not parsed.out_of_domain):
                return self._not_understood(question, parsed, None, scope, today, context)
            return self._outcome(result, context)
        assert isinstance(result, Reading)
        if parsed.unknown and not (binding or {}).get("without"):
            return self._not_understood(question, parsed, result, scope, today, context)
        reading = result
        if parsed.unknown:  # the asker chose to have the words the reading could not use left out
            left_out = ", ".join(f"'{w}'" for w in dict.fromkeys(parsed.unknown))
            reading = reading.with_(notes=(*reading.notes, f"{left_out} left out, as you chose"))
        if reading.person is not None:
            resolved = self._resolve_person(reading, scope, binding or {}, today)
            if isinstance(resolved, Answer):
                resolved.context = Context(question, today, reading, resolved.choices, binding or {})
                return resolved
            reading = resolved
        context = Context(question, today, reading, (), binding or {})
        if reading.kind == Kind.REPORT:
            return self._report(reading, scope, with_paths, context)
        try:
            query = compile_reading(reading, today, counting_awards=reading.attribute == "count")
        except NeedsChoice as choice:
            return Answer(
                "clarify",
                choice.message,
                ["choice"],
                [[c] for c in choice.choices],
                interpretation=interpretation(reading),
                context=Context(question, today, reading, tuple(Choice(c) for c in choice.choices)),
            )
        answer = self._run(query, scope, reading, with_paths)
        answer.context = context
        return answer

    def _outcome(self, outcome: Outcome, context: Context) -> Answer:
        choices = outcome.choices
        rows = [[c.label] for c in choices]
        text = outcome.message
        if choices:
            text += " " + " ".join(f"({k}) {c.label}" for k, c in enumerate(choices, start=1))
        return Answer(
            outcome.status,
            text,
            ["choice"] if choices else [],
            rows,
            context=Context(context.question, context.today, None, choices, context.binding),
        )

    def _not_understood(
        self,
        question: str,
        parsed: Parsed,
        reading: Reading | None,
        scope: TenantScope,
        today: date,
        context: Context,
    ) -> Answer:
        words = ", ".join(f"'{w}'" for w in dict.fromkeys(parsed.unknown))
        if self.llm is not None and self.settings.llm_enabled:
            fallback = self._fallback(question, scope, today, parsed.unknown)
            if fallback.status in ("answered", "refused") or reading is None:
                return fallback
        if reading is None:
            lead = (
                f"I didn't understand {words} in that question."
                if words
                else "I didn't understand that question."
            )
            answer = self._unanswerable(lead, scope)
            answer.context = context
            return answer
        line = interpretation(reading)
        choice = Choice(f"Answer without {words}", {"without": True})
        return Answer(
            "clarify",
            f"I understood: {line} — but not {words}, and I won't answer a broader question than the one you "
            f"asked. Could you rephrase? (1) {choice.label}",
            ["choice"],
            [[choice.label]],
            interpretation=line,
            context=Context(question, today, reading, (choice,), context.binding),
        )

    # ------------------------------------------------------------------ people

    def _resolve_person(
        self, reading: Reading, scope: TenantScope, binding: dict[str, Any], today: date
    ) -> Reading | Answer:
        """The named runner in the question's races: one person, or a clarify between namesakes."""
        person = reading.person
        assert person is not None
        if "person_ids" in binding:
            ids = tuple(int(i) for i in binding["person_ids"])
            person = PersonRef(person.first, person.last, ids, person.label)
            return self._widen(reading.with_(person=person), today)
        widened = self._widen(reading, today)
        sql, params = namesakes_query(person, widened.races, today)
        try:
            _, rows, _, _ = self._execute(sql, params, scope)
        except (QueryFailed, UnsafeQuery) as exc:
            return Answer("unanswerable", f"I couldn't look that runner up: {exc.message}")
        if len(rows) <= 1:
            said_no_year = reading.races is not None and reading.races.year_defaulted
            return self._latest_run(widened, rows[0] if rows else None) if said_no_year else widened
        choices = namesake_choices(rows)
        where_text = interpretation(widened).split(" — ", 1)[-1]
        return Answer(
            "clarify",
            f"{len(rows)} different runners named {person.label} — {where_text}: which one? "
            + " ".join(f"({k}) {c.label}" for k, c in enumerate(choices, start=1)),
            ["choice"],
            [[c.label] for c in choices],
            interpretation=interpretation(widened),
            choices=tuple(choices),
        )

    @staticmethod
    def _latest_run(reading: Reading, person: Any) -> Reading:
        """A runner's time, place or pace with no year said: the last edition they ran (their history
        covers every one)."""
        races = reading.races
        if (
            person is None
            or person[11] is None
            or races is None
            or reading.kind != Kind.LIST
            or "history" in reading.columns
            or len(races.years) < 2
        ):
            return reading
        year = int(person[11])
        pairs = tuple((ed, r) for ed, r in races.pairs if ed.year == year)
        note = f"their latest of {int(person[6])} races here (ask for their history for every year)"
        return reading.with_(
            races=RaceSet(pairs, races.series, races.whole_event, False, False),
            notes=(*reading.notes, note) if int(person[6]) > 1 else reading.notes,
        )

    def _widen(self, reading: Reading, today: date) -> Reading:
        """A runner asked about with no year: every edition of the event(s) named, up to today."""
        races = reading.races
        if races is None or not races.year_defaulted or not races.series:
            return reading
        kinds = {r.kind for _, r in races.pairs}
        whole = races.whole_event
        pairs: list[tuple[Any, RaceInfo]] = []
        for series in races.series:
            for ed in sorted(series.editions.values(), key=lambda e: e.start_date):
                if ed.start_date <= today or ed.status != "completed":
                    pairs.extend((ed, r) for r in ed.races if whole or r.kind in kinds)
        return reading.with_(races=RaceSet(tuple(pairs), races.series, whole, False, True))

    # ------------------------------------------------------------------ running

    def _execute(
        self, sql: str, params: dict[str, Any], scope: TenantScope, *, max_rows: int | None = None
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

    def _run(self, query: Query, scope: TenantScope, reading: Reading, with_paths: bool) -> Answer:
        line = interpretation(reading)
        try:
            columns, rows, truncated, shown = self._execute(query.sql, query.params, scope)
        except (QueryFailed, UnsafeQuery) as exc:
            log.warning("query failed", error=exc.message)
            return Answer("unanswerable", f"I couldn't run that query: {exc.message}", interpretation=line)
        table = present(columns, rows)
        if query.reshape is not None:
            table = Table(*query.reshape(table.columns, table.rows), table.truncated)
        text = query.summarize(table.columns, table.rows)
        text = text[:1].upper() + text[1:]  # "Women's winner: ...", a sentence like the others
        if truncated:
            text += f" (showing the first {len(table.rows)} rows)"
        files: list[dict[str, Any]] = []
        if query.chart and len(table.rows) >= 2 and (reading.chart or len(table.rows) >= 3):
            svg = bar_chart(table.columns, table.rows, query.chart, title=line)
            if svg is not None:
                stored = self.files.save(_stem(line) + ".svg", svg, media_type="image/svg+xml")
                file = {"name": stored.name, "media_type": stored.media_type, "url": self.files.url(stored)}
                if with_paths:
                    file["path"] = str(stored.path)
                files.append(file)
        return Answer("answered", text, table.columns, table.rows, shown, "parser", files, line)

    def _report(self, reading: Reading, scope: TenantScope, with_paths: bool, context: Context) -> Answer:
        line = interpretation(reading)
        if reading.races is None:
            return Answer(
                "clarify",
                "Which event and race should the report cover?",
                interpretation=line,
                context=context,
            )
        rq = reports.report_query(reading)
        try:
            columns, rows, _, shown = self._execute(rq.sql, rq.params, scope, max_rows=200_000)
        except (QueryFailed, UnsafeQuery) as exc:
            return Answer("unanswerable", f"I couldn't build that report: {exc.message}", interpretation=line)
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
        head, summary_rows = reports.summary(table.columns, table.rows, reading.report or "")
        where = line.split(" — ", 1)[-1]
        text = f"{len(table.rows):,} {rq.title} — {where} — in the CSV file {stored.name}."
        if not rows:
            text = f"No {rq.title} — {where} (the file has only a header)."
        return Answer("answered", text, head, summary_rows, shown, "parser", [file], line, context)

    def _fallback(self, question: str, scope: TenantScope, today: date, unknown: list[str]) -> Answer:
        assert self.llm is not None
        return llm_answer(
            self.llm,
            self.database,
            self.settings,
            question,
            scope,
            today,
            not_understood=unknown,
            examples=self.examples(scope),
        )

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
        return unanswerable(lead, self.examples(scope))


def _stem(line: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", line.lower()).strip("-")[:80] or "chart"


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


def engine_for(database: Database, settings: Settings) -> AskEngine:
    """An engine with the configured LLM fallback (if enabled)."""
    llm = None
    if settings.llm_enabled:
        llm = LLMClient(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
            timeout_s=settings.llm_timeout_s,
        )
    return AskEngine(database, settings, llm)
