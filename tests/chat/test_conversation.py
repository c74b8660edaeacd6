"""Conversations carry context ("and in 2024?"), and replies are markdown with tables, SQL and files."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from racehub.config import Settings
from racehub.db import Database
from tests.chat.world import ChatWorld, bearer, chat, client_for, reply


def sentence(said: str) -> str:
    """The answer after its "Read as" line."""
    read_as, _, rest = said.partition("\n\n")
    assert read_as.startswith("_Read as: "), said
    return rest


Q2025 = "How many runners finished the Shamrock Marathon in 2025?"
FOLLOW = "and in 2024?"


class TestFollowUps:
    def test_by_conversation_id(self, client: TestClient, world: ChatWorld) -> None:
        assert "820 finishers" in reply(chat(client, world.john.key, Q2025, chat_id="web-1"))
        said = reply(chat(client, world.john.key, Q2025, "…", FOLLOW, chat_id="web-1"))
        assert said.startswith("_Read as: Number of finishers — the 2024 Shamrock Marathon Weekend Marathon_")
        assert sentence(said).startswith("757 finishers")
        assert "2024 Shamrock" in said

    def test_by_open_webui_chat_id_header(self, client: TestClient, world: ChatWorld) -> None:
        header = {"X-OpenWebUI-Chat-Id": "0b7e6a7c-1"}
        reply(chat(client, world.john.key, Q2025, headers=header))
        assert sentence(reply(chat(client, world.john.key, Q2025, "…", FOLLOW, headers=header))).startswith(
            "757 finishers"
        )

    def test_by_the_history_an_openai_client_sends(self, client: TestClient, world: ChatWorld) -> None:
        first = reply(chat(client, world.john.key, Q2025))
        assert sentence(reply(chat(client, world.john.key, Q2025, first, FOLLOW))).startswith("757 finishers")

    def test_survive_a_restart_of_the_server(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        with client_for(chat_db, test_settings) as before:
            reply(chat(before, world.john.key, Q2025, chat_id="c1"))
        with client_for(chat_db, test_settings) as after:  # a new process: no intents in memory
            assert sentence(reply(chat(after, world.john.key, Q2025, "…", FOLLOW, chat_id="c1"))).startswith(
                "757 finishers"
            )

    def test_do_not_leak_into_another_conversation(self, client: TestClient, world: ChatWorld) -> None:
        reply(chat(client, world.john.key, Q2025, chat_id="c1"))
        assert "757" not in reply(chat(client, world.john.key, FOLLOW, chat_id="c2"))

    def test_are_kept_per_credential(self, client: TestClient, world: ChatWorld) -> None:
        reply(chat(client, world.john.key, Q2025, chat_id="shared"))
        assert "757" not in reply(chat(client, world.maria.key, Q2025, "…", FOLLOW, chat_id="shared"))


WHO_WON = "Who won the 2025 Shamrock?"


class TestClarifyChoices:
    """A clarifying question's choices can be picked in the next message; the first question is answered."""

    def test_by_number_in_the_same_conversation(self, client: TestClient, world: ChatWorld) -> None:
        asked = reply(chat(client, world.john.key, WHO_WON, chat_id="pick-1"))
        assert "which one do you mean?" in asked
        assert "\n2. the 2025 Shamrock Marathon Weekend Half Marathon\n" in asked
        said = reply(chat(client, world.john.key, WHO_WON, asked, "2", chat_id="pick-1"))
        assert said.startswith("_Read as: Winners among finishers — the 2025 Shamrock Marathon Weekend Half")
        assert "men's winner: Gregory Miller" in said

    def test_by_copying_a_choice_in_the_history_an_openai_client_sends(
        self, client: TestClient, world: ChatWorld
    ) -> None:
        asked = reply(chat(client, world.john.key, WHO_WON))
        said = reply(
            chat(client, world.john.key, WHO_WON, asked, "the 2025 Shamrock Marathon Weekend Marathon")
        )
        assert said.startswith(
            "_Read as: Winners among finishers — the 2025 Shamrock Marathon Weekend Marathon"
        )

    def test_by_naming_the_race(self, client: TestClient, world: ChatWorld) -> None:
        asked = reply(chat(client, world.john.key, WHO_WON, chat_id="pick-3"))
        said = reply(chat(client, world.john.key, WHO_WON, asked, "8K", chat_id="pick-3"))
        assert said.startswith("_Read as: Winners among finishers — the 2025 Shamrock Marathon Weekend 8K")

    def test_a_word_not_understood_is_left_out_only_when_chosen(
        self, client: TestClient, world: ChatWorld
    ) -> None:
        question = "How many elite runners finished the 2025 Shamrock Marathon?"
        asked = reply(chat(client, world.john.key, question, chat_id="pick-4"))
        assert "but not 'elite'" in asked
        assert "820" not in asked
        said = reply(chat(client, world.john.key, question, asked, "1", chat_id="pick-4"))
        assert said.startswith(
            "_Read as: Number of finishers — the 2025 Shamrock Marathon Weekend Marathon; "
            "'elite' left out, as you chose_"
        )
        assert "820 finishers" in said


class TestMarkdown:
    def test_answer_table_and_collapsible_sql(self, client: TestClient, world: ChatWorld) -> None:
        said = reply(chat(client, world.john.key, "Show the top 10 men at the 2024 Harbor Half Marathon"))
        lead, rest = sentence(said).split("\n\n", 1)
        assert lead.startswith("The top 10 men finishers — the 2024 Harbor Half Marathon")
        assert "| place | bib | first name | last name |" in rest
        assert len(re.findall(r"^\| \d+ \|", rest, flags=re.MULTILINE)) == 10
        assert re.search(r"<details><summary>SQL</summary>\n\n```sql\nSELECT .+\n```\n\n</details>$", said)

    def test_files_are_absolute_links_that_download(self, client: TestClient, world: ChatWorld) -> None:
        said = reply(
            chat(
                client,
                world.john.key,
                "Generate a CSV of award winners with mailing addresses for the 2025 Shamrock Marathon",
            )
        )
        link = re.search(
            r"- Download \[([^\]]+\.csv)\]\((http://testserver/v1/files/[^)]+)\) \(94 rows\)", said
        )
        assert link, said
        download = client.get(link.group(2))
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert download.text.splitlines()[0].startswith("category,sex,place,bib,first_name,last_name")
        assert len(download.text.splitlines()) == 95

    def test_charts_are_drawn_inline(self, client: TestClient, world: ChatWorld) -> None:
        said = reply(
            chat(client, world.john.key, "finishers by year at the Shamrock Marathon 2023 through 2025")
        )
        image = re.search(r"!\[chart: [^\]]+\]\((http://testserver/v1/files/[^)]+\.svg\?[^)]+)\)", said)
        assert image, said
        chart = client.get(image.group(1))
        assert chart.status_code == 200
        assert chart.headers["content-type"] == "image/svg+xml"
        assert chart.headers["content-disposition"].startswith("inline")
        assert chart.headers["content-security-policy"].startswith("default-src 'none'")
        assert chart.headers["x-content-type-options"] == "nosniff"
        assert chart.text.startswith("<svg ")
        assert ">820</text>" in chart.text  # the 2025 bar

    def test_links_start_with_racehub_public_url_when_it_is_set(
        self, chat_db: Database, test_settings: Settings, world: ChatWorld
    ) -> None:
        # Open WebUI reaches RaceHub on loopback; its users must get links they can open.
        public = test_settings.model_copy(update={"public_url": "https://racehub.example.com/"})
        database = Database(public, owner_url=chat_db.owner_url.render_as_string(hide_password=False))
        question = "Generate a CSV of award winners with mailing addresses for the 2025 Shamrock Marathon"
        with client_for(database, public, address="127.0.0.1") as loopback:
            said = reply(chat(loopback, world.john.key, question))
            asked = loopback.post("/v1/ask", json={"question": question}, headers=bearer(world.john.key))

        link = re.search(r"\((https://racehub\.example\.com/v1/files/[^)]+)\)", said)
        assert link, said
        assert "testserver" not in said
        (file,) = asked.json()["files"]
        assert file["url"].startswith("https://racehub.example.com/v1/files/")
        path = file["url"].removeprefix("https://racehub.example.com")
        with client_for(database, public) as client:
            assert client.get(path).status_code == 200
        database.dispose()

    def test_racehub_public_url_must_be_an_address(self) -> None:
        with pytest.raises(ValueError, match="RACEHUB_PUBLIC_URL must be an http"):
            Settings(public_url="racehub.example.com")

    def test_questions_outside_the_domain_get_examples_without_an_llm(
        self, client: TestClient, world: ChatWorld
    ) -> None:
        said = reply(chat(client, world.john.key, "write me a poem about running"))
        assert said.startswith("I didn't understand")
        assert "\n- How many runners finished" in said
        assert "|" not in said
