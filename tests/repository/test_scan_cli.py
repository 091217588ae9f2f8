"""`cnmm scan` over repositories: option checks and one report per broken file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cnmm


@pytest.mark.parametrize("command", ["scan", "assess"])
def test_an_invalid_since_window_is_a_usage_error(tmp_path: Path, command: str) -> None:
    done = run_cnmm(command, str(tmp_path), "--since", "3x")
    assert done.returncode == 2
    assert "--since '3x'" in done.stderr and "90d" in done.stderr


def test_a_broken_workflow_is_reported_once(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: [push]\njobs:\n  test: [unclosed\n")
    (tmp_path / "main.go").write_text("package main\n")
    done = run_cnmm("scan", str(tmp_path), "--format", "json")
    result = json.loads(done.stdout)
    broken = [e for e in result["errors"] if e["path"].endswith("ci.yml")]
    assert len(broken) == 1, result["errors"]
    assert done.returncode == 3


def test_no_history_leaves_git_alone(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.repository.gitrepo import GitRepo

    repo = GitRepo(tmp_path / "app")
    repo.commit(datetime.now(UTC) - timedelta(days=3), "first change")
    with_history = json.loads(run_cnmm("scan", str(repo.path), "--format", "json").stdout)
    assert with_history["inventory"]["delivery"]["repositories"][0]["commits"] == 1
    without = json.loads(
        run_cnmm("scan", str(repo.path), "--no-history", "--format", "json").stdout
    )
    assert without["inventory"]["delivery"]["repositories"] == []
    assert any("--no-history" in status for status in without["repository"].values())
    cadence = [f for f in without["findings"] if f["rule"] == "repo.delivery.release-cadence"]
    assert cadence and all(f["outcome"] == "not-available" for f in cadence)
