"""Fixtures for the assessment tests."""

from __future__ import annotations

import pytest

from cnmm.catalog import Catalog, load_catalog
from tests.assess.example import ExampleRun, run_example


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> ExampleRun:
    """The example organisation assessed once through the real entry point."""
    return run_example(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled catalog."""
    return load_catalog()
