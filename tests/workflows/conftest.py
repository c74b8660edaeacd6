"""Workflow tests: a real database per test, the real vendor simulators on 127.0.0.1, real workers.

`harness` wires them: bundle editions created as RaceHub would hold them before a first sync (no races,
no entries), simulator credentials stored encrypted, and an in-process procrastinate worker that runs
until the runs a test waits for have ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from procrastinate import App
from pydantic import SecretStr
from sqlalchemy import select

from racehub.config import Settings
from racehub.credentials import service as credentials
from racehub.credentials.crypto import Keyring
from racehub.db import Database, Scope
from racehub.integrations.http import HttpPolicy
from racehub.integrations.simulators import SIMULATOR_CREDENTIALS, start_simulator
from racehub.integrations.simulators.kit import RunningServer
from racehub.models import Edition, EventSeries
from racehub.workflows import service
from racehub.workflows.context import WorkflowEnvironment
from racehub.workflows.providers import ProviderFactory
from racehub.workflows.repository import RunRow
from racehub.workflows.schemas import TERMINAL_STATES
from racehub.workflows.tasks import worker_app
from tests.conftest import BUNDLE, reset_logging
from tests.factories import create_org
from tests.workflows.bundle_rows import edition_rows

ORGS = {
    "1": ("acme-racing", "Acme Racing"),
    "2": ("tidewater-timing", "Tidewater Timing"),
    "3": ("summit-sports-timing", "Summit Sports Timing"),
}


@dataclass
class Simulator:
    vendor: str
    server: RunningServer

    @property
    def url(self) -> str:
        return self.server.url

    def fault(self, **fields: Any) -> None:
        httpx.post(f"{self.url}/__control/faults", json=fields).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/__control/faults").raise_for_status()

    def change(self, participant_id: str, **changes: str) -> None:
        httpx.post(
            f"{self.url}/__control/registrations/{participant_id}", json={"changes": changes}
        ).raise_for_status()

    def remove(self, participant_id: str) -> None:
        httpx.post(f"{self.url}/__control/registrations/{participant_id}/remove").raise_for_status()

    def requests_to(self, prefix: str = "") -> int:
        by_path: dict[str, int] = httpx.get(f"{self.url}/__control/stats").json()["by_path"]
        return sum(count for path, count in by_path.items() if path.startswith(prefix))


@dataclass
class Harness:
    db: Database
    settings: Settings
    keyring: Keyring
    client_sleeps: list[float] = field(default_factory=list)
    simulators: dict[str, Simulator] = field(default_factory=dict)

    def simulator(self, vendor: str, **settings: Any) -> Simulator:
        sim = Simulator(vendor, start_simulator(vendor, BUNDLE, **settings))
        self.simulators[vendor] = sim
        self.settings = self.settings.model_copy(
            update={"simulator_urls": {**self.settings.simulator_urls, vendor: sim.url}}
        )
        return sim

    def env(self) -> WorkflowEnvironment:
        # Vendor calls retry twice inside an attempt, without really sleeping; attempts back off for real.
        policy = HttpPolicy.for_local_simulator(max_attempts=2, backoff_base=0.05, max_total_wait=5.0)
        providers = ProviderFactory(
            self.settings, keyring=self.keyring, policy=policy, sleep=self.client_sleeps.append
        )
        return WorkflowEnvironment(self.db, self.settings, providers, sleep=lambda _s: None)

    def app(self, *, periodic: bool = False, env: WorkflowEnvironment | None = None) -> App:
        app, _env = worker_app(self.db, self.settings, env=env or self.env(), periodic=periodic)
        return app

    def org(self, bundle_org_id: str) -> int:
        slug, name = ORGS[bundle_org_id]
        with self.db.session(Scope.operator()) as session:
            found = credentials.repository.org_id_by_slug(session, slug)
            return found if found is not None else create_org(session, slug=slug, name=name).id

    def edition(
        self,
        event_id: str,
        *,
        start_date: date | None = None,
        status: str | None = None,
        org_id: int | None = None,
    ) -> tuple[int, int]:
        """(org id, edition id) of a bundle edition, with its vendors and external ids, nothing synced."""
        event = edition_rows(event_id).event
        org = org_id if org_id is not None else self.org(event["org_id"])
        with self.db.session(Scope.operator()) as session:
            series = session.scalars(
                select(EventSeries).where(EventSeries.org_id == org, EventSeries.name == event["name"])
            ).first()
            if series is None:
                series = EventSeries(org_id=org, name=event["name"])
                session.add(series)
                session.flush()
            edition = Edition(
                org_id=org,
                series_id=series.id,
                year=int(event["edition_year"]),
                start_date=start_date or date.fromisoformat(event["start_date"]),
                city=event["city"],
                state=event["state"],
                timezone=event["timezone"],
                status=status or event["status"],
                registration_provider=event["registration_provider"],
                registration_external_id=event["registration_external_id"],
                results_provider=event["results_provider"],
                results_external_id=event["results_external_id"],
            )
            session.add(edition)
            session.flush()
            return org, edition.id

    def store_credentials(self, org_id: int, vendor: str, **extra: str) -> None:
        with self.db.session(Scope.operator()) as session:
            credentials.store(
                session, self.keyring, org_id, vendor, {**SIMULATOR_CREDENTIALS[vendor], **extra}
            )

    def start(self, kind: str, edition_id: int, *, full: bool = False) -> int:
        with self.db.session(Scope.operator()) as session:
            edition = service.resolve_edition(session, edition_id=edition_id)
            return service.start(session, Scope.operator(), kind, edition, trigger="cli", full=full).id

    def run(self, run_id: int) -> RunRow:
        with self.db.session(Scope.operator()) as session:
            return service.get(session, run_id)

    def finished(self, *run_ids: int) -> Callable[[], bool]:
        return lambda: all(self.run(run_id).state in TERMINAL_STATES for run_id in run_ids)

    def work(
        self,
        until: Callable[[], bool],
        *,
        app: App | None = None,
        timeout: float = 60.0,
        concurrency: int = 1,
    ) -> None:
        """Run an in-process worker until `until()` holds."""
        app = app or self.app()

        async def main() -> None:
            async with app.open_async():
                worker = asyncio.create_task(
                    app.run_worker_async(
                        concurrency=concurrency,
                        install_signal_handlers=False,
                        fetch_job_polling_interval=0.1,
                        update_heartbeat_interval=0.5,
                        name="test-worker",
                    )
                )
                deadline = time.monotonic() + timeout
                try:
                    while not await asyncio.to_thread(until):
                        if worker.done():
                            worker.result()
                            raise AssertionError("the worker stopped")
                        if time.monotonic() > deadline:
                            raise AssertionError(f"not done after {timeout} s")
                        await asyncio.sleep(0.1)
                finally:
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker

        asyncio.run(main())

    def run_to_end(self, kind: str, edition_id: int, *, full: bool = False, timeout: float = 60.0) -> RunRow:
        run_id = self.start(kind, edition_id, full=full)
        self.work(self.finished(run_id), timeout=timeout)
        return self.run(run_id)


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """CLI commands configure structlog and the root logger with the stderr of the moment (a pytest
    capture, closed when its test ends): every workflow test starts and ends with the defaults."""
    reset_logging()
    yield
    reset_logging()


@pytest.fixture(scope="session")
def credential_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def workflow_settings(test_settings: Settings, credential_key: str) -> Settings:
    return test_settings.model_copy(
        update={
            "credential_keys": SecretStr(credential_key),
            "vendor_page_size": 100,
            "workflow_max_attempts": 3,
            "workflow_retry_base_s": 0.2,
            "workflow_retry_cap_s": 3.0,
            "scoring_poll_limit_s": 5.0,
            "worker_heartbeat_s": 0.5,
            "worker_stalled_after_s": 2.0,
        }
    )


@pytest.fixture
def harness(db: Database, workflow_settings: Settings, credential_key: str) -> Iterator[Harness]:
    rig = Harness(db, workflow_settings, Keyring([credential_key]))
    yield rig
    for sim in rig.simulators.values():
        sim.server.stop()
