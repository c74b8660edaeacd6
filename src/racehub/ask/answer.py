"""What the ask engine gives back: a status, the sentence, the table behind it, the SQL that made it,
how the question was read, and the conversation context a follow-up continues from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from racehub.ask.conversation import Context
from racehub.ask.reading import Choice, Status

VIEWS = frozenset({"q_editions", "q_races", "q_entries", "q_results", "q_splits", "q_awards"})
LLM_LINE = "written by the language model — check the SQL"


@dataclass
class Answer:
    status: Status
    answer: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    sql: str | None = None
    engine: str = "parser"
    files: list[dict[str, Any]] = field(default_factory=list)
    interpretation: str | None = None
    context: Context | None = None
    elapsed_ms: float = 0.0
    # the options a clarifying question offers, carried into the conversation's context
    choices: tuple[Choice, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "answer": self.answer,
            "interpretation": self.interpretation,
            "columns": self.columns,
            "rows": self.rows,
            "sql": self.sql,
            "engine": self.engine,
            "files": self.files,
        }


def unanswerable(lead: str, examples: list[str]) -> Answer:
    """`lead`, then questions the asker could ask instead (about their own events)."""
    listed = "\n".join(f"- {e}" for e in examples)
    return Answer(
        "unanswerable",
        f"{lead} I answer questions about your events, registrations and results, for example:\n{listed}",
        ["example"],
        [[e] for e in examples],
    )
