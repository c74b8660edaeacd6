"""CSV reports (award winners with mailing addresses, results, finishers by age group) and signed URLs."""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from racehub.ask.engine import Answer, AskEngine
from racehub.ask.files import FileStore, StoredFile
from racehub.config import Settings
from racehub.errors import NotFound, Unauthorized
from tests.ask.answers import ask, explain
from tests.ask.bundle_reference import Bundle, Race, age_group, ranked

TURKEY = "Richmond Turkey Trot"
AWARD_COLUMNS = [
    "category",
    "sex",
    "place",
    "bib",
    "first_name",
    "last_name",
    "time",
    "address",
    "city",
    "state",
    "zip",
    "country",
    "race_name",
    "year",
]


def report(
    engine: AskEngine, question: str, *, today: date | None = None
) -> tuple[Answer, list[dict[str, str]]]:
    """The answer and the rows of its one CSV file."""
    answer = ask(engine, question, with_paths=True, **({"today": today} if today else {}))
    assert answer.status == "answered", explain(answer)
    assert answer.engine == "parser"
    assert answer.sql
    assert len(answer.files) == 1, explain(answer)
    file = answer.files[0]
    assert file["media_type"] == "text/csv"
    assert file["name"].endswith(".csv")
    path = Path(file["path"])
    assert path.is_file()
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert file["rows"] == len(rows)
    assert len(answer.rows) <= 20, "the answer describes the file; it does not repeat it"
    return answer, rows


def header(answer: Answer) -> list[str]:
    with Path(answer.files[0]["path"]).open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def award_key(
    category: str, sex: str, name: str, shown_time: str, address: str, zip_code: str
) -> tuple[str, ...]:
    return (category, sex, name, shown_time, address, zip_code)


class TestAwardWinnersReport:
    @pytest.mark.parametrize(
        ("question", "today"),
        [
            (
                "Generate CSV of award winners with mailing addresses for the 2025 Richmond Turkey Trot 5K",
                None,
            ),
            (
                "award winners csv with mailing addresses for the richmond turkey trot 5k last year",
                date(2026, 11, 25),
            ),
        ],
    )
    def test_award_winners_by_the_readme_rules(
        self, engine: AskEngine, bundle: Bundle, question: str, today: date | None
    ) -> None:
        race = bundle.race(TURKEY, 2025, "5K")
        expected = bundle.awards(race)
        answer, rows = report(engine, question, today=today)
        assert header(answer) == AWARD_COLUMNS
        assert len(rows) == len(expected)
        assert sorted(f"{r['first_name']} {r['last_name']}" for r in rows) == sorted(
            a.entry.name for a in expected
        )
        shown = Counter(
            award_key(
                r["category"],
                r["sex"],
                f"{r['first_name']} {r['last_name']}",
                r["time"],
                r["address"],
                r["zip"],
            )
            for r in rows
        )
        wanted = Counter(
            award_key(a.category, a.sex, a.entry.name, a.entry.placement_time, a.entry.address1, a.entry.zip)
            for a in expected
        )
        assert shown == wanted
        assert {(r["race_name"], r["year"]) for r in rows} == {("5K", "2025")}
        assert str(len(expected)) in answer.answer

    def test_award_places_within_each_category(self, engine: AskEngine, bundle: Bundle) -> None:
        race = bundle.race(TURKEY, 2025, "5K")
        expected = {(a.category, a.sex, a.entry.bib): a.place for a in bundle.awards(race)}
        _, rows = report(
            engine,
            "Generate CSV of award winners with mailing addresses for the 2025 Richmond Turkey Trot 5K",
        )
        assert {(r["category"], r["sex"], r["bib"]): int(r["place"]) for r in rows} == expected


def _by_bib(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    by_bib = {r["bib"]: r for r in rows}
    assert len(by_bib) == len(rows)
    return by_bib


class TestResultsReport:
    @pytest.mark.parametrize(
        "question",
        [
            "Download a CSV of the results of the 2025 Richmond Turkey Trot 5K",
            "export the 2025 richmond turkey trot 5k results to a spreadsheet",
        ],
    )
    def test_one_row_per_result_with_places(self, engine: AskEngine, bundle: Bundle, question: str) -> None:
        race = bundle.race(TURKEY, 2025, "5K")
        answer, rows = report(engine, question)
        assert len(rows) == sum(1 for e in bundle.entries_of(race) if e.status is not None)
        assert Counter(r["status"] for r in rows) == Counter(e.status for e in bundle.entries_of(race))
        places = {e.bib: place for place, e in ranked(bundle.finishers(race))}
        shown = _by_bib(rows)
        assert {bib: int(shown[bib]["place"]) for bib in places} == places
        assert f"{len(rows):,}" in answer.answer


class TestAgeGroupReport:
    def test_every_finisher_in_their_age_group(self, engine: AskEngine, bundle: Bundle) -> None:
        race: Race = bundle.race(TURKEY, 2025, "5K")
        finishers = bundle.finishers(race)
        _, rows = report(engine, "CSV of finishers by age group for the 2025 Richmond Turkey Trot 5K")
        assert len(rows) == len(finishers)
        shown = _by_bib(rows)
        assert {e.bib: age_group(e.age, race.ag_width) for e in finishers} == {
            bib: r["age_group"] for bib, r in shown.items()
        }
        assert {e.bib: e.placement_time for e in finishers} == {bib: r["time"] for bib, r in shown.items()}


def _url_parts(url: str) -> dict[str, Any]:
    split = urlsplit(url)
    _, _, _, token, name = split.path.split("/")
    query = parse_qs(split.query)
    return {
        "token": token,
        "name": name,
        "expires": int(query["expires"][0]),
        "signature": query["signature"][0],
    }


class TestSignedDownloads:
    @pytest.fixture(scope="class")
    @classmethod
    def awards_file(cls, engine: AskEngine) -> dict[str, Any]:
        answer = ask(
            engine,
            "Generate CSV of award winners with mailing addresses for the 2025 Richmond Turkey Trot 5K",
            with_paths=True,
        )
        assert answer.status == "answered", explain(answer)
        return answer.files[0]

    def test_the_signed_url_opens_the_file(
        self, awards_file: dict[str, Any], test_settings: Settings
    ) -> None:
        parts = _url_parts(awards_file["url"])
        assert parts["name"] == awards_file["name"]
        assert FileStore(test_settings).open(**parts) == Path(awards_file["path"])

    @pytest.mark.parametrize(
        "change",
        [
            {"signature": "0" * 64},
            {"expires_delta": 3600},
            {"name": "other.csv"},
            {"token": "AAAAAAAAAAAAAAAAAAAAAA"},
        ],
    )
    def test_a_tampered_url_is_rejected(
        self, awards_file: dict[str, Any], test_settings: Settings, change: dict[str, Any]
    ) -> None:
        parts = _url_parts(awards_file["url"])
        change = dict(change)
        parts["expires"] += change.pop("expires_delta", 0)
        parts.update(change)
        with pytest.raises(Unauthorized):
            FileStore(test_settings).open(**parts)

    def test_an_expired_link_is_rejected(self, awards_file: dict[str, Any], test_settings: Settings) -> None:
        store = FileStore(test_settings)
        stored = StoredFile(
            _url_parts(awards_file["url"])["token"],
            awards_file["name"],
            Path(awards_file["path"]),
            "text/csv",
        )
        expired = _url_parts(store.url(stored, now=time.time() - store.ttl_s - 60))
        with pytest.raises(Unauthorized, match="expired"):
            store.open(**expired)

    def test_another_key_does_not_verify(
        self, awards_file: dict[str, Any], test_settings: Settings, tmp_path: Path
    ) -> None:
        other = test_settings.model_copy(update={"secret_key": None, "home": tmp_path})
        with pytest.raises(Unauthorized):
            FileStore(other).open(**_url_parts(awards_file["url"]))

    @pytest.mark.parametrize("name", ["../secret.key", "..", ".hidden.csv"])
    def test_unsafe_names_are_not_found(
        self, awards_file: dict[str, Any], test_settings: Settings, name: str
    ) -> None:
        parts = _url_parts(awards_file["url"]) | {"name": name}
        with pytest.raises(NotFound):
            FileStore(test_settings).open(**parts)


class TestStoredFilesAreNotKept:
    """A report of names and addresses lives as long as its link, and an erasure removes it sooner."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> FileStore:
        return FileStore(Settings(home=tmp_path, secret_key="k", llm_enabled=False))

    def test_files_whose_links_expired_are_deleted_on_the_next_save(self, store: FileStore) -> None:
        old = store.save("old.csv", "first_name,last_name\nAnn,Lee\n")
        recent = store.save("recent.csv", "first_name,last_name\nBo,Diaz\n")
        stale = time.time() - store.ttl_s - 120
        os.utime(old.path.parent, (stale, stale))

        newest = store.save("newest.csv", "x\n")

        assert not old.path.exists()
        assert recent.path.exists()
        assert newest.path.exists()

    def test_forget_deletes_the_files_that_name_someone(self, store: FileStore) -> None:
        cells = store.save("winners.csv", "place,first_name,last_name\n1,ANN,Lee\n2,Bo,Diaz\n")
        email = store.save("results.csv", "email\nann.lee@example.com\n")
        other = store.save("others.csv", "place,first_name,last_name\n1,Anna,Leeds\n")

        gone = store.forget(["ann.lee@example.com", "Ann Lee"], [("Ann", "Lee")])

        assert gone == 2
        assert not cells.path.exists()
        assert not email.path.exists()
        assert other.path.exists()  # "Anna Leeds" is someone else
