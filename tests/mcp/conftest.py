"""A live RaceHub (uvicorn, lifespan on) over the shared bundle database, and keys of two of its tenants."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from racehub.app import create_app
from racehub.db import Database
from tests.mcp.live import serving
from tests.tools.bundle_tenants import BundleTenants, bundle_tenants


@pytest.fixture(scope="module")
def tenants(bundle_db: Database) -> BundleTenants:
    return bundle_tenants(bundle_db, "mcp")


@pytest.fixture(scope="module")
def base_url(bundle_db: Database, tenants: BundleTenants) -> Iterator[str]:
    with serving(create_app(bundle_db)) as url:
        yield url
