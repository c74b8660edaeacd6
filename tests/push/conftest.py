"""Push tests: both API-test tenants, the API on a real port, and the local Expo and Web Push services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from racehub.app import create_app
from racehub.db import Database, Scope
from racehub.integrations.simulators.expo import build_app as expo_app
from racehub.integrations.simulators.kit import RunningServer, start_server_thread
from racehub.integrations.simulators.webpush import build_app as webpush_app
from racehub.live import tasks
from racehub.push.service import Senders
from racehub.workflows.context import WorkflowEnvironment
from racehub.workflows.providers import ProviderFactory
from tests.api.world import World, another_handle, build_world


@dataclass
class PushWorld:
    db: Database
    world: World
    api: RunningServer
    expo: RunningServer
    webpush: RunningServer
    env: WorkflowEnvironment

    @property
    def url(self) -> str:
        return self.api.url

    def call(self, method: str, path: str, key: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method, f"{self.url}{path}", headers={"Authorization": f"Bearer {key}"}, **kwargs
        )

    def subscription(self) -> dict[str, Any]:
        """A browser's subscription at the local push service."""
        found: dict[str, Any] = httpx.post(f"{self.webpush.url}/__control/subscriptions").json()
        return found

    def expo_messages(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(f"{self.expo.url}/__control/messages").json()
        return found

    def webpush_messages(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(f"{self.webpush.url}/__control/messages").json()
        return found

    def work(self, org_id: int) -> list[str]:
        """What the worker would do next for the tenant: number and dispatch, then deliver."""
        senders = Senders(self.env.settings, sleep=lambda _s: None)
        return [tasks.process(self.env, org_id), tasks.deliver(self.env, senders, org_id)]

    def receipts(self, org_id: int) -> str:
        settings = self.env.settings.model_copy(update={"expo_receipt_delay_s": 0})
        env = WorkflowEnvironment(self.db, settings, self.env.providers, sleep=lambda _s: None)
        return tasks.receipts(env, Senders(settings, sleep=lambda _s: None), org_id)

    def sql(self, org_id: int, query: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.db.session(Scope.tenant(org_id)) as session:
            return [tuple(r) for r in session.execute(text(query), params).all()]


@pytest.fixture
def push(db: Database) -> Iterator[PushWorld]:
    world = build_world(db)
    expo = start_server_thread(expo_app())
    webpush = start_server_thread(webpush_app())
    served = another_handle(
        db, simulator_urls={"expo": expo.url}, webpush_allowed_hosts=["127.0.0.1"], expo_receipt_delay_s=0
    )
    api = start_server_thread(create_app(served, served.settings))
    env = WorkflowEnvironment(
        served, served.settings, ProviderFactory(served.settings), sleep=lambda _s: None
    )
    try:
        yield PushWorld(db, world, api, expo, webpush, env)
    finally:
        for server in (api, expo, webpush):
            server.stop()
        served.dispose()
