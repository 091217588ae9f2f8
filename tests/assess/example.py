"""The bundled example organisation, assessed once per test session through the real CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cnmm

# A value the example's checkout Deployment holds in plain text; no report may repeat it.
SECRET_VALUE = "checkout-demo-not-a-real-password"


@dataclass(frozen=True)
class ExampleRun:
    """`cnmm assess --example` run in `cwd`: its exit code, output and the files it wrote."""

    cwd: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def out(self) -> Path:
        return self.cwd / "cnmm-report"

    @property
    def data(self) -> dict[str, Any]:
        return dict(json.loads((self.out / "assessment.json").read_text(encoding="utf-8")))

    def scope(self, name: str) -> dict[str, Any]:
        return next(d for d in self.data["assessments"] if d["scope"]["name"] == name)


def run_example(cwd: Path) -> ExampleRun:
    """Run the README's command (`cnmm assess --example`) in an empty directory."""
    cwd.mkdir(parents=True, exist_ok=True)
    proc = run_cnmm("assess", "--example", cwd=cwd)
    return ExampleRun(cwd, proc.returncode, proc.stdout, proc.stderr)


_SHARED: list[ExampleRun] = []


def shared_example(factory: pytest.TempPathFactory) -> ExampleRun:
    """One run per test session, shared by every test directory (tests only read it)."""
    if not _SHARED:
        _SHARED.append(run_example(factory.mktemp("example")))
    return _SHARED[0]
