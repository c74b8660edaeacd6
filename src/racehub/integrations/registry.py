"""The vendors RaceHub talks to, in one table: their names, the credential fields each needs, what each
provides (registrations, results, scoring), where its API lives and how its client is built.

    provider = registry.get("copernico")                  # InvalidInput for an unknown name
    client = provider.client(secrets, root_url=None)      # the production API, hardened defaults
    client = provider.client(secrets, root_url="http://127.0.0.1:8704", policy=local)   # elsewhere

`root_url` is the vendor's address without the API path (`https://test.runsignup.com` for RunSignUp's
sandbox, a local simulator's URL): credentials may carry it as the optional `base_url` field.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from racehub.errors import InvalidInput
from racehub.integrations.base import VendorClient
from racehub.integrations.http import HttpPolicy, SleepFn

Role = Literal["registrations", "results", "scoring"]
# Optional credential field of every provider: another address of the vendor's API (sandbox, simulator).
BASE_URL_FIELD = "base_url"
# Builds a client: (credential fields, API base URL or None for production, options for the client).
ClientBuilder = Callable[[Mapping[str, str], str | None, dict[str, Any]], VendorClient]


@dataclass(frozen=True)
class Provider:
    name: str  # as stored: "runsignup"
    label: str  # as people read it: "RunSignUp"
    required_fields: tuple[str, ...]
    optional_fields: tuple[str, ...]
    roles: frozenset[Role]
    api_path: str  # where the API lives under the vendor's address
    build: ClientBuilder

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field a credential set may hold."""
        return (*self.required_fields, *self.optional_fields, BASE_URL_FIELD)

    def api_url(self, root_url: str) -> str:
        return root_url.rstrip("/") + self.api_path

    def client(
        self,
        secrets: Mapping[str, str],
        *,
        root_url: str | None = None,
        policy: HttpPolicy | None = None,
        sleep: SleepFn = time.sleep,
        **options: Any,
    ) -> VendorClient:
        """The real client, logged in with `secrets`, at `root_url` (None: the vendor's production API)."""
        base = self.api_url(root_url) if root_url else None
        return self.build(secrets, base, {"policy": policy, "sleep": sleep, **options})


def _at(base: str | None, *names: str) -> dict[str, Any]:
    """Base-URL keyword arguments of a client, only when another address than production is asked for."""
    return dict.fromkeys(names, base) if base else {}


def _runsignup(secrets: Mapping[str, str], base: str | None, options: dict[str, Any]) -> VendorClient:
    from racehub.integrations.runsignup.client import RunSignUpClient

    return RunSignUpClient(secrets["api_key"], secrets["api_secret"], **_at(base, "base_url"), **options)


def _raceroster(secrets: Mapping[str, str], base: str | None, options: dict[str, Any]) -> VendorClient:
    from racehub.integrations.raceroster.client import RaceRosterClient

    return RaceRosterClient(
        client_id=secrets["client_id"],
        client_secret=secrets["client_secret"],
        username=secrets["username"],
        password=secrets["password"],
        **_at(base, "base_url"),
        **options,
    )


def _ctlive(secrets: Mapping[str, str], base: str | None, options: dict[str, Any]) -> VendorClient:
    from racehub.integrations.ctlive.client import CTLiveClient

    return CTLiveClient(
        client_id=secrets["client_id"],
        user_id=secrets["user_id"],
        password=secrets["password"],
        **_at(base, "base_url"),
        **options,
    )


def _copernico(secrets: Mapping[str, str], base: str | None, options: dict[str, Any]) -> VendorClient:
    from racehub.integrations.copernico.client import CopernicoClient

    # In production the public (results) and private (push, scoring) APIs have two hosts; elsewhere one.
    return CopernicoClient(secrets["api_key"], **_at(base, "public_base_url", "api_base_url"), **options)


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider(
            "runsignup",
            "RunSignUp",
            ("api_key", "api_secret"),
            (),
            frozenset({"registrations", "results"}),
            "/Rest",
            _runsignup,
        ),
        Provider(
            "raceroster",
            "RaceRoster",
            ("client_id", "client_secret", "username", "password"),
            (),
            frozenset({"registrations"}),
            "",
            _raceroster,
        ),
        Provider(
            "ctlive",
            "ChronoTrack Live",
            ("client_id", "user_id", "password"),
            (),
            frozenset({"results"}),
            "/api",
            _ctlive,
        ),
        # post_scoring_hook: https://... or lambda:function[@region], told when a Copernico scoring ends.
        Provider(
            "copernico",
            "Copernico",
            ("api_key",),
            ("post_scoring_hook",),
            frozenset({"results", "scoring"}),
            "",
            _copernico,
        ),
    )
}
NAMES = tuple(PROVIDERS)


def get(name: str) -> Provider:
    """The provider called `name`; InvalidInput naming the known ones otherwise."""
    found = PROVIDERS.get(name)
    if found is None:
        raise InvalidInput(f"unknown provider {name!r}; expected one of {', '.join(NAMES)}")
    return found


def label(name: str | None) -> str:
    """How people read a provider's name ("Copernico"); the name itself when unknown."""
    found = PROVIDERS.get(name or "")
    return found.label if found else (name or "?")


def providing(role: Role) -> tuple[str, ...]:
    """The names of the providers that offer `role`, in table order."""
    return tuple(name for name, p in PROVIDERS.items() if role in p.roles)
