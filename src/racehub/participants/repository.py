"""All SQL of the participants API: name search over people and their entries.

A search word matches the start of a first or last name, ignoring case and accents. People are
found through `persons.search_first_name` / `search_last_name` (folded names kept by migration
0002) with prefix ranges, which their indexes serve even under row-level security.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

# Accent folding without the unaccent extension (the embedded server lacks it). The same table is in
# the generated columns of migrations 0002 and 0040; keep them identical.
ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
PLAIN = "aaaaaaaaaaaacceeeeeeeeiiiiiiiinnoooooooooooouuuuuuuuyyy"
_FOLD = str.maketrans(ACCENTED, PLAIN)


def fold(name: str) -> str:
    """Lower case without accents: the form names are compared in."""
    return name.translate(_FOLD).lower()


def _folded_sql(column: str) -> str:
    """`fold` in SQL, as persons' generated search columns compute it (ASCII names skip translate)."""
    translated = f"translate({column}, '{ACCENTED}', '{PLAIN}')"
    ascii_name = f"octet_length({column}) = char_length({column})"
    return f"lower(CASE WHEN {ascii_name} THEN {column} ELSE {translated} END)"


def _after_prefix(word: str) -> str:
    """The least string greater than every string that starts with `word` (byte order)."""
    last = ord(word[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # no surrogates in UTF-8
        last = 0xE000
    return word[:-1] + chr(min(last, 0x10FFFF))


def _name_conditions(first: str, last: str, words: Sequence[str]) -> str:
    """Every word starts the first or the last name (`first`/`last`: folded SQL expressions)."""
    return " AND ".join(
        f"(({last} ~>=~ :w{i} AND {last} ~<~ :u{i}) OR ({first} ~>=~ :w{i} AND {first} ~<~ :u{i}))"
        for i in range(len(words))
    )


def _word_params(words: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for i, word in enumerate(words):
        params[f"w{i}"], params[f"u{i}"] = word, _after_prefix(word)
    return params


def _matches(words: Sequence[str]) -> str:
    entry_first, entry_last = _folded_sql("en.first_name"), _folded_sql("en.last_name")
    return f"""
    WITH matches AS (
        SELECT p.id AS person_id, NULL::bigint AS entry_id, p.first_name, p.last_name, p.sex,
               p.search_last_name AS sort_last, p.search_first_name AS sort_first
        FROM persons p
        WHERE {_name_conditions("p.search_first_name", "p.search_last_name", words)}
        UNION ALL
        -- Entries no person was linked to (no date of birth) are found on their own.
        SELECT NULL, en.id, en.first_name, en.last_name, en.sex, {entry_last}, {entry_first}
        FROM entries en
        WHERE en.person_id IS NULL AND {_name_conditions(entry_first, entry_last, words)}
    )"""


def count_statement(words: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """SQL and parameters counting the matches of `words` (public so its plan can be checked)."""
    return _matches(words) + " SELECT count(*) FROM matches", _word_params(words)


def count_matches(session: Session, words: Sequence[str]) -> int:
    sql, params = count_statement(words)
    return int(session.execute(text(sql), params).scalar_one())


def matches(session: Session, words: Sequence[str], limit: int, offset: int) -> Sequence[RowMapping]:
    """People (and unlinked entries) matching every word, by last then first name."""
    query = text(
        _matches(words)
        + """
        SELECT person_id, entry_id, first_name, last_name, sex FROM matches
        ORDER BY sort_last, sort_first, person_id NULLS LAST, entry_id
        LIMIT :limit OFFSET :offset"""
    )
    params = {**_word_params(words), "limit": limit, "offset": offset}
    return session.execute(query, params).mappings().all()


def person(session: Session, person_id: int) -> RowMapping | None:
    query = text("SELECT id AS person_id, first_name, last_name, sex FROM persons WHERE id = :id")
    return session.execute(query, {"id": person_id}).mappings().one_or_none()


def entries(
    session: Session, person_ids: Sequence[int], entry_ids: Sequence[int] = ()
) -> Sequence[RowMapping]:
    """Entries of these people (and these unlinked entries), newest edition first."""
    query = text(
        """
        SELECT en.id AS entry_id, en.person_id, en.first_name, en.last_name, en.sex, en.age, en.city,
               en.state, en.bib, ed.id AS edition_id, s.name AS event_name, ed.year, ed.start_date,
               r.id AS race_id, r.name AS race_name, r.distance_m, re.status,
               CASE r.placement_basis WHEN 'gun' THEN re.gun_ms ELSE re.chip_ms END AS time_ms,
               re.overall_place, re.sex_place, re.age_group, re.age_group_place
        FROM entries en
        JOIN races r ON r.id = en.race_id
        JOIN editions ed ON ed.id = r.edition_id
        JOIN event_series s ON s.id = ed.series_id
        LEFT JOIN results re ON re.entry_id = en.id
        WHERE en.person_id = ANY(CAST(:person_ids AS bigint[])) OR en.id = ANY(CAST(:entry_ids AS bigint[]))
        ORDER BY ed.start_date DESC, r.distance_m DESC NULLS LAST, en.id
        """
    )
    params = {"person_ids": list(person_ids), "entry_ids": list(entry_ids)}
    return session.execute(query, params).mappings().all()
