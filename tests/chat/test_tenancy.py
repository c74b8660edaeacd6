"""Tenant isolation through chat (security.md case 1): Acme's John asks about Summit's Boston Marathon."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from racehub.db import Database, Scope
from tests.chat.world import ChatWorld, chat, operator_rows, outbox_codes, reply

BOSTON_WINNER = "Who won the Boston Marathon in 2025?"
BOSTON_COUNT = "How many runners finished the Boston Marathon in 2025?"
OTHER_EVENTS = ("Boston", "Blue Ridge", "Riverfront", "Lakeside", "Cherry Blossom", "Richmond Turkey Trot")


def summit_facts(database: Database) -> tuple[list[str], int]:
    winners = operator_rows(
        database,
        "SELECT first_name || ' ' || last_name FROM q_results WHERE event_name = 'Boston Marathon' "
        "AND year = 2025 AND sex_place <= 3",
    )
    count = operator_rows(
        database,
        "SELECT count(*) FROM q_results WHERE event_name = 'Boston Marathon' AND year = 2025 "
        "AND status = 'FIN'",
    )[0][0]
    return [w[0] for w in winners], int(count)


def assert_nothing_of_summit(said: str, winners: list[str], count: int) -> None:
    assert not any(name in said for name in winners), said
    assert f"{count:,}" not in said, said
    assert str(count) not in said, said
    assert not any(event in said for event in OTHER_EVENTS[1:]), said


class TestChatShowsOnlyYourTenant:
    def test_the_owner_sees_boston(self, client: TestClient, chat_db: Database, world: ChatWorld) -> None:
        winners, _ = summit_facts(chat_db)
        said = reply(chat(client, world.dave.key, BOSTON_WINNER))
        assert len(winners) >= 3
        assert any(name in said for name in winners)

    def test_acme_with_an_api_key_sees_nothing_of_summit(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        winners, count = summit_facts(chat_db)
        for question in (BOSTON_WINNER, BOSTON_COUNT, "How many finishers?", "show me my events"):
            assert_nothing_of_summit(reply(chat(client, world.john.key, question)), winners, count)

    def test_acme_logged_in_by_chat_sees_nothing_of_summit(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        winners, count = summit_facts(chat_db)
        chat(client, world.connector_key, "I'm John Carter from Acme Racing", chat_id="c1")
        reply(chat(client, world.connector_key, outbox_codes(chat_db, world.john.email)[0], chat_id="c1"))
        for question in (BOSTON_WINNER, BOSTON_COUNT, "Show the top 10 men at the 2025 Boston Marathon"):
            assert_nothing_of_summit(
                reply(chat(client, world.connector_key, question, chat_id="c1")), winners, count
            )

    def test_audit_rows_are_readable_only_by_their_tenant(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        reply(chat(client, world.john.key, BOSTON_COUNT, chat_id="c1"))
        acme = operator_rows(chat_db, "SELECT id FROM organizations WHERE slug = 'acme-racing'")[0][0]
        summit = operator_rows(chat_db, "SELECT id FROM organizations WHERE slug = 'summit-sports-timing'")[
            0
        ][0]
        for org, expected in ((acme, 1), (summit, 0)):
            with chat_db.session(Scope.tenant(org)) as session:
                seen = session.execute(
                    text("SELECT count(*) FROM audit_log WHERE kind = 'question'")
                ).scalar()
            assert seen == expected


class TestRequestsCannotNameATenant:
    def test_org_id_or_role_in_the_body_or_query_is_ignored(
        self, client: TestClient, chat_db: Database, world: ChatWorld
    ) -> None:
        winners, count = summit_facts(chat_db)
        summit = operator_rows(chat_db, "SELECT id FROM organizations WHERE slug = 'summit-sports-timing'")[
            0
        ][0]
        body = {
            "model": "racehub",
            "messages": [{"role": "user", "content": BOSTON_WINNER}],
            "org_id": summit,
            "role": "admin",
            "user": world.dave.email,
        }
        response = client.post(
            f"/v1/chat/completions?org_id={summit}",
            json=body,
            headers={"Authorization": f"Bearer {world.john.key}"},
        )
        assert_nothing_of_summit(reply(response), winners, count)
