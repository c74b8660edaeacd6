"""Client for any OpenAI-compatible chat server (Ollama by default): SQL proposals and plain chat.

The model sees the schema text and glossary the caller passes, the question, and nothing else: no rows.
Whatever SQL it proposes is untrusted text for `racehub.ask.guard.guard_sql`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, cast

import openai
import structlog
from openai.types.chat import ChatCompletionMessageParam

from racehub.errors import RaceHubError

log = structlog.get_logger(__name__)

HEALTH_TIMEOUT_S: Final = 2.0
HEALTH_TTL_S: Final = 5.0
MAX_SQL_TOKENS: Final = 1024
CANNOT_ANSWER: Final = "CANNOT_ANSWER"

SQL_SYSTEM_PROMPT: Final = """\
You write PostgreSQL queries for RaceHub, a race-timing database.

Answer the user's question with exactly one read-only PostgreSQL SELECT statement.
Rules:
- Use only the views described below; no other tables, schemas or system catalogs.
- One statement: no semicolons, no INSERT/UPDATE/DELETE, no DDL, no SET, no transaction commands.
- Use only ordinary SQL functions (aggregates, window functions, round, lower, date_trunc, extract, ...).
- Today is {today}. For "this year", "last year", "upcoming" and the like, use the literal
  DATE '{today}', never CURRENT_DATE or now().
- Select only the columns needed to answer, with readable aliases, and add a LIMIT.

Reply with the query in a ```sql code block, followed by one short sentence that explains it.
If the question cannot be answered from these views, reply with the single line
{cannot}: <reason> and no SQL.

## Views
{schema}

## Glossary
{glossary}
"""


class LLMError(RaceHubError):
    """The language model could not help with this question."""

    status = 502


class LLMUnavailable(LLMError):
    """The server cannot be reached, timed out, or refused the request."""

    status = 503


class LLMBadReply(LLMError):
    """The server answered, but with nothing usable (no SQL, malformed response)."""

    status = 502


class LLMDeclined(LLMBadReply):
    """The model said the question cannot be answered from the views; the message carries its reason."""


@dataclass(frozen=True, slots=True)
class LLMProposal:
    sql: str
    explanation: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text exactly as the model produced it; the caller validates it


@dataclass(frozen=True, slots=True)
class ChatReply:
    content: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None


class LLMClient:
    """One model on one OpenAI-compatible server, with blocking calls."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout_s: float,
        *,
        max_retries: int = 0,
        health_ttl_s: float = HEALTH_TTL_S,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.timeout_s = timeout_s
        # Local servers (Ollama, llama.cpp, vLLM) ignore the key, but the client insists on one.
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout_s, max_retries=max_retries
        )
        self._health_ttl_s = health_ttl_s
        self._health: tuple[float, bool] | None = None
        self._health_lock = threading.Lock()

    def available(self) -> bool:
        """Whether the server answers `GET /models` quickly; cached for `health_ttl_s` seconds."""
        with self._health_lock:
            now = time.monotonic()
            if self._health is not None and now - self._health[0] < self._health_ttl_s:
                return self._health[1]
            try:
                timeout = min(HEALTH_TIMEOUT_S, self.timeout_s)
                self._client.with_options(timeout=timeout, max_retries=0).models.list()
                healthy = True
            except openai.OpenAIError as error:
                log.info("llm.unavailable", base_url=self.base_url, error=type(error).__name__)
                healthy = False
            self._health = (time.monotonic(), healthy)
            return healthy

    def propose_sql(self, question: str, schema_text: str, glossary: str, today: date) -> LLMProposal:
        """Ask the model for one SELECT answering `question`; the SQL is unchecked."""
        system = SQL_SYSTEM_PROMPT.format(
            today=today.isoformat(),
            cannot=CANNOT_ANSWER,
            schema=schema_text.strip(),
            glossary=glossary.strip() or "(none)",
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": question}]
        reply = self._complete(messages, tools=None, max_tokens=MAX_SQL_TOKENS)
        return parse_sql_reply(reply.content or "")

    def chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        max_tokens: int | None = None,
    ) -> ChatReply:
        """One non-streaming chat completion; returns the text and any tool calls."""
        return self._complete(messages, tools=tools, max_tokens=max_tokens)

    def _complete(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        tools: Sequence[Mapping[str, Any]] | None,
        max_tokens: int | None,
    ) -> ChatReply:
        extra: dict[str, Any] = {}
        if tools:
            extra["tools"] = [dict(tool) for tool in tools]
        if max_tokens is not None:
            extra["max_tokens"] = max_tokens
        started = time.monotonic()
        try:
            completion = self._client.chat.completions.create(
                model=self.model,
                # The chat layer builds plain OpenAI-format dicts; the SDK's TypedDicts are for callers.
                messages=cast("list[ChatCompletionMessageParam]", [dict(message) for message in messages]),
                temperature=0,
                stream=False,
                **extra,
            )
        except (openai.APIConnectionError, openai.APIStatusError) as error:
            # APITimeoutError is an APIConnectionError; a status error (404 unknown model, 5xx) means the
            # same to the asker: no model to ask right now.
            log.warning(
                "llm.request_failed",
                base_url=self.base_url,
                error=type(error).__name__,
                status=getattr(error, "status_code", None),
            )
            with self._health_lock:
                self._health = None
            raise LLMUnavailable(_unavailable_message(error)) from error
        except openai.OpenAIError as error:
            raise LLMBadReply(f"language model reply could not be read: {type(error).__name__}") from error
        log.debug("llm.completed", model=self.model, elapsed_ms=round((time.monotonic() - started) * 1000))
        return _chat_reply(completion)


def _unavailable_message(error: openai.OpenAIError) -> str:
    if isinstance(error, openai.APITimeoutError):
        return "language model timed out"
    if isinstance(error, openai.APIStatusError):
        return f"language model server answered HTTP {error.status_code}"
    return "language model server cannot be reached"


def _chat_reply(completion: Any) -> ChatReply:
    """Read the first choice defensively: some compatible servers omit fields the SDK treats as required."""
    choices = getattr(completion, "choices", None)
    if not choices:
        raise LLMBadReply("language model reply has no choices")
    choice = choices[0]
    message = getattr(choice, "message", None)
    if message is None:
        raise LLMBadReply("language model reply has no message")
    content = getattr(message, "content", None)
    tool_calls: list[ToolCall] = []
    for call in getattr(message, "tool_calls", None) or []:
        function = getattr(call, "function", None)
        name = getattr(function, "name", None)
        if not isinstance(name, str) or not name:
            raise LLMBadReply("language model returned a tool call without a function name")
        arguments = getattr(function, "arguments", None)
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments if arguments is not None else {})
        tool_calls.append(ToolCall(id=str(getattr(call, "id", "") or ""), name=name, arguments=arguments))
    return ChatReply(
        content=content if isinstance(content, str) else None,
        tool_calls=tool_calls,
        finish_reason=getattr(choice, "finish_reason", None),
    )


_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
# A fenced block; an unclosed one runs to the end (a reply cut off by max_tokens).
_FENCE = re.compile(r"```(.*?)(?:```|\Z)", re.DOTALL)
_LANGUAGE_TAG = re.compile(r"[a-z0-9_+-]*")
_SQL_LANGUAGES: Final = frozenset({"sql", "postgresql", "postgres", "pgsql", "psql", "plpgsql"})
_SQL_START = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_MAX_EXPLANATION_CHARS: Final = 500


def parse_sql_reply(text: str) -> LLMProposal:
    """Pull one SQL query out of a model's reply: JSON `{"sql": ...}`, a fenced block, or bare SQL."""
    text = _THINKING.sub("", text).strip()
    if not text:
        raise LLMBadReply("language model reply is empty")
    from_json = _from_json(text)
    if from_json is not None:
        return from_json
    declined = _declined_reason(text)
    fences = list(_FENCE.finditer(text))
    for fence in fences:
        language, body = _split_fence(fence.group(1))
        if language in _SQL_LANGUAGES or (not language and _SQL_START.match(body)):
            sql = _clean_sql(body)
            if sql:
                rest = (text[: fence.start()] + text[fence.end() :]).strip()
                return LLMProposal(sql=sql, explanation=_short(rest))
    if declined is not None:
        raise LLMDeclined(declined)
    if not fences and _SQL_START.match(text):
        # Bare SQL, perhaps followed by prose after a blank line.
        sql, _, rest = text.partition("\n\n")
        return LLMProposal(sql=_clean_sql(sql), explanation=_short(rest))
    raise LLMBadReply("language model reply contains no SQL query")


def _from_json(text: str) -> LLMProposal | None:
    candidates = [text]
    for fence in _FENCE.finditer(text):
        language, body = _split_fence(fence.group(1))
        if language in ("json", ""):
            candidates.append(body)
    for candidate in candidates:
        candidate = candidate.strip()
        if not candidate.startswith("{"):
            continue
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if not isinstance(data, dict) or "sql" not in data:
            continue
        sql, explanation = data.get("sql"), data.get("explanation")
        explanation = explanation if isinstance(explanation, str) else ""
        if isinstance(sql, str) and _clean_sql(sql):
            return LLMProposal(sql=_clean_sql(sql), explanation=_short(explanation))
        raise LLMDeclined(explanation.strip() or "language model gave no SQL")
    return None


def _split_fence(inner: str) -> tuple[str, str]:
    """The language tag of a fenced block (lower case, may be empty) and its body."""
    first, newline, rest = inner.partition("\n")
    tag = first.strip().lower()
    if newline and _LANGUAGE_TAG.fullmatch(tag) and tag not in ("select", "with"):
        return tag, rest
    word, _, tail = inner.strip().partition(" ")  # ```sql SELECT 1```
    if word.lower() in _SQL_LANGUAGES:
        return word.lower(), tail
    return "", inner


def _declined_reason(text: str) -> str | None:
    for line in text.splitlines():
        stripped = line.strip().strip("*`_ ")
        if stripped.upper().startswith(CANNOT_ANSWER):
            return stripped[len(CANNOT_ANSWER) :].lstrip(" :-").strip() or "the question cannot be answered"
    return None


def _clean_sql(sql: str) -> str:
    # A trailing semicolon is habit, not a second statement; anything after one is the guard's business.
    return sql.strip().rstrip(";").strip()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_EXPLANATION_CHARS else text[: _MAX_EXPLANATION_CHARS - 1] + "…"
