"""The code base stays lint-clean, formatted and type-checked (ruff and mypy, as configured)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"],
    "ruff format": [
        sys.executable,
        "-m",
        "ruff",
        "format",
        "--check",
        "src",
        "tests",
        "benchmarks",
    ],
    "mypy": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_tool_is_clean(name: str) -> None:
    done = subprocess.run(
        CHECKS[name], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{name} found problems:\n{done.stdout}\n{done.stderr}"
