"""Generated and hand-written questions, asked in-process: no `answered` is wrong, and 95% are right.

A fixed seeded sample of the question generator (tests/ask/question_gen, every category) and every
hand-written paraphrase (tests/ask/paraphrases.jsonl) go through the engine as the platform operator
with each question's `today`, and are scored by check.py's rules (tests/ask/judge.py):

- precision, right / answered, must be 100%: a figure staff would trust is never for another question;
- coverage, right / all, must reach 95%.

A failure lists every miss with the question, what was expected and what came back. The thousands of
questions behind the figures in bench/README.md are asked by bench/bench_ask_quality.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from racehub.ask.engine import AskEngine
from racehub.db import Scope
from tests.ask.bundle_reference import Bundle
from tests.ask.judge import Score, explain, load_jsonl
from tests.ask.question_gen import generate

GENERATED = 360  # every category at least 6 times
SEED = 17
PARAPHRASES = Path(__file__).with_name("paraphrases.jsonl")
PRECISION = 1.0
COVERAGE = 0.95


def ask_all(engine: AskEngine, items: list[dict[str, Any]]) -> Score:
    score = Score()
    for item in items:
        try:
            answer = engine.ask(
                item["question"],
                scope=Scope.operator(),
                today=date.fromisoformat(item["today"]),
                with_paths=True,
            ).to_dict()
        except Exception as exc:
            answer = {"status": "error", "answer": f"{type(exc).__name__}: {exc}", "rows": [], "files": []}
        score.add(item, answer)
    return score


@pytest.fixture(scope="module")
def score(engine: AskEngine, bundle: Bundle) -> Score:
    items = generate(GENERATED, SEED, bundle) + load_jsonl(PARAPHRASES)
    result = ask_all(engine, items)
    print(f"\n{result.table()}")
    return result


def report(score: Score, misses: list[Any]) -> str:
    listed = "\n".join(explain(o) for o in misses)
    return f"\n{score.table()}\n\n{len(misses)} misses:\n{listed}"


@pytest.mark.slow
class TestGeneratedQuestions:
    def test_no_answered_question_is_wrong(self, score: Score) -> None:
        wrong = [o for o in score.misses() if o.answered]
        precision = score.tally().precision
        assert precision >= PRECISION, report(score, wrong)

    def test_at_least_95_percent_are_right(self, score: Score) -> None:
        coverage = score.tally().coverage
        assert coverage >= COVERAGE, report(score, score.misses())
