"""The MCP server at /mcp, through the SDK's own streamable HTTP client against a live RaceHub."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

from racehub.app import create_app
from racehub.db import Database
from tests.tools.bundle_tenants import BundleTenants

T = TypeVar("T")
TOOLS = {"ask", "list_events", "get_results", "get_awards", "follow"}
WOMEN_WINNER_BOSTON = "Who won the women's race at the 2025 Boston Marathon?"
ACCEPT = "application/json, text/event-stream"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "curl", "version": "1"},
    },
}


@asynccontextmanager
async def connected(base_url: str, key: str, mode: str = "auto") -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30)) as http:
        transport = streamable_http_client(f"{base_url}/mcp", http_client=http)
        async with Client(transport, mode=mode) as client:
            yield client


def with_client(base_url: str, key: str, work: Callable[[Client], Awaitable[T]], mode: str = "auto") -> T:
    async def main() -> T:
        async with connected(base_url, key, mode) as client:
            return await work(client)

    return anyio.run(main)


def call(base_url: str, key: str, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    return with_client(base_url, key, lambda client: client.call_tool(tool, arguments))


def plain_http(key: str) -> dict[str, str]:
    """Headers of a hand-made MCP request (no SDK client)."""
    return {"Accept": ACCEPT, "Authorization": f"Bearer {key}"}


def leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert json.loads(text_of(result)) == result.structured_content
    return result.structured_content


class TestToolList:
    @pytest.mark.parametrize("mode", ["auto", "legacy"])
    def test_both_protocol_eras_list_the_tools_all_read_only_but_follow(
        self, base_url: str, tenants: BundleTenants, mode: str
    ) -> None:
        listed = with_client(base_url, tenants.acme.key, lambda client: client.list_tools(), mode)
        tools = {tool.name: tool for tool in listed.tools}
        assert set(tools) == TOOLS
        for tool in tools.values():
            assert len(tool.description or "") > 80, tool.name
            assert tool.annotations is not None, tool.name
            assert tool.annotations.read_only_hint is (tool.name != "follow"), tool.name
        assert tools["get_results"].input_schema["required"] == ["race_id"]
        assert tools["ask"].input_schema["required"] == ["question"]


class TestCallingEachTool:
    def test_list_events_gives_editions_with_race_ids(self, base_url: str, tenants: BundleTenants) -> None:
        page = structured(call(base_url, tenants.acme.key, "list_events", {"name": "shamrock", "year": 2025}))
        assert page["total"] == 1
        [edition] = page["items"]
        assert edition["event_name"] == "Shamrock Marathon Weekend"
        assert tenants.acme.race_id in {race["id"] for race in edition["races"]}

    def test_get_results_pages_a_race_by_place(self, base_url: str, tenants: BundleTenants) -> None:
        arguments = {"race_id": tenants.acme.race_id, "sex": "F", "limit": 5}
        page = structured(call(base_url, tenants.acme.key, "get_results", arguments))
        assert page["race_id"] == tenants.acme.race_id
        assert page["total"] > 5
        assert [row["sex_place"] for row in page["items"]] == [1, 2, 3, 4, 5]
        assert {row["sex"] for row in page["items"]} == {"F"}
        assert {row["name"] for row in page["items"]} <= tenants.acme.runner_names

    def test_get_awards_lists_the_winners(self, base_url: str, tenants: BundleTenants) -> None:
        awards = structured(call(base_url, tenants.acme.key, "get_awards", {"race_id": tenants.acme.race_id}))
        assert awards["total"] == len(awards["awards"]) > 0
        overall = [a for a in awards["awards"] if a["category"] == "overall" and a["award_place"] == 1]
        assert {a["sex"] for a in overall} >= {"F", "M"}

    def test_ask_answers_with_text_table_and_sql(self, base_url: str, tenants: BundleTenants) -> None:
        question = {
            "question": "How many runners finished the Shamrock Marathon in 2025?",
            "today": "2026-11-25",
        }
        answer = structured(call(base_url, tenants.acme.key, "ask", question))
        assert answer["status"] == "answered"
        assert answer["columns"]
        assert answer["rows"]
        assert answer["sql"]
        assert "SELECT" in answer["sql"].upper()

    def test_follow_reads_plain_english(self, base_url: str, tenants: BundleTenants) -> None:
        # Read-only sentences: this database is shared by the module's tests.
        said = {"said": "show me the 2025 Shamrock Marathon live"}
        live = structured(call(base_url, tenants.acme.key, "follow", said))
        assert live["kind"] == "live"
        assert live["live"]["label"] == "Shamrock Marathon Weekend 2025 · Marathon"
        listed = structured(call(base_url, tenants.acme.key, "follow", {"said": "what am I following?"}))
        assert listed["kind"] == "list"

    def test_bad_arguments_are_a_tool_error(self, base_url: str, tenants: BundleTenants) -> None:
        result = call(base_url, tenants.acme.key, "get_results", {"race_id": 0})
        assert result.is_error


class TestTenantIsolation:
    def test_another_tenants_race_id_is_not_found(self, base_url: str, tenants: BundleTenants) -> None:
        for tool in ("get_results", "get_awards"):
            result = call(base_url, tenants.acme.key, tool, {"race_id": tenants.summit.race_id})
            assert result.is_error, tool
            assert "RaceNotFound" in text_of(result)
            assert not {name for name in tenants.only_summit_names() if name in text_of(result)}

    def test_the_owner_of_that_race_sees_it(self, base_url: str, tenants: BundleTenants) -> None:
        page = structured(
            call(base_url, tenants.summit.key, "get_results", {"race_id": tenants.summit.race_id})
        )
        assert page["items"]

    def test_other_tenants_events_are_not_listed(self, base_url: str, tenants: BundleTenants) -> None:
        page = structured(call(base_url, tenants.acme.key, "list_events", {"name": "boston"}))
        assert page == {"total": 0, "limit": 20, "offset": 0, "items": []}

    def test_asking_about_another_tenants_event_shows_nothing_of_theirs(
        self, base_url: str, tenants: BundleTenants
    ) -> None:
        question = {"question": WOMEN_WINNER_BOSTON, "today": "2026-11-25"}
        theirs = structured(call(base_url, tenants.summit.key, "ask", question))
        assert theirs["status"] == "answered"
        assert {name for name in tenants.only_summit_names() if name in json.dumps(theirs)}
        mine = call(base_url, tenants.acme.key, "ask", question)
        assert not {name for name in tenants.only_summit_names() if name in text_of(mine)}
        assert structured(mine)["status"] != "answered"


class TestAuthentication:
    @pytest.mark.parametrize(
        "authorization", [None, "Bearer rh_not-a-key", "Bearer not-even-a-key", "Basic dXNlcjpwYXNz"]
    )
    def test_without_a_valid_key_401_before_mcp(self, base_url: str, authorization: str | None) -> None:
        headers = {"Accept": ACCEPT, **({"Authorization": authorization} if authorization else {})}
        response = httpx.post(f"{base_url}/mcp", json=INITIALIZE, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"] == "Unauthorized"

    def test_revoked_and_connector_keys_are_401(self, base_url: str, tenants: BundleTenants) -> None:
        # A connector key (Open WebUI's chat connection) names no person and no tenant.
        for key in (tenants.revoked_key, tenants.connector_key):
            response = httpx.post(f"{base_url}/mcp", json=INITIALIZE, headers=plain_http(key))
            assert response.status_code == 401

    @pytest.mark.parametrize("method", ["GET", "DELETE"])
    def test_only_post_is_served(self, base_url: str, tenants: BundleTenants, method: str) -> None:
        # Stateless: no standalone SSE stream to open (GET) and no session to end (DELETE).
        headers = {"Accept": "text/event-stream", "Authorization": f"Bearer {tenants.acme.key}"}
        response = httpx.request(method, f"{base_url}/mcp", headers=headers, timeout=5)
        assert response.status_code == 405

    def test_without_the_app_lifespan_503(self, bundle_db: Database, tenants: BundleTenants) -> None:
        # The session manager runs in the app's lifespan; a client that skips it gets a clear error.
        client = TestClient(create_app(bundle_db), raise_server_exceptions=False)
        response = client.post("/mcp", json=INITIALIZE, headers=plain_http(tenants.acme.key))
        assert response.status_code == 503
        assert response.json()["error"] == "McpUnavailable"

    def test_the_sdk_client_cannot_connect_with_a_bad_key(self, base_url: str) -> None:
        with pytest.raises(BaseExceptionGroup) as raised:
            with_client(base_url, "rh_not-a-key", lambda client: client.list_tools())
        assert any(isinstance(leaf, MCPError) for leaf in leaves(raised.value))

    def test_with_a_key_the_plain_http_handshake_works(self, base_url: str, tenants: BundleTenants) -> None:
        response = httpx.post(f"{base_url}/mcp", json=INITIALIZE, headers=plain_http(tenants.acme.key))
        assert response.status_code == 200
        assert response.json()["result"]["serverInfo"]["name"] == "racehub"
