"""Answers as markdown: the answer, a compact table, the SQL in a collapsible block, download links.

Text that comes from data (runner, team and event names, from vendor feeds among others) is escaped, so
a name like `[click](javascript:...)` or `<img onerror=...>` shows as the characters it is.
"""

from __future__ import annotations

import re
from typing import Any

from racehub.ask.answer import Answer

MAX_TABLE_ROWS = 15
MAX_CELL_CHARS = 80
_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")
# "#" makes a heading only at the start of a line and before a blank ("run #3" is plain text); "!" makes
# an image only before "[", which is escaped anyway.
_HEADING = re.compile(r"^(#+)(?=\s|$)")
# An underscore inside a word (event_name) emphasises nothing; at a word's edge it could.
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def escape(value: Any) -> str:
    """Markdown-inert text: special characters backslash-escaped, on one line."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    text = _EDGE_UNDERSCORE.sub(r"\\_", _SPECIAL.sub(r"\\\1", text))
    return _HEADING.sub(lambda m: "\\#" * len(m.group(1)), text)


# Column names as people read them in a table's header ("first_name" -> "first name").
_LABELS = {"race_name": "race", "event_name": "event", "overall_place": "place"}


def label(column: str) -> str:
    """A column name as a table header."""
    return _LABELS.get(column, column.replace("_", " "))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return escape(text)


def table(columns: list[str], rows: list[list[Any]], limit: int = MAX_TABLE_ROWS) -> str:
    if not columns:
        return ""
    lines = [
        "| " + " | ".join(_cell(label(c)) for c in columns) + " |",
        "|" + "|".join(" --- " for _ in columns) + "|",
    ]
    for row in rows[:limit]:
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    if len(rows) > limit:
        lines.append("")
        lines.append(f"… {len(rows) - limit:,} more rows")
    return "\n".join(lines)


def sql_block(sql: str) -> str:
    fence = "```"
    while fence in sql:
        fence += "`"
    return f"<details><summary>SQL</summary>\n\n{fence}sql\n{sql.strip()}\n{fence}\n\n</details>"


def absolute(url: str, base_url: str) -> str:
    if re.match(r"^https?://", url):
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def file_links(files: list[dict[str, Any]], base_url: str) -> str:
    links = []
    for f in files:
        rows = f.get("rows")
        size = f" ({rows:,} rows)" if isinstance(rows, int) else ""
        url = absolute(str(f["url"]), base_url)
        if str(f.get("media_type", "")).startswith("image/"):
            links.append(f"![chart: {escape(f.get('name', 'chart'))}]({url})")
            links.append(f"- Chart: [{escape(f.get('name', 'chart'))}]({url})")
        else:
            links.append(f"- Download [{escape(f.get('name', 'file'))}]({url}){size}")
    return "\n".join(links)


def interpretation_line(answer: Answer) -> str:
    """How the question was read, in italics above the answer."""
    if not answer.interpretation:
        return ""
    return f"_Read as: {escape(answer.interpretation)}_"


def render_answer(answer: Answer, base_url: str) -> str:
    """The whole reply for one answer."""
    if answer.status == "clarify":
        choices = [str(r[0]) for r in answer.rows if r and answer.columns == ["choice"]]
        text = escape(answer.answer.split(" (1) ")[0] if choices else answer.answer)
        if choices:
            text += "\n\n" + "\n".join(f"{k}. {escape(c)}" for k, c in enumerate(choices[:20], start=1))
            text += "\n\nReply with a number or the choice's name."
        return text
    if answer.status != "answered":
        # Refusals and "I didn't understand" carry their own wording (and examples); no data table.
        return _plain(answer.answer)
    parts = [interpretation_line(answer), escape_prose(answer.answer)]
    if answer.rows and not (len(answer.rows) == 1 and len(answer.columns) == 1):
        parts.append(table(answer.columns, answer.rows))
    if answer.files:
        parts.append(file_links(answer.files, base_url))
    if answer.sql:
        parts.append(sql_block(answer.sql))
    return "\n\n".join(p for p in parts if p)


def escape_prose(text: str) -> str:
    """An answer sentence: escaped like data, line breaks kept."""
    return "\n".join(escape(line) for line in text.splitlines())


def _plain(text: str) -> str:
    # Engine messages with examples are "lead\n- example\n- example": keep the list, escape the rest.
    lines = []
    for line in text.splitlines():
        if line.startswith("- "):
            lines.append("- " + escape(line[2:]))
        else:
            lines.append(escape(line))
    return "\n".join(lines)
