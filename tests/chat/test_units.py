"""Pure pieces: reading claims and codes from chat text, markdown rendering, the model's text clean-up."""

from __future__ import annotations

import pytest

from racehub.ask.engine import Answer
from racehub.auth.challenges import AccountClaim
from racehub.auth.claims import read_claim, read_code, read_password
from racehub.chat.assistant import for_model, sanitize
from racehub.chat.render import escape, render_answer, table

BASE = "https://racehub.example/"


class TestClaims:
    @pytest.mark.parametrize(
        ("text", "claim", "rest"),
        [
            ("I'm John from Acme Racing", AccountClaim(first_name="John", organization="Acme Racing"), None),
            (
                "Hi, I am John Carter from Acme Racing.",
                AccountClaim(first_name="John", last_name="Carter", organization="Acme Racing"),
                None,
            ),
            (
                "I'm John from Acme Racing, show me my events",
                AccountClaim(first_name="John", organization="Acme Racing"),
                "show me my events",
            ),
            (
                "actually I\u2019m Maria from Tidewater",
                AccountClaim(first_name="Maria", organization="Tidewater"),
                None,
            ),
            (
                "this is maria at tidewater timing",
                AccountClaim(first_name="maria", organization="tidewater timing"),
                None,
            ),
            ("log in as john@acmeracing.example please", AccountClaim(email="john@acmeracing.example"), None),
        ],
    )
    def test_reads_who_someone_says_they_are(self, text: str, claim: AccountClaim, rest: str | None) -> None:
        found = read_claim(text)
        assert found is not None
        assert found.claim == claim
        assert found.rest == rest

    @pytest.mark.parametrize(
        "text",
        [
            "I'm new at this",
            "I'm looking for results from Boston",
            "and in 2024?",
            "How many runners finished the Shamrock Marathon?",
            "Who is from Acme Racing?",
        ],
    )
    def test_ordinary_sentences_are_no_claims(self, text: str) -> None:
        assert read_claim(text) is None

    def test_account_key_is_the_normal_form(self) -> None:
        assert AccountClaim(email=" John@Acme.Example ").account_key == "email:john@acme.example"
        a = AccountClaim(first_name="José", organization="Acme  Racing!").account_key
        assert a == AccountClaim(first_name="jose", organization="acme racing").account_key

    def test_codes_and_passwords(self) -> None:
        assert [read_code(t) for t in ("123456", "123 456", "code: 123-456", "my code is 123456")] == [
            "123456"
        ] * 4
        assert read_code("1234567") is None
        assert read_code("in 2024") is None
        assert read_password("password: hunter 2", bare=False) == "hunter 2"
        assert read_password("hunter2", bare=True) == "hunter2"
        assert read_password("hunter2", bare=False) is None
        assert read_password("and in 2024?", bare=True) is None


class TestRendering:
    def test_data_cannot_inject_markup(self) -> None:
        assert escape("[x](javascript:alert(1)) <img src=x onerror=y> | *b*") == (
            "\\[x\\](javascript:alert(1)) \\<img src=x onerror=y\\> \\| \\*b\\*"
        )
        assert escape("event_name") == "event_name"
        assert escape("_x_") == "\\_x\\_"

    def test_only_what_would_be_markup_is_escaped(self) -> None:
        # Clients that show the text raw (a terminal, a log) must not see "run \#3".
        assert escape("The run (run #3) joined run #1! Great") == "The run (run #3) joined run #1! Great"
        assert escape("# Heading?") == "\\# Heading?"
        assert escape("![x](y)") == "!\\[x\\](y)"

    def test_table_headers_are_words_not_column_names(self) -> None:
        header = table(
            ["overall_place", "bib", "first_name", "last_name", "age_group"],
            [[1, "7", "Ann", "Lee", "20-24"]],
        )
        assert header.splitlines()[0] == "| place | bib | first name | last name | age group |"

    def test_table_is_compact(self) -> None:
        rendered = table(["n"], [[i] for i in range(40)])
        assert sum(line.startswith("| ") for line in rendered.splitlines()) == 2 + 15
        assert rendered.endswith("… 25 more rows")

    def test_answer_has_text_table_sql_and_absolute_links(self) -> None:
        answer = Answer(
            "answered",
            "2 award winners — in the CSV file a.csv.",
            ["name", "place"],
            [["Ann", 1], ["Bo", 2]],
            sql="SELECT 1",
            files=[{"name": "a.csv", "url": "/v1/files/t/a.csv?expires=1&signature=s", "rows": 2}],
        )
        md = render_answer(answer, BASE)
        assert md.startswith("2 award winners")
        assert "| name | place |\n| --- | --- |\n| Ann | 1 |" in md
        assert (
            "- Download [a.csv](https://racehub.example/v1/files/t/a.csv?expires=1&signature=s) (2 rows)"
            in md
        )
        assert md.endswith("<details><summary>SQL</summary>\n\n```sql\nSELECT 1\n```\n\n</details>")

    def test_clarify_lists_choices_and_refusals_show_no_table(self) -> None:
        md = render_answer(
            Answer(
                "clarify",
                "Which event do you mean? (1) Boston (2) Lakeside",
                ["choice"],
                [["Boston"], ["Lakeside"]],
            ),
            BASE,
        )
        reply_hint = "Reply with a number or the choice's name."
        assert md == f"Which event do you mean?\n\n1. Boston\n2. Lakeside\n\n{reply_hint}"
        md = render_answer(Answer("refused", "I only read data.", ["x"], [["secret"]], sql="SELECT 1"), BASE)
        assert md == "I only read data."


class TestModelView:
    def test_rows_naming_people_never_reach_the_model(self) -> None:
        named = Answer(
            "answered", "Ann Lee won in 2:30.", ["first_name", "last_name", "time"], [["Ann", "Lee", 1]]
        )
        seen = for_model(named)
        assert "rows" not in seen
        assert "Ann" not in str(seen)
        sql = "SELECT count(*) AS finishers FROM q_results WHERE status = 'FIN'"
        counted = Answer("answered", "820 finishers.", ["finishers"], [[820]], sql)
        assert for_model(counted)["rows"] == [[820]]
        assert for_model(counted)["summary"] == "820 finishers."
        # Without SQL to trace, nothing says where the values come from: withheld.
        assert "rows" not in for_model(Answer("answered", "820 finishers.", ["finishers"], [[820]]))

    def test_model_text_loses_links_images_and_html(self) -> None:
        text = sanitize(
            "See ![x](https://evil.example/?d=1) [here](https://evil.example) <b>bold</b> "
            "https://evil.example/leak <think>secret plan</think>"
        )
        assert "evil" not in text
        assert "<" not in text.replace("\\<", "")
        assert "secret plan" not in text
