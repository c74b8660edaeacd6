"""The chat-facing workflow API: reading requests, resolving editions, plan → yes → status."""

from __future__ import annotations

from datetime import date

import pytest

from racehub.ask.catalog import Catalog, CatalogCache
from racehub.auth.service import add_user
from racehub.db import Scope
from racehub.errors import Forbidden
from racehub.workflows import service
from tests.workflows.conftest import Harness

TODAY = date(2026, 11, 25)
# Acme's events in the bundle (Shamrock 2023-2026, Harbor Half 2023-2026, Jingle Bell 2023-2026) and
# Summit's Boston Marathon 2025-2026.
ACME = ("61059", "61082", "61144", "61175", "61239", "61248")
SUMMIT = ("61572", "61590")


@pytest.fixture
def editions(harness: Harness) -> dict[str, int]:
    return {event_id: harness.edition(event_id)[1] for event_id in (*ACME, *SUMMIT)}


def _catalog(harness: Harness, org_slug: str) -> tuple[Scope, Catalog]:
    org_id = harness.org({"acme-racing": "1", "summit-sports-timing": "3"}[org_slug])
    scope = Scope.tenant(org_id, None, "staff")
    return scope, CatalogCache(harness.db).get(scope)


class TestParseRequest:
    @pytest.mark.parametrize(
        ("text", "action", "kind", "event_id"),
        [
            ("Sync Shamrock registrations now", "start", "sync_registrations", "61082"),
            ("sync the Shamrock Marathon Weekend registrations", "start", "sync_registrations", "61082"),
            ("Please sync registrations for Jingle Bell Run", "start", "sync_registrations", "61248"),
            ("Sync the Harbor results", "start", "sync_results", "61175"),
            ("sync results for Harbor Half Marathon 2025", "start", "sync_results", "61144"),
            ("Sync last year's Harbor Half results", "start", "sync_results", "61144"),
            ("Did the Harbor results sync finish?", "status", "sync_results", "61175"),
            ("Has the Shamrock registration sync completed?", "status", "sync_registrations", "61082"),
            ("status of the Jingle Bell results sync", "status", "sync_results", "61248"),
        ],
    )
    def test_recognises_the_request_and_this_years_edition(
        self, harness: Harness, editions: dict[str, int], text: str, action: str, kind: str, event_id: str
    ) -> None:
        scope, catalog = _catalog(harness, "acme-racing")
        intent = service.parse_request(text, scope, catalog, today=TODAY)
        assert intent is not None
        assert (intent.action, intent.kind, intent.edition_id, intent.question) == (
            action,
            kind,
            editions[event_id],
            None,
        )

    def test_score_boston_in_copernico(self, harness: Harness, editions: dict[str, int]) -> None:
        scope, catalog = _catalog(harness, "summit-sports-timing")
        intent = service.parse_request("Score Boston Marathon in Copernico", scope, catalog, today=TODAY)
        assert intent is not None
        assert (intent.kind, intent.edition_id, intent.event_name) == (
            "score_copernico",
            editions["61590"],
            "Boston Marathon",
        )
        earlier = service.parse_request(
            "score the 2025 Boston Marathon with Copernico", scope, catalog, today=TODAY
        )
        assert earlier is not None
        assert earlier.edition_id == editions["61572"]

    @pytest.mark.parametrize(
        ("text", "question"),
        [
            ("Sync Shamrock registrations for 2019", "has no 2019 edition; it has 2026, 2025"),
            ("Score Boston Marathon in Copernico", "I don't know an event called 'boston marathon'"),
        ],
    )
    def test_asks_when_unclear_or_unknown(
        self, harness: Harness, editions: dict[str, int], text: str, question: str
    ) -> None:
        scope, catalog = _catalog(harness, "acme-racing")  # Boston is another company's event
        intent = service.parse_request(text, scope, catalog, today=TODAY)
        assert intent is not None
        assert intent.edition_id is None
        assert intent.question is not None
        assert question in intent.question

    def test_asks_for_a_year_when_there_is_no_edition_this_year(
        self, harness: Harness, editions: dict[str, int]
    ) -> None:
        scope, catalog = _catalog(harness, "summit-sports-timing")
        intent = service.parse_request(
            "score Boston Marathon in Copernico", scope, catalog, today=date(2027, 1, 5)
        )
        assert intent is not None
        assert intent.question is not None
        assert intent.question.startswith("Boston Marathon has no edition this year (2027)")
        assert intent.options == ("2026", "2025")

    @pytest.mark.parametrize(
        "text",
        [
            "How many runners finished the Shamrock Marathon last year?",
            "Who won the Harbor Half?",
            "Show me the results of Jingle Bell Run",
        ],
    )
    def test_other_questions_are_not_workflows(
        self, harness: Harness, editions: dict[str, int], text: str
    ) -> None:
        scope, catalog = _catalog(harness, "acme-racing")
        assert service.parse_request(text, scope, catalog, today=TODAY) is None

    @pytest.mark.parametrize(
        ("text", "yes"),
        [
            ("yes", True),
            ("Yes, go ahead", True),
            ("ok do it", True),
            ("confirm", True),
            ("no", False),
            ("yes but not now, wait", False),
            ("what would it do?", False),
        ],
    )
    def test_confirmations(self, text: str, yes: bool) -> None:
        assert service.is_confirmation(text) is yes


class TestConversation:
    def test_plan_yes_progress_and_did_it_finish(self, harness: Harness) -> None:
        harness.simulator("raceroster")
        harness.simulator("copernico")
        org_id, edition_id = harness.edition("61357")  # Tidewater's Lakeside 10K 2023
        harness.store_credentials(org_id, "raceroster")
        harness.store_credentials(org_id, "copernico")
        assert harness.run_to_end("sync_registrations", edition_id).state == "succeeded"
        with harness.db.session(Scope.operator()) as session:
            maria = add_user(
                session,
                email="maria@tidewater.example",
                name="Maria",
                org_slug="tidewater-timing",
                role="staff",
            ).id
            viewer = add_user(
                session, email="vic@tidewater.example", name="Vic", org_slug="tidewater-timing", role="viewer"
            ).id
        scope = Scope.tenant(org_id, maria, "staff")
        catalog = CatalogCache(harness.db).get(scope)
        when = date(2023, 6, 10)

        intent = service.parse_request("Score Lakeside 10K in Copernico", scope, catalog, today=when)
        assert intent is not None
        assert intent.edition_id == edition_id
        with harness.db.session(scope) as session:
            planned = service.plan_intent(session, scope, intent)
        assert planned.state == "planned"
        assert planned.plan.startswith(
            "Push 705 registrations to Copernico, request scoring, pull rankings back"
        )
        with harness.db.session(Scope.tenant(org_id, viewer, "viewer")) as session, pytest.raises(Forbidden):
            service.plan_intent(session, Scope.tenant(org_id, viewer, "viewer"), intent)

        assert service.is_confirmation("yes please")
        with harness.db.session(scope) as session:
            queued = service.confirm(session, scope, planned.id)
        assert "is queued since" in service.status_text(queued)
        status = service.parse_request("did the Lakeside scoring finish?", scope, catalog, today=when)
        assert status is not None
        assert status.action == "status"
        with harness.db.session(scope) as session:
            assert service.latest_status_text(session, status).startswith("Not yet.")

        harness.work(harness.finished(planned.id))
        with harness.db.session(scope) as session:
            answer = service.latest_status_text(session, status)
            finished = service.status_text(service.get(session, planned.id))
        assert answer.startswith("Yes. The Copernico scoring of Lakeside 10K 2023")
        assert "finished at" in finished
        assert "651 fetched, 651 new" in finished

    def test_no_run_yet(self, harness: Harness, editions: dict[str, int]) -> None:
        scope, catalog = _catalog(harness, "acme-racing")
        intent = service.parse_request("Did the Harbor results sync finish?", scope, catalog, today=TODAY)
        assert intent is not None
        with harness.db.session(scope) as session:
            assert service.latest_status_text(session, intent) == (
                "No results sync has run for Harbor Half Marathon 2026 yet."
            )
