"""Follows and the live view in chat: what was set up, listed, stopped; its tenant only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from racehub.db import Database, Scope
from tests.chat.world import ChatWorld, chat, reply


def _boston_2026(db: Database) -> int:
    with db.session(Scope.operator()) as session:
        return int(
            session.execute(
                text(
                    "SELECT r.id FROM races r JOIN editions ed ON ed.id = r.edition_id JOIN event_series s "
                    "ON s.id = ed.series_id WHERE s.name = 'Boston Marathon' AND ed.year = 2026"
                )
            ).scalar_one()
        )


class TestLiveInChat:
    def test_show_me_boston_live_links_the_live_view(
        self, client: TestClient, world: ChatWorld, chat_db: Database
    ) -> None:
        said = reply(chat(client, world.dave.key, "Show me Boston live"))
        race = _boston_2026(chat_db)
        assert said.startswith(
            "Boston Marathon 2026 · Marathon live: 2,284 entries, 2,060 finishers so far (final)."
        )
        assert f"[Open Boston Marathon 2026 · Marathon live](http://testserver/#live/race/{race})" in said

    def test_another_tenants_event_is_unknown(self, client: TestClient, world: ChatWorld) -> None:
        said = reply(chat(client, world.maria.key, "Show me Boston live"))
        assert "don't know an event called 'boston'" in said


class TestFollowsInChat:
    def test_follow_list_and_stop(self, client: TestClient, world: ChatWorld, chat_db: Database) -> None:
        key = world.john.key
        followed = reply(chat(client, key, "Tell me when bib 1 passes 10K in the 2026 Shamrock Marathon"))
        assert followed.startswith("I'll notify you when bib 1 ")
        assert "(Shamrock Marathon Weekend 2026 · Marathon) passes 10K." in followed
        assert "You have no device set up for notifications yet" in followed
        listed = reply(chat(client, key, "What am I following?"))
        assert listed.startswith("You follow 1:")
        stopped = reply(chat(client, key, "stop notifying me about 1"))
        assert stopped.startswith("Stopped 1 follow: no more notifications when bib 1 ")
        assert reply(chat(client, key, "What am I following?")).startswith("You follow nothing yet.")
        with chat_db.session(Scope.operator()) as session:
            audited = session.execute(
                text("SELECT outcome, subject FROM audit_log WHERE kind = 'follow' ORDER BY id")
            ).all()
        assert [tuple(a) for a in audited] == [
            ("followed", None),
            ("list", None),
            ("unfollowed", None),
            ("list", None),
        ]

    def test_results_final_and_a_workflow(self, client: TestClient, world: ChatWorld) -> None:
        final = reply(
            chat(client, world.john.key, "Notify me when the 2026 Shamrock Marathon results are final")
        )
        assert final.startswith("I'll notify you when the Shamrock Marathon Weekend 2026 results are final.")
        scoring = reply(chat(client, world.dave.key, "Tell me when Boston's scoring is done"))
        assert scoring.startswith(
            "I'll notify you when the next Copernico scoring of Boston Marathon 2026 ends."
        )

    def test_questions_still_reach_the_answerer(self, client: TestClient, world: ChatWorld) -> None:
        said = reply(chat(client, world.john.key, "How many runners finished the Shamrock Marathon in 2025?"))
        assert "finishers" in said
        assert "notify" not in said
