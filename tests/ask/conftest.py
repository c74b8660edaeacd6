"""Fixtures of the ask-engine tests: an engine over the imported bundle, and the bundle read by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from racehub.ask.engine import AskEngine
from racehub.config import Settings
from racehub.db import Database, Scope
from tests.ask.bundle_reference import Bundle
from tests.conftest import BUNDLE


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    """The racedata-v1 CSV files, with answers computed by the README's rules."""
    return Bundle(BUNDLE)


@pytest.fixture(scope="session")
def engine(bundle_db: Database, test_settings: Settings) -> AskEngine:
    """An engine over the shared bundle database, parser only (no language model)."""
    return AskEngine(bundle_db, test_settings)


@pytest.fixture(scope="session")
def org_ids(bundle_db: Database) -> dict[str, int]:
    """Database id of each timing company, by slug."""
    with bundle_db.session(Scope.operator()) as session:
        rows = session.execute(text("SELECT slug, id FROM organizations")).all()
    return {slug: int(org_id) for slug, org_id in rows}


@pytest.fixture(scope="session")
def llm_settings(test_settings: Settings) -> Settings:
    """The test settings with the language-model fallback switched on."""
    return test_settings.model_copy(update={"llm_enabled": True})
