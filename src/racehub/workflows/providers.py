"""Vendor clients for a tenant, built from its stored credentials (decrypted only here, in memory).

Where a vendor's calls go: `RACEHUB_SIMULATOR_URLS` (tests) or the credentials' own `base_url` field (the
demo's simulators, a vendor's sandbox), else the vendor's production API. A loopback address is allowed
only there (the local simulators); everything else keeps the hardened defaults.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from racehub.config import Settings
from racehub.credentials import service as credentials
from racehub.credentials.crypto import Keyring, Secrets
from racehub.errors import InvalidInput
from racehub.integrations import registry
from racehub.integrations.base import RegistrationProvider, ResultsProvider, ScoringProvider, VendorClient
from racehub.integrations.copernico.hooks import PostScoringHook, build_post_scoring_hook
from racehub.integrations.http import LOCAL_SIMULATOR_HOSTS, HttpPolicy

REGISTRATION_VENDORS = registry.providing("registrations")


def _is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOCAL_SIMULATOR_HOSTS


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
        vendor = registry.get(provider)
        secrets = self.secrets(session, org_id, provider)
        options: dict[str, Any] = {}
        if self.settings.vendor_page_size:
            options["page_size"] = self.settings.vendor_page_size
        root = self.settings.simulator_urls.get(provider) or secrets.get(registry.BASE_URL_FIELD)
        policy = self.policy
        if policy is None and root and _is_loopback(root):
            policy = HttpPolicy.for_local_simulator()
        return vendor.client(secrets, root_url=root, policy=policy, sleep=self.sleep, **options)

    def registrations(self, session: Session, org_id: int, provider: str) -> RegistrationProvider:
        client = self.client(session, org_id, provider)
        if not isinstance(client, RegistrationProvider):
            client.close()
            raise InvalidInput(f"{registry.label(provider)} does not provide registrations")
        return client

    def results(self, session: Session, org_id: int, provider: str) -> ResultsProvider:
        client = self.client(session, org_id, provider)
        if not isinstance(client, ResultsProvider):
            client.close()
            raise InvalidInput(f"{registry.label(provider)} does not provide results")
        return client

    def scoring(self, session: Session, org_id: int, provider: str) -> ScoringProvider:
        client = self.client(session, org_id, provider)
        if not isinstance(client, ScoringProvider):
            client.close()
            raise InvalidInput(f"{registry.label(provider)} does not score races")
        return client

    def post_scoring_hook(self, session: Session, org_id: int) -> PostScoringHook | None:
        """The tenant's configured hook (copernico credential field `post_scoring_hook`), if any."""
        secrets = self.secrets(session, org_id, "copernico")
        target = secrets.get("post_scoring_hook")
        if not target:
            return None
        policy = self.policy
        if policy is None and (self.settings.simulator_urls or _is_loopback(target)):
            policy = HttpPolicy.for_local_simulator()
        return build_post_scoring_hook(target, policy=policy, sleep=self.sleep)
