"""Fixtures for the assessment tests."""

from __future__ import annotations

import pytest

from cnmm.catalog import Catalog, load_catalog
from tests.assess.example import ExampleRun, shared_example


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> ExampleRun:
    """The example organisation assessed once through the real entry point."""
    return shared_example(tmp_path_factory)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled catalog."""
    return load_catalog()
