"""Local HTTP simulators of the four vendors, serving a racedata-v1 bundle (tests, demos, `racehub simulate`),
and of the two push services (`expo`, `webpush`), which serve no bundle.

Each vendor's simulator lives in its own module here (`runsignup`, `raceroster`, `ctlive`, `copernico`),
over what they share (`kit`: faults, controls, a server thread) and the bundle reader (`bundle`); the
clients they are tested with are the production ones, built by `racehub.integrations.registry`.

    app = create_simulator_app("ctlive", bundle_dir)                  # bundle_dir: a racedata-v1 bundle
    serve("runsignup", bundle_dir, host="127.0.0.1", port=8701)       # blocking, uvicorn
    running = start_simulator("copernico", bundle_dir)                # background thread, free port
    client = simulator_client("copernico", running.url)               # the real client, pointed at it

Each simulator checks the credentials in `SIMULATOR_CREDENTIALS` (401 otherwise), pages like its vendor
and answers only for the bundle editions whose provider it is. Id mapping:

| vendor     | edition id (what `races()` takes)             | race id          | entry id                  |
|------------|-----------------------------------------------|------------------|---------------------------|
| runsignup  | `registration_external_id` (RSU race_id)      | race_id (event)  | participant_id (reg. id)  |
| raceroster | `registration_external_id` (RR eventId)       | race_id          | participant_id (reg. id)  |
| ctlive     | `results_external_id` = `CT-<event_id>`       | race_id          | participant_id (entry_id) |
| copernico  | `results_external_id` = `CO-<event_id>` (*)   | race_id (event)  | participant_id (athlete)  |

(*) Copernico also answers to the slug of the event name and year, e.g. `richmond-turkey-trot-2023`.

Faults: pass `faults=[Fault(kind="rate_limit", retry_after=2, count=1)]`, or at run time
`POST /__control/faults` with the same fields (`DELETE /__control/faults` clears them). Registration
changes: `POST /__control/registrations/{participant_id}` `{"changes": {"first_name": "Jo"}}` and
`POST /__control/registrations/{participant_id}/remove`. `GET /__control/stats` counts vendor requests.

The push services keep what they accept (`GET /__control/messages`); see `expo` and `webpush` for the
tokens and subscriptions they can be told to reject.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from racehub.integrations import registry
from racehub.integrations.base import VendorClient
from racehub.integrations.http import HttpPolicy, SleepFn
from racehub.integrations.simulators.bundle import Bundle, load_bundle
from racehub.integrations.simulators.kit import (
    Fault,
    RegistrationStore,
    RunningServer,
    SimulatorControls,
    start_server_thread,
    wrap_with_faults,
)

VENDORS = registry.NAMES
PUSH_SERVICES = ("expo", "webpush")
DEFAULT_PORTS = {
    "runsignup": 8701,
    "raceroster": 8702,
    "ctlive": 8703,
    "copernico": 8704,
    "expo": 8705,
    "webpush": 8706,
}

# Demo credentials the simulators accept; never real ones.
SIMULATOR_CREDENTIALS: dict[str, dict[str, str]] = {
    "runsignup": {"api_key": "sim-rsu-key", "api_secret": "sim-rsu-secret"},
    "raceroster": {
        "client_id": "sim-rr-client",
        "client_secret": "sim-rr-secret",
        "username": "timer@example.com",
        "password": "sim-rr-password",
    },
    "ctlive": {"client_id": "sim-ct-client", "user_id": "timer@example.com", "password": "sim-ct-password"},
    "copernico": {"api_key": "sim-copernico-key"},
}

# (bundle, accepted credentials, vendor settings) -> the vendor's app; and whether it keeps registrations
# that `/__control/registrations` can change.
AppBuilder = Callable[[Bundle, RegistrationStore | None, Mapping[str, str], dict[str, Any]], FastAPI]


def _runsignup(
    bundle: Bundle, store: RegistrationStore | None, secrets: Mapping[str, str], settings: dict[str, Any]
) -> FastAPI:
    from racehub.integrations.simulators.runsignup import build_app

    assert store is not None
    return build_app(bundle, store, api_key=secrets["api_key"], api_secret=secrets["api_secret"])


def _raceroster(
    bundle: Bundle, store: RegistrationStore | None, secrets: Mapping[str, str], settings: dict[str, Any]
) -> FastAPI:
    from racehub.integrations.simulators.raceroster import build_app

    assert store is not None
    return build_app(bundle, store, credentials=dict(secrets), **settings)


def _ctlive(
    bundle: Bundle, store: RegistrationStore | None, secrets: Mapping[str, str], settings: dict[str, Any]
) -> FastAPI:
    from racehub.integrations.simulators.ctlive import build_app

    return build_app(
        bundle, client_id=secrets["client_id"], user_id=secrets["user_id"], password=secrets["password"]
    )


def _copernico(
    bundle: Bundle, store: RegistrationStore | None, secrets: Mapping[str, str], settings: dict[str, Any]
) -> FastAPI:
    from racehub.integrations.simulators.copernico import build_app

    return build_app(bundle, api_key=secrets["api_key"], **settings)


APPS: dict[str, tuple[AppBuilder, bool]] = {
    "runsignup": (_runsignup, True),
    "raceroster": (_raceroster, True),
    "ctlive": (_ctlive, False),
    "copernico": (_copernico, False),
}


def create_simulator_app(
    vendor: str,
    bundle_dir: Path,
    *,
    faults: Iterable[Fault] = (),
    credentials: Mapping[str, str] | None = None,
    bundle: Bundle | None = None,
    **settings: Any,
) -> FastAPI:
    """An ASGI app speaking `vendor`'s API over the bundle (read from `bundle_dir` unless `bundle` is
    given, already read). `settings` are vendor extras (raceroster: `token_ttl_s`; copernico:
    `scoring_polls`)."""
    registry.get(vendor)
    build, keeps_registrations = APPS[vendor]
    data = bundle if bundle is not None else load_bundle(Path(bundle_dir))
    secrets = {**SIMULATOR_CREDENTIALS[vendor], **(credentials or {})}
    store = RegistrationStore(data, vendor) if keeps_registrations else None
    app = build(data, store, secrets, settings)
    return wrap_with_faults(app, SimulatorControls(faults), store)


def start_simulator(
    vendor: str,
    bundle_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: Iterable[Fault] = (),
    **settings: Any,
) -> RunningServer:
    """A simulator on a background thread (port 0 = any free port), listening when this returns; call
    `.stop()` when done."""
    return start_server_thread(
        create_simulator_app(vendor, bundle_dir, faults=faults, **settings), host, port
    )


def create_push_app(service: str) -> FastAPI:
    """The local Expo push service or Web Push service (tests, the demo, `racehub simulate expo`)."""
    if service == "expo":
        from racehub.integrations.simulators.expo import build_app as build_expo

        return build_expo()
    if service == "webpush":
        from racehub.integrations.simulators.webpush import build_app as build_webpush

        return build_webpush()
    raise ValueError(f"unknown push service {service!r}; expected one of {', '.join(PUSH_SERVICES)}")


def start_push_simulator(service: str, *, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """A push service simulator on a background thread (port 0 = any free port)."""
    return start_server_thread(create_push_app(service), host, port)


def client_base_url(vendor: str, root_url: str) -> str:
    """Where a vendor's client should point, given a simulator's root URL."""
    return registry.get(vendor).api_url(root_url)


def simulator_client(
    vendor: str,
    root_url: str,
    *,
    policy: HttpPolicy | None = None,
    sleep: SleepFn = time.sleep,
    credentials: Mapping[str, str] | None = None,
    **options: Any,
) -> VendorClient:
    """The real client for `vendor`, pointed at a simulator, with the simulator's credentials."""
    secrets = {**SIMULATOR_CREDENTIALS[vendor], **(credentials or {})}
    return registry.get(vendor).client(
        secrets, root_url=root_url, policy=policy or HttpPolicy.for_local_simulator(), sleep=sleep, **options
    )


__all__ = [
    "DEFAULT_PORTS",
    "PUSH_SERVICES",
    "SIMULATOR_CREDENTIALS",
    "VENDORS",
    "Fault",
    "RunningServer",
    "client_base_url",
    "create_push_app",
    "create_simulator_app",
    "simulator_client",
    "start_push_simulator",
    "start_simulator",
]
