"""Questions the domain engine cannot place go to the configured LLM, with RaceHub's tools.

The model acts for the verified person only: its tools run through the ask engine in that person's
tenant scope. It sees summaries, counts and column names; answers that name people reach the person as
tables under the reply and never reach the model. Its own text is shown without links, images or HTML.
At most four tool rounds of four calls each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import structlog

from racehub.ask.answer import Answer
from racehub.ask.engine import AskEngine
from racehub.ask.llm import LLMClient, LLMError, ToolCall
from racehub.ask.privacy import names_people
from racehub.auth.callers import Identity

log = structlog.get_logger(__name__)

MAX_ROUNDS = 4
MAX_CALLS_PER_ROUND = 4
MAX_QUESTION_CHARS = 500
MAX_CONTENT_CHARS = 4000
MAX_MODEL_ROWS = 20
# Column names that mark a table as personal whatever its SQL says (a second, cruder net: what decides is
# where each column comes from, `racehub.ask.privacy`).
PERSONAL = frozenset(
    {
        "first_name",
        "last_name",
        "full_name",
        "name",
        "runner",
        "email",
        "phone",
        "address1",
        "address",
        "dob",
        "bib",
        "zip",
        "person",
        "athlete",
    }
)

SYSTEM_PROMPT = """\
You are RaceHub's assistant for {who}, of the timing company {org}. Today is {today}.
Answer questions about this company's races using the tools:
- ask: answers one plain-English question about events, registrations, results, awards or splits
  (for example "How many runners finished the Shamrock Marathon in 2025?").
- list_events: the company's events and their years.
Tool results give summaries and counts; tables that name people are shown to the user under your reply,
not to you. Never invent figures. Reply in a few sentences. If the tools cannot answer, say so and
suggest a question they can answer."""

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "ask",
            "description": "Answer one question about the company's events, registrations and results.",
            "parameters": {
                "type": "object",
                "properties": {"question": {"type": "string", "description": "the question, in English"}},
                "required": ["question"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "list_events",
            "description": "List the company's events with their years and status.",
            "parameters": {"type": "object", "properties": {}},
        },
    },
]


@dataclass
class AssistantReply:
    content: str
    answers: list[Answer] = field(default_factory=list)
    rounds: int = 0


class Assistant:
    def __init__(self, engine: AskEngine, llm: LLMClient) -> None:
        self.engine = engine
        self.llm = llm

    def reply(
        self,
        question: str,
        identity: Identity,
        today: date,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> AssistantReply | None:
        """The model's answer using the tools; None when no model is reachable or it failed."""
        try:
            if not self.llm.available():
                return None
            return self._loop(question, identity, today, on_answer or (lambda _answer: None))
        except LLMError as exc:
            log.info("assistant unavailable", error=exc.message)
            return None

    def _loop(
        self, question: str, identity: Identity, today: date, on_answer: Callable[[Answer], None]
    ) -> AssistantReply:
        system = SYSTEM_PROMPT.format(who=identity.name, org=identity.org_name or "RaceHub", today=today)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": question},
        ]
        answers: list[Answer] = []
        for rounds in range(1, MAX_ROUNDS + 1):
            reply = self.llm.chat(messages, TOOLS)
            if not reply.tool_calls:
                return AssistantReply(sanitize(reply.content or ""), answers, rounds)
            calls = reply.tool_calls[:MAX_CALLS_PER_ROUND]
            messages.append(
                {
                    "role": "assistant",
                    "content": reply.content or "",
                    "tool_calls": [
                        {
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.name, "arguments": c.arguments},
                        }
                        for c in calls
                    ],
                }
            )
            for call in calls:
                result, answer = self._run_tool(call, identity, today)
                if answer is not None:
                    answers.append(answer)
                    on_answer(answer)  # shown to the person now, while the model goes on
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        text = "I could not finish that within my budget of tool calls; here is what I found."
        return AssistantReply(text, answers, MAX_ROUNDS)

    def _run_tool(self, call: ToolCall, identity: Identity, today: date) -> tuple[str, Answer | None]:
        if call.name == "list_events":
            return json.dumps({"events": self._events(identity)}), None
        if call.name != "ask":
            return json.dumps({"error": f"unknown tool {call.name!r}"}), None
        try:
            arguments = json.loads(call.arguments or "{}")
        except ValueError:
            return json.dumps({"error": "arguments are not JSON"}), None
        asked = arguments.get("question") if isinstance(arguments, dict) else None
        if not isinstance(asked, str) or not asked.strip() or len(asked) > MAX_QUESTION_CHARS:
            return json.dumps({"error": "give one question, as a string of at most 500 characters"}), None
        answer = self.engine.ask(asked, scope=identity.scope, today=today)
        return json.dumps(for_model(answer), default=str), answer if answer.status == "answered" else None

    def _events(self, identity: Identity) -> list[dict[str, Any]]:
        catalog = self.engine.catalogs.get(identity.scope)
        return [{"event": s.name, "years": sorted(s.editions)} for s in catalog.series][:100]


def for_model(answer: Answer) -> dict[str, Any]:
    """What the model may see of an answer: never rows (or a summary) whose columns come from personal
    data, traced from the answer's SQL back to the curated views' columns, whatever they are called."""
    personal = bool(PERSONAL & {c.lower() for c in answer.columns}) or names_people(
        answer.sql, answer.columns
    )
    seen: dict[str, Any] = {"status": answer.status, "row_count": len(answer.rows), "columns": answer.columns}
    if personal:
        seen["summary"] = "(names people: shown to the user directly, not to you)"
    else:
        seen["summary"] = answer.answer
        if answer.interpretation:
            seen["read_as"] = answer.interpretation
        if len(answer.rows) <= MAX_MODEL_ROWS:
            seen["rows"] = answer.rows
    return seen


_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_BARE_URL = re.compile(r"\bhttps?://\S+", re.IGNORECASE)


def sanitize(content: str) -> str:
    """Model text as plain prose: no images, links, URLs or HTML (nothing that fetches or exfiltrates)."""
    text = re.sub(r"<think>.*?</think>", "", content, flags=re.DOTALL | re.IGNORECASE)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _BARE_URL.sub("[link removed]", text)
    text = text.replace("<", "\\<").replace(">", "\\>").strip()
    if len(text) > MAX_CONTENT_CHARS:
        text = text[: MAX_CONTENT_CHARS - 1] + "…"
    return text
