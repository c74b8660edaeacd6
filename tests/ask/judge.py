"""Scoring of answers against gold expectations, for answers asked in-process.

The rules are those of ../shared/eval/check.py (its `judge`), re-implemented here so the tests and the
bench score an `Answer.to_dict()` without a subprocess: numbers, times within a second, names, row
limits, statuses, refusals, approximate figures, names that must not appear, and the attached CSV's
names and row count. On top of pass/fail it keeps two figures per category:

- precision: of the answers marked `answered`, the share that are right. An `answered` that fails
  (a figure for a broader or different question, or an answer where clarify/refuse was due) is a
  precision miss: a person would trust it.
- coverage: of all questions, the share answered right (a right clarify, refusal or unanswerable
  counts as right).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TIME_RE = re.compile(r"\b(\d{1,3}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?\b")
NUM_RE = re.compile(r"(?<![\d:.])-?\d{1,3}(?:,\d{3})+(?![\d:])|(?<![\d:.])-?\d+(?:\.\d+)?(?![\d:])")

Answer = dict[str, Any]


def to_seconds(text: str) -> float | None:
    """Seconds for 'H:MM:SS(.t)' or 'M:SS' strings, or None."""
    m = TIME_RE.fullmatch(text.strip())
    if not m:
        return None
    a, b, c = m.group(1), m.group(2), m.group(3)
    if c is None:  # M:SS
        return int(a) * 60 + int(b)
    return int(a) * 3600 + int(b) * 60 + float(c)


def _row_values(row: Any) -> list[Any]:
    if isinstance(row, list | tuple):
        return list(row)
    if isinstance(row, dict):
        return list(row.values())
    return [row]


def cells(answer: Answer) -> list[Any]:
    return [value for row in answer.get("rows") or [] for value in _row_values(row)]


def row_texts(answer: Answer) -> list[str]:
    return [" ".join(str(v) for v in _row_values(row) if v is not None) for row in answer.get("rows") or []]


def numbers_in(answer: Answer) -> list[float]:
    nums: list[float] = []
    for c in cells(answer):
        if isinstance(c, bool):
            continue
        if isinstance(c, int | float):
            nums.append(float(c))
        elif isinstance(c, str):
            nums += [float(x.replace(",", "")) for x in NUM_RE.findall(c)]
    nums += [float(x.replace(",", "")) for x in NUM_RE.findall(answer.get("answer") or "")]
    return nums


def times_in(answer: Answer) -> list[float]:
    found: list[float] = []
    for c in cells(answer):
        if isinstance(c, str):
            found += [s for s in (to_seconds(m.group(0)) for m in TIME_RE.finditer(c)) if s is not None]
        elif isinstance(c, int | float) and not isinstance(c, bool):
            found.append(float(c))  # seconds as a number
    text = answer.get("answer") or ""
    found += [s for s in (to_seconds(m.group(0)) for m in TIME_RE.finditer(text)) if s is not None]
    return found


def has_name(answer: Answer, name: str) -> bool:
    name = re.sub(r"\s+", " ", name.lower())
    hay = [(answer.get("answer") or "").lower()] + [t.lower() for t in row_texts(answer)]
    return any(name in re.sub(r"\s+", " ", h) for h in hay)


def attached_csv(answer: Answer) -> str | None:
    """The first attached file's text (the CLI and `with_paths=True` give its path)."""
    files = answer.get("files") or []
    if not files:
        return None
    path = files[0].get("path")
    if not path:
        raise ValueError(f"file {files[0].get('name')!r} has no path (ask with with_paths=True)")
    return Path(path).read_text(encoding="utf-8-sig")


def judge(expect: dict[str, Any], answer: Answer) -> list[str]:
    """Reasons the answer fails the expectation (empty: it passes). The rules of check.py's `judge`."""
    e, why = expect, []
    status = answer.get("status")
    if "status" in e:
        want = e["status"] if isinstance(e["status"], list) else [e["status"]]
        return (
            []
            if status in want
            else [f"expected status {want}, got {status}: {str(answer.get('answer'))[:100]!r}"]
        )
    if "approx" in e:
        e = {k: v for k, v in e.items() if k != "number"}
    if e.get("refuse"):
        return [] if status == "refused" else [f"expected refusal, got status={status}"]
    if "refuse_or_number" in e:
        if status == "refused":
            return []
        e = {"number": e["refuse_or_number"]}
    if status != "answered":
        return [f"status={status}: {str(answer.get('answer'))[:120]}"]
    rows = answer.get("rows") or []
    if "max_rows" in e and len(rows) > e["max_rows"]:
        why.append(f"{len(rows)} rows > {e['max_rows']}")
    nums = numbers_in(answer)
    for n in ([e["number"]] if "number" in e else []) + e.get("numbers", []):
        if not any(abs(x - n) < 1e-6 for x in nums):
            why.append(f"number {n} not found")
    if "time" in e:
        want_s = [to_seconds(t) for t in (e["time"] if isinstance(e["time"], list) else [e["time"]])]
        got = times_in(answer)
        if not any(w is not None and abs(g - w) <= 1.0 for g in got for w in want_s):
            why.append(f"time {e['time']} not found")
    for n in e.get("names", []) + e.get("names_any_case", []):
        if not has_name(answer, n):
            why.append(f"name {n!r} not found")
    if e.get("any_names") and not any(has_name(answer, n) for n in e["any_names"]):
        why.append("none of the expected names found")
    if "approx" in e:
        val, tol = e["approx"]
        if not any(abs(x - val) <= tol for x in nums):
            why.append(f"no number within {tol} of {val}")
    for n in e.get("absent_names", []):
        if has_name(answer, n):
            why.append(f"unexpected {n!r} in the answer")
    if "file_names" in e or "file_rows" in e:
        try:
            text = attached_csv(answer)
        except (OSError, ValueError) as exc:
            text, why = None, [*why, f"file unreadable: {exc}"]
        if text is None:
            why.append("no file attached")
        else:
            data = list(csv.reader(io.StringIO(text)))
            body = [" ".join(r).lower() for r in data[1:] if any(c.strip() for c in r)]
            if "file_rows" in e and len(body) != e["file_rows"]:
                why.append(f"file has {len(body)} rows, expected {e['file_rows']}")
            missing = [n for n in e.get("file_names", []) if not any(n.lower() in b for b in body)]
            if missing:
                why.append(f"file misses {len(missing)} names, e.g. {missing[:3]}")
    return why


# ---------------------------------------------------------------------- figures


@dataclass
class Tally:
    total: int = 0
    answered: int = 0
    answered_right: int = 0
    right: int = 0

    @property
    def precision(self) -> float:
        """Right / answered (1.0 when nothing was answered: no answer misled anyone)."""
        return self.answered_right / self.answered if self.answered else 1.0

    @property
    def coverage(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Outcome:
    item: dict[str, Any]
    answer: Answer
    why: list[str]

    @property
    def right(self) -> bool:
        return not self.why

    @property
    def answered(self) -> bool:
        return self.answer.get("status") == "answered"


@dataclass
class Score:
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, item: dict[str, Any], answer: Answer) -> Outcome:
        outcome = Outcome(item, answer, judge(item["expect"], answer))
        self.outcomes.append(outcome)
        return outcome

    def tally(self, category: str | None = None) -> Tally:
        t = Tally()
        for o in self.outcomes:
            if category is not None and o.item.get("category") != category:
                continue
            t.total += 1
            t.answered += o.answered
            t.answered_right += o.answered and o.right
            t.right += o.right
        return t

    @property
    def categories(self) -> list[str]:
        return sorted({str(o.item.get("category", "")) for o in self.outcomes})

    def misses(self) -> list[Outcome]:
        """Every wrong outcome, the answered ones (precision misses) first."""
        wrong = [o for o in self.outcomes if not o.right]
        return sorted(wrong, key=lambda o: not o.answered)

    def table(self) -> str:
        """Precision and coverage per category and overall, as aligned text."""
        lines = [f"{'category':14s} {'n':>5s} {'answered':>9s} {'precision':>10s} {'coverage':>9s}"]
        for cat in [*self.categories, None]:
            t = self.tally(cat)
            name = "ALL" if cat is None else cat
            lines.append(
                f"{name:14s} {t.total:5d} {t.answered:9d} {t.precision:9.1%} {t.coverage:9.1%}"
                f"  ({t.answered_right}/{t.answered} answered right, {t.right}/{t.total} right)"
            )
        return "\n".join(lines)


def explain(outcome: Outcome, width: int = 300) -> str:
    """One miss for a failure message: the question, what was expected, what came back."""
    a = outcome.answer
    shown = {
        "status": a.get("status"),
        "answer": str(a.get("answer"))[:width],
        "rows": (a.get("rows") or [])[:6],
        "files": [f.get("name") for f in a.get("files") or []],
    }
    item = outcome.item
    return (
        f"[{item.get('category')}] {item.get('id')} today={item.get('today')} {item['question']!r}\n"
        f"    expected {json.dumps(item['expect'])[:width]}\n"
        f"    got      {json.dumps(shown, default=str)[: 2 * width]}\n"
        f"    why      {'; '.join(outcome.why)}"
    )


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_all(items: Sequence[dict[str, Any]], answers: Iterable[Answer]) -> Score:
    score = Score()
    for item, answer in zip(items, answers, strict=True):
        score.add(item, answer)
    return score
