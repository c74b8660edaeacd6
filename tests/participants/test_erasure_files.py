"""Erasure and report files: a report goes when one of its rows names the erased runner, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest

from racehub.ask.files import FileStore
from racehub.config import Settings

HEADER = "category,sex,place,bib,first_name,last_name,email,phone\n"


class TestForget:
    @pytest.fixture
    def store(self, tmp_path: Path) -> FileStore:
        return FileStore(Settings(home=tmp_path, secret_key="k", llm_enabled=False))

    def test_first_and_last_name_in_different_rows_are_two_other_people(self, store: FileStore) -> None:
        # Erasing "Alice Ramsey": Alice Booth and Tom Ramsey won awards; Alice Ramsey did not.
        awards = store.save(
            "award-winners.csv",
            HEADER + "Overall,F,1,101,Alice,Booth,,\nOverall,M,1,102,Tom,Ramsey,,\n",
        )

        gone = store.forget(["Alice Ramsey", "Ramsey, Alice", "alice@example.com"], [("Alice", "Ramsey")])

        assert gone == 0
        assert awards.path.exists()

    def test_a_row_with_both_names_an_email_or_a_phone_names_the_runner(self, store: FileStore) -> None:
        by_name = store.save("a.csv", HEADER + "Overall,F,1,101,ALICE,Ramsey,,\n")
        by_email = store.save("b.csv", HEADER + "Masters,F,1,103,Al,R,alice@example.com,\n")
        by_phone = store.save("c.csv", HEADER + "40-44,F,1,104,A,R,,757-555-0101\n")
        other = store.save("d.csv", HEADER + "Overall,F,1,105,Alicia,Ramseyer,,\n")

        gone = store.forget(["Alice Ramsey", "alice@example.com", "757-555-0101"], [("Alice", "Ramsey")])

        assert gone == 3
        assert not by_name.path.exists()
        assert not by_email.path.exists()
        assert not by_phone.path.exists()
        assert other.path.exists()
