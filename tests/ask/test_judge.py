"""The in-process judge scores as ../shared/eval/check.py does, and counts precision and coverage."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.ask.judge import Score, judge
from tests.conftest import REPO

CHECK = REPO.parent / "shared" / "eval" / "check.py"


def _check() -> ModuleType | None:
    if not CHECK.exists():
        return None
    spec = importlib.util.spec_from_file_location("eval_check", CHECK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answered(text: str, rows: list[list[Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"status": "answered", "answer": text, "rows": rows or [], "files": [], **extra}


def cases(csv_path: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(expectation, answer) pairs over every key check.py understands, passing and failing."""
    with_file = answered("3 rows in the file", files=[{"name": "x.csv", "path": str(csv_path)}])
    return [
        ({"number": 1234, "max_rows": 3}, answered("1,234 finishers", [[1234]])),
        ({"number": 1234, "max_rows": 3}, answered("1,235 finishers", [[1235]])),
        ({"number": 12, "max_rows": 1}, answered("12 finishers", [["5K", 6], ["10K", 6]])),
        ({"numbers": [763, 920]}, answered("2023: 763, 2025: 920")),
        ({"numbers": [763, 920]}, answered("2023: 763")),
        ({"time": ["2:36:58", "2:36:26"]}, answered("won in 2:36:57.6")),
        ({"time": "2:36:58"}, answered("won in 2:37:00.1")),
        ({"time": "0:08:45"}, answered("pace 8:45 per mile")),
        ({"names": ["Helen Scott"]}, answered("", [["Helen", "Scott", 415]])),
        ({"names_any_case": ["Jingle Bell Run"]}, answered("the jingle bell run on Dec 12")),
        ({"any_names": ["dnf", "did not finish"]}, answered("She did not finish.")),
        ({"any_names": ["dnf"]}, answered("She finished in 4:00:00.")),
        ({"approx": [94.9495, 0.06], "number": 94.9}, answered("94.9% of starters finished")),
        ({"approx": [94.9495, 0.06]}, answered("95.1% of starters finished")),
        (
            {"absent_names": ["Jingle Bell Run"], "names_any_case": ["Lakeside"]},
            answered("Lakeside 10K; Jingle Bell Run"),
        ),
        ({"status": "clarify"}, {"status": "clarify", "answer": "Which race?"}),
        ({"status": ["clarify", "unanswerable"]}, answered("12")),
        ({"refuse": True}, {"status": "refused", "answer": "no"}),
        ({"refuse": True}, answered("done")),
        ({"refuse_or_number": 2083}, answered("2,083 finishers")),
        ({"number": 5}, {"status": "clarify", "answer": "which one, 5K or 10K?"}),
        ({"file_rows": 3, "file_names": ["Ann Lee", "Bo Chan"]}, with_file),
        ({"file_rows": 2}, with_file),
        ({"file_names": ["Cy Dee"]}, with_file),
        ({"file_rows": 3}, answered("no file")),
    ]


class TestSameRulesAsCheckPy:
    def test_every_case_passes_or_fails_as_check_py_decides(self, tmp_path: Path) -> None:
        check = _check()
        if check is None:
            pytest.skip(f"no evaluation kit at {CHECK}")
        csv_path = tmp_path / "x.csv"
        csv_path.write_text("first_name,last_name,city\nAnn,Lee,Norfolk\nBo,Chan,Hampton\nEd,Fu,Richmond\n")
        passed = []
        for expect, answer in cases(csv_path):
            theirs = check.judge({"expect": expect}, answer)
            ours = judge(expect, answer)
            assert bool(ours) == bool(theirs), (expect, answer, ours, theirs)
            passed.append(not ours)
        assert 8 <= sum(passed) <= len(passed) - 8, "the cases pass and fail in about equal measure"


class TestPrecisionAndCoverage:
    def test_a_wrong_answered_is_a_precision_miss_and_a_right_clarify_counts_for_coverage(self) -> None:
        score = Score()
        score.add({"category": "count", "question": "q1", "expect": {"number": 5}}, answered("5"))
        score.add({"category": "count", "question": "q2", "expect": {"number": 5}}, answered("6"))
        score.add({"category": "count", "question": "q3", "expect": {"number": 5}}, {"status": "clarify"})
        score.add(
            {"category": "clarify", "question": "q4", "expect": {"status": "clarify"}}, {"status": "clarify"}
        )
        score.add({"category": "clarify", "question": "q5", "expect": {"status": "clarify"}}, answered("7"))
        count, everything = score.tally("count"), score.tally()
        assert (count.answered, count.answered_right, count.right, count.total) == (2, 1, 1, 3)
        assert count.precision == 0.5
        assert everything.precision == pytest.approx(1 / 3)
        assert everything.coverage == pytest.approx(2 / 5)
        assert [o.item["question"] for o in score.misses()] == ["q2", "q5", "q3"]
        assert "ALL" in score.table()
