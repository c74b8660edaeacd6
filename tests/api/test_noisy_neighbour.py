"""One company's many slow questions do not hold another company's up (issue 11, item 12)."""

from __future__ import annotations

import time

import anyio
import pytest
from starlette.requests import Request

from racehub.app import create_app
from racehub.auth.dependencies import run_question
from racehub.config import Settings
from racehub.db import Database
from racehub.errors import RateLimited


def _request(database: Database, settings: Settings) -> Request:
    return Request({"type": "http", "app": create_app(database, settings), "headers": []})


class TestQuestionsPerTenant:
    def test_a_busy_tenant_waits_for_its_own_turns_and_the_other_goes_first(
        self, world_database: Database, test_settings: Settings
    ) -> None:
        settings = test_settings.model_copy(
            update={"ask_max_concurrent_per_tenant": 2, "ask_queue_wait_s": 30}
        )
        request = _request(world_database, settings)
        started: dict[str, list[float]] = {"a": [], "b": []}

        async def main() -> None:
            begin = time.monotonic()

            def slow(tenant: str) -> None:
                started[tenant].append(time.monotonic() - begin)
                time.sleep(0.6)  # a 5-second question, shortened

            async with anyio.create_task_group() as tasks:
                for _ in range(6):
                    tasks.start_soon(run_question, request, "org:a", lambda: slow("a"))
                await anyio.sleep(0.1)
                tasks.start_soon(run_question, request, "org:b", lambda: slow("b"))

        anyio.run(main)
        assert len(started["a"]) == 6
        assert started["b"][0] < 0.4  # not behind the other company's queue
        assert sorted(started["a"])[2] >= 0.5  # the busy company's third question waited for a turn

    def test_past_the_wait_it_is_a_429_with_retry_after(
        self, world_database: Database, test_settings: Settings
    ) -> None:
        settings = test_settings.model_copy(
            update={"ask_max_concurrent_per_tenant": 1, "ask_queue_wait_s": 0.2}
        )
        request = _request(world_database, settings)
        refused: list[RateLimited] = []

        async def main() -> None:
            async def second() -> None:
                await anyio.sleep(0.05)
                with pytest.raises(RateLimited) as caught:
                    await run_question(request, "org:a", lambda: None)
                refused.append(caught.value)

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(run_question, request, "org:a", lambda: time.sleep(0.6))
                tasks.start_soon(second)

        anyio.run(main)
        assert refused
        assert refused[0].status == 429
        assert refused[0].retry_after >= 1
