"""`racehub ask --jsonl`: one answer per input line, each under its own line's id."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from racehub.cli import app as cli
from racehub.db import Database


class TestJsonLines:
    def test_a_malformed_line_is_answered_under_its_own_id_not_the_previous_one(
        self, cli_db: Database
    ) -> None:
        lines = [
            json.dumps({"id": "q1", "question": "How many events are there?"}),
            "this is not json",
            json.dumps({"id": "q3", "question": "How many races?", "today": "not-a-date"}),
            json.dumps(["a", "list"]),
        ]

        result = CliRunner().invoke(cli, ["ask", "--jsonl"], input="\n".join(lines) + "\n")

        assert result.exit_code == 0, result.output
        answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        assert [a.get("id") for a in answers] == ["q1", None, "q3", None]
        assert [a["status"] for a in answers[1:]] == ["unanswerable"] * 3
        assert "bad input line" in answers[1]["answer"]
        assert "--today must be YYYY-MM-DD" in answers[2]["answer"]
