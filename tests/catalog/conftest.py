"""Fixtures for the catalog tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cnmm.catalog.loader import catalog_dir


@pytest.fixture()
def catalog_copy(tmp_path: Path) -> Path:
    """A copy of the bundled catalog that a test may break."""
    target = tmp_path / "catalog"
    shutil.copytree(catalog_dir(), target)
    return target
