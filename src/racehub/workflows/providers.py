"""Vendor clients for a tenant, built from its stored credentials (decrypted only here, in memory).

`RACEHUB_SIMULATOR_URLS` points a vendor at a local simulator (demo, tests): the same real client, the
loopback allowed. Everything else goes to the vendors' production hosts with the hardened defaults.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from racehub.config import Settings
from racehub.credentials import service as credentials
from racehub.credentials.crypto import Keyring, Secrets
from racehub.errors import InvalidInput
from racehub.integrations.base import RegistrationProvider, ResultsProvider, ScoringProvider, VendorClient
from racehub.integrations.copernico.hooks import PostScoringHook, build_post_scoring_hook
from racehub.integrations.http import HttpPolicy
from racehub.integrations.simulators import simulator_client

REGISTRATION_VENDORS = ("runsignup", "raceroster")
RESULTS_VENDORS = ("ctlive", "copernico", "runsignup")
VENDOR_NAMES = {
    "runsignup": "RunSignUp",
    "raceroster": "RaceRoster",
    "ctlive": "ChronoTrack Live",
    "copernico": "Copernico",
}


class ProviderFactory:
    """Builds vendor clients for one tenant at a time; `policy`/`sleep` let tests run without waiting."""

    def __init__(
        self,
        settings: Settings,
        *,
        keyring: Keyring | None = None,
        policy: HttpPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._keyring = keyring
        self.policy = policy
        self.sleep = sleep

    @property
    def keyring(self) -> Keyring:
        if self._keyring is None:
            self._keyring = Keyring.from_settings(self.settings)
        return self._keyring

    def secrets(self, session: Session, org_id: int, provider: str) -> Secrets:
        return credentials.load(session, self.keyring, org_id, provider)

    def client(self, session: Session, org_id: int, provider: str) -> VendorClient:
        secrets = self.secrets(session, org_id, provider)
        options: dict[str, Any] = {}
        if self.settings.vendor_page_size:
            options["page_size"] = self.settings.vendor_page_size
        simulator = self.settings.simulator_urls.get(provider)
        if simulator:
            policy = self.policy or HttpPolicy.for_local_simulator()
            return simulator_client(
                provider, simulator, policy=policy, sleep=self.sleep, credentials=dict(secrets), **options
            )
        return _production_client(provider, secrets, self.policy, self.sleep, options)

    def registrations(self, session: Session, org_id: int, provider: str) -> RegistrationProvider:
        client = self.client(session, org_id, provider)
        if not isinstance(client, RegistrationProvider):
            client.close()
            raise InvalidInput(f"{VENDOR_NAMES.get(provider, provider)} does not provide registrations")
        return client

    def results(self, session: Session, org_id: int, provider: str) -> ResultsProvider:
        client = self.client(session, org_id, provider)
        if not isinstance(client, ResultsProvider):
            client.close()
            raise InvalidInput(f"{VENDOR_NAMES.get(provider, provider)} does not provide results")
        return client

    def scoring(self, session: Session, org_id: int, provider: str) -> ScoringProvider:
        client = self.client(session, org_id, provider)
        if not isinstance(client, ScoringProvider):
            client.close()
            raise InvalidInput(f"{VENDOR_NAMES.get(provider, provider)} does not score races")
        return client

    def post_scoring_hook(self, session: Session, org_id: int) -> PostScoringHook | None:
        """The tenant's configured hook (copernico credential field `post_scoring_hook`), if any."""
        target = self.secrets(session, org_id, "copernico").get("post_scoring_hook")
        if not target:
            return None
        policy = self.policy
        if policy is None and self.settings.simulator_urls:
            policy = HttpPolicy.for_local_simulator()
        return build_post_scoring_hook(target, policy=policy, sleep=self.sleep)


def _production_client(
    provider: str,
    secrets: Secrets,
    policy: HttpPolicy | None,
    sleep: Callable[[float], None],
    options: dict[str, Any],
) -> VendorClient:
    if provider == "runsignup":
        from racehub.integrations.runsignup.client import RunSignUpClient

        return RunSignUpClient(
            secrets["api_key"], secrets["api_secret"], policy=policy, sleep=sleep, **options
        )
    if provider == "raceroster":
        from racehub.integrations.raceroster.client import RaceRosterClient

        return RaceRosterClient(
            client_id=secrets["client_id"],
            client_secret=secrets["client_secret"],
            username=secrets["username"],
            password=secrets["password"],
            policy=policy,
            sleep=sleep,
            **options,
        )
    if provider == "ctlive":
        from racehub.integrations.ctlive.client import CTLiveClient

        return CTLiveClient(
            client_id=secrets["client_id"],
            user_id=secrets["user_id"],
            password=secrets["password"],
            policy=policy,
            sleep=sleep,
            **options,
        )
    if provider == "copernico":
        from racehub.integrations.copernico.client import CopernicoClient

        return CopernicoClient(secrets["api_key"], policy=policy, sleep=sleep, **options)
    raise InvalidInput(f"unknown provider {provider!r}")
