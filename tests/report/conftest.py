"""Fixtures for the report tests: the same as the assessment tests' (one example run)."""

from __future__ import annotations

from tests.assess.conftest import catalog, example

__all__ = ["catalog", "example"]
