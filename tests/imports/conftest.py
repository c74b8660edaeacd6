"""Bundle copies for import tests: the full shared bundle, or a cut-down one for quick round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BUNDLE
from tests.imports.bundle_files import copy_bundle, write_subset

# Two editions of one organization (runners come back) and one of another: ~2,000 entries.
SMALL_EDITIONS = {("Jingle Bell Run", 2023), ("Jingle Bell Run", 2024), ("Lakeside 10K", 2023)}


@pytest.fixture(scope="session")
def bundle_dir() -> Path:
    return BUNDLE


@pytest.fixture
def bundle_copy(tmp_path: Path) -> Path:
    """A private copy of the full bundle that the test may corrupt."""
    return copy_bundle(BUNDLE, tmp_path / "bundle")


@pytest.fixture
def small_bundle(tmp_path: Path) -> Path:
    """A private, cut-down copy of the bundle (three editions, two organizations)."""
    return write_subset(BUNDLE, tmp_path / "small", SMALL_EDITIONS)
