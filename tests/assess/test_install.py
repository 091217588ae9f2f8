"""The README's run command from a non-editable install: the example ships in the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def test_example_works_from_a_regular_install(tmp_path: Path) -> None:
    # Build from a clean copy: a stale build/ directory in the checkout could add files that
    # no longer exist in src/.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "NOTICE"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(REPO_ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    example = target / "cnmm" / "examples" / "acme"
    for name in (
        "teams/payments.yaml",
        "teams/checkout.yaml",
        "repos/payments/.github/workflows/ci.yaml",
        "repos/payments/chart/payments/templates/deployment.yaml",
        "repos/checkout/.gitlab-ci.yml",
    ):
        assert (example / name).is_file(), name
    assert (target / "cnmm" / "report" / "schema" / "assessment-result.v1.schema.json").is_file()
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "COLUMNS": "80"}
    where = subprocess.run(
        [sys.executable, "-c", "import cnmm; print(cnmm.__file__)"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(target))  # not the source tree
    proc = subprocess.run(
        [sys.executable, "-m", "cnmm", "assess", "--example", "--format", "json"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert all(d["inputs"]["paths"][0].startswith(str(target)) for d in data["assessments"])
    assert (work / "cnmm-report" / "index.html").is_file()
    assert any(d["discrepancies"] for d in data["assessments"])
