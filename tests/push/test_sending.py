"""Sending to the Expo push service: batches of at most 100, its rate limits honoured, nothing sent twice."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from racehub.db import Scope
from racehub.integrations.base import VendorError
from racehub.live import tasks
from racehub.push import repository
from racehub.push.repository import NewMessage
from racehub.push.service import Senders
from tests.push.conftest import PushWorld

TOKEN = "ExponentPushToken[batchPhone0000001]"


def _queue(push: PushWorld, count: int) -> None:
    a = push.world.a
    response = push.call("POST", "/v1/devices", a.staff_key, json={"kind": "expo", "token": TOKEN})
    device_id = response.json()["id"]
    with push.db.session(Scope.tenant(a.org_id)) as session:
        repository.insert_messages(
            session,
            [
                NewMessage(a.org_id, device_id, f"test:{n}", "RaceHub", f"message {n}", {})
                for n in range(count)
            ],
        )


def _sends(push: PushWorld) -> int:
    by_path = httpx.get(f"{push.expo.url}/__control/stats").json()["by_path"]
    return int(by_path.get("/--/api/v2/push/send", 0))


def _deliver(push: PushWorld) -> str:
    return tasks.deliver(push.env, Senders(push.env.settings, sleep=lambda _s: None), push.world.a.org_id)


class TestBatches:
    def test_150_messages_go_in_two_requests_each_once(self, push: PushWorld) -> None:
        _queue(push, 150)
        _deliver(push)
        _deliver(push)  # a retried job: nothing left to send
        bodies = [m["body"] for m in push.expo_messages()]
        assert sorted(bodies) == sorted(f"message {n}" for n in range(150))
        assert _sends(push) == 2


class TestRateLimits:
    def test_a_429_puts_the_batch_back_and_the_retry_sends_it_once(self, push: PushWorld) -> None:
        _queue(push, 3)
        httpx.post(f"{push.expo.url}/__control/faults", json={"kind": "rate_limit", "retry_after": 1})
        with pytest.raises(VendorError):
            _deliver(push)  # the job fails: procrastinate retries it later
        states = push.sql(push.world.a.org_id, "SELECT state, count(*) FROM push_messages GROUP BY 1")
        assert states == [("queued", 3)]
        httpx.delete(f"{push.expo.url}/__control/faults")
        _deliver(push)
        assert len(push.expo_messages()) == 3

    def test_message_rate_exceeded_tickets_wait_for_the_next_run(self, push: PushWorld) -> None:
        _queue(push, 4)
        httpx.post(f"{push.expo.url}/__control/rate-limit", json={"messages": 2})
        _deliver(push)
        with push.db.session(Scope.tenant(push.world.a.org_id)) as session:
            states = dict(session.execute(text("SELECT state, count(*) FROM push_messages GROUP BY 1")).all())
        assert states == {"sent": 2, "queued": 2}
        httpx.post(f"{push.expo.url}/__control/rate-limit", json={"messages": None})
        _deliver(push)
        assert len(push.expo_messages()) == 4

    def test_a_too_big_message_fails_without_stopping_the_rest(self, push: PushWorld) -> None:
        _queue(push, 2)
        with push.db.session(Scope.tenant(push.world.a.org_id)) as session:
            session.execute(
                text("UPDATE push_messages SET body = repeat('x', 5000) WHERE event_key = 'test:0'")
            )
        _deliver(push)
        rows = push.sql(
            push.world.a.org_id, "SELECT event_key, state, error FROM push_messages ORDER BY event_key"
        )
        assert rows[0][:2] == ("test:0", "failed")
        assert rows[0][2].startswith("MessageTooBig")
        assert rows[1][:2] == ("test:1", "sent")
