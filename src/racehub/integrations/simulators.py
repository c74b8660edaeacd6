"""Local HTTP simulators of the four vendors, serving a racedata-v1 bundle (tests, demos, `racehub simulate`).

    app = create_simulator_app("ctlive", Path("/work/shared/data/racedata-v1"))
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

`racehub simulate expo` and `racehub simulate webpush` serve the local Expo push service and Web Push
service (`racehub.integrations.expo.simulator`, `racehub.integrations.webpush.simulator`).

Faults: pass `faults=[Fault(kind="rate_limit", retry_after=2, count=1)]`, or at run time
`POST /__control/faults` with the same fields (`DELETE /__control/faults` clears them). Registration
changes: `POST /__control/registrations/{participant_id}` `{"changes": {"first_name": "Jo"}}` and
`POST /__control/registrations/{participant_id}/remove`. `GET /__control/stats` counts vendor requests.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from racehub.integrations.base import VendorClient
from racehub.integrations.bundle import load_bundle
from racehub.integrations.http import HttpPolicy, SleepFn
from racehub.integrations.simkit import (
    Fault,
    RegistrationStore,
    RunningServer,
    SimulatorControls,
    start_server_thread,
    wrap_with_faults,
)

VENDORS = ("runsignup", "raceroster", "ctlive", "copernico")
PUSH_SERVICES = ("expo", "webpush")  # push services: no bundle behind them
DEFAULT_PORTS = {
    "runsignup": 8701, "raceroster": 8702, "ctlive": 8703, "copernico": 8704, "expo": 8705, "webpush": 8706,
}
DEFAULT_BUNDLE_DIR = Path("/work/shared/data/racedata-v1")

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


def _check_vendor(vendor: str) -> None:
    if vendor not in VENDORS:
        raise ValueError(f"unknown vendor {vendor!r}; expected one of {', '.join(VENDORS)}")


def create_simulator_app(
    vendor: str,
    bundle_dir: Path = DEFAULT_BUNDLE_DIR,
    *,
    faults: Iterable[Fault] = (),
    credentials: Mapping[str, str] | None = None,
    **settings: Any,
) -> FastAPI:
    """An ASGI app speaking `vendor`'s API over the bundle. `settings` are vendor extras
    (raceroster: `token_ttl_s`; copernico: `scoring_polls`)."""
    _check_vendor(vendor)
    bundle = load_bundle(Path(bundle_dir))
    controls = SimulatorControls(faults)
    secrets = {**SIMULATOR_CREDENTIALS[vendor], **(credentials or {})}
    store: RegistrationStore | None = None
    if vendor == "runsignup":
        from racehub.integrations.runsignup.simulator import build_app as build_runsignup

        store = RegistrationStore(bundle, vendor)
        app = build_runsignup(bundle, store, api_key=secrets["api_key"], api_secret=secrets["api_secret"])
    elif vendor == "raceroster":
        from racehub.integrations.raceroster.simulator import build_app as build_raceroster

        store = RegistrationStore(bundle, vendor)
        app = build_raceroster(bundle, store, credentials=secrets, **settings)
    elif vendor == "ctlive":
        from racehub.integrations.ctlive.simulator import build_app as build_ctlive

        app = build_ctlive(
            bundle, client_id=secrets["client_id"], user_id=secrets["user_id"], password=secrets["password"]
        )
    else:
        from racehub.integrations.copernico.simulator import build_app as build_copernico

        app = build_copernico(bundle, api_key=secrets["api_key"], **settings)
    return wrap_with_faults(app, controls, store)


def create_push_app(service: str) -> FastAPI:
    """The local Expo push service or Web Push service (tests, the demo, `racehub simulate expo`)."""
    if service == "expo":
        from racehub.integrations.expo.simulator import build_app as build_expo

        return build_expo()
    if service == "webpush":
        from racehub.integrations.webpush.simulator import build_app as build_webpush

        return build_webpush()
    raise ValueError(f"unknown push service {service!r}; expected one of {', '.join(PUSH_SERVICES)}")


def serve(
    vendor: str,
    bundle_dir: Path = DEFAULT_BUNDLE_DIR,
    host: str = "127.0.0.1",
    port: int | None = None,
    *,
    faults: Iterable[Fault] = (),
    **settings: Any,
) -> None:
    """Run one simulator with uvicorn until interrupted (port: `DEFAULT_PORTS[vendor]` when None).
    Loopback by default: it accepts demo credentials and has an unauthenticated `/__control`."""
    if vendor in PUSH_SERVICES:
        app = create_push_app(vendor)
    else:
        app = create_simulator_app(vendor, bundle_dir, faults=faults, **settings)
    uvicorn.run(app, host=host, port=port or DEFAULT_PORTS[vendor], log_level="info")


def start_simulator(
    vendor: str,
    bundle_dir: Path = DEFAULT_BUNDLE_DIR,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: Iterable[Fault] = (),
    **settings: Any,
) -> RunningServer:
    """A simulator on a background thread (port 0 = any free port); call `.stop()` when done."""
    return start_server_thread(
        create_simulator_app(vendor, bundle_dir, faults=faults, **settings), host, port
    )


def client_base_url(vendor: str, root_url: str) -> str:
    """Where a vendor's client should point, given a simulator's root URL."""
    _check_vendor(vendor)
    root = root_url.rstrip("/")
    return {"runsignup": f"{root}/Rest", "ctlive": f"{root}/api"}.get(vendor, root)


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
    base = client_base_url(vendor, root_url)
    secrets = {**SIMULATOR_CREDENTIALS[vendor], **(credentials or {})}
    policy = policy or HttpPolicy.for_local_simulator()
    if vendor == "runsignup":
        from racehub.integrations.runsignup.client import RunSignUpClient

        return RunSignUpClient(
            secrets["api_key"], secrets["api_secret"], base_url=base, policy=policy, sleep=sleep, **options
        )
    if vendor == "raceroster":
        from racehub.integrations.raceroster.client import RaceRosterClient

        return RaceRosterClient(
            client_id=secrets["client_id"],
            client_secret=secrets["client_secret"],
            username=secrets["username"],
            password=secrets["password"],
            base_url=base,
            policy=policy,
            sleep=sleep,
            **options,
        )
    if vendor == "ctlive":
        from racehub.integrations.ctlive.client import CTLiveClient

        return CTLiveClient(
            client_id=secrets["client_id"],
            user_id=secrets["user_id"],
            password=secrets["password"],
            base_url=base,
            policy=policy,
            sleep=sleep,
            **options,
        )
    from racehub.integrations.copernico.client import CopernicoClient

    return CopernicoClient(
        secrets["api_key"], public_base_url=base, api_base_url=base, policy=policy, sleep=sleep, **options
    )


__all__ = [
    "DEFAULT_BUNDLE_DIR",
    "DEFAULT_PORTS",
    "PUSH_SERVICES",
    "SIMULATOR_CREDENTIALS",
    "VENDORS",
    "Fault",
    "RunningServer",
    "client_base_url",
    "create_push_app",
    "create_simulator_app",
    "serve",
    "simulator_client",
    "start_simulator",
]
