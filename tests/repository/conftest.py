"""Fixtures for repository-evidence tests."""

from tests.repository.gitrepo import repo  # noqa: F401  (fixture)
