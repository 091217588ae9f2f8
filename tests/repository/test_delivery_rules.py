"""repo.delivery.* through `run_scan` on real git repositories (pass / fail / n-a / n-av).

Dates are relative to now because the scan's window ends now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cnmm.findings import Outcome
from cnmm.scan import ScanRequest, run_scan
from tests.repository.gitrepo import GitRepo

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def outcomes(path: Path, since: str = "90d") -> dict[str, tuple[Outcome, str]]:
    result = run_scan(ScanRequest(paths=(str(path),), since=since))
    return {
        f.rule: (f.outcome, f.message)
        for f in result.findings
        if f.rule.startswith("repo.delivery.")
    }


def test_frequent_quick_releases_without_reverts_pass(repo: GitRepo) -> None:
    for week in range(12, 0, -1):  # a release every week, two days after its commits
        repo.commit(ago(week * 7 + 3))
        repo.commit(ago(week * 7 + 2))
        repo.tag(f"v1.{12 - week}.0", ago(week * 7))

    found = outcomes(repo.path)

    assert found["repo.delivery.release-cadence"][0] is Outcome.PASS
    assert "12 release(s)" in found["repo.delivery.release-cadence"][1]
    assert found["repo.delivery.lead-time"][0] is Outcome.PASS
    assert "median commit-to-release 2.5 days" in found["repo.delivery.lead-time"][1]
    assert found["repo.delivery.revert-rate"][0] is Outcome.PASS
    assert "proxy" in found["repo.delivery.revert-rate"][1]


def test_rare_slow_releases_and_many_reverts_fail(repo: GitRepo) -> None:
    shas = [repo.commit(ago(85 - day), f"feature {day}", path=f"f{day}.txt") for day in range(12)]
    for sha, day in zip(shas[:4], (40, 41, 42, 43), strict=True):
        repo.git("revert", "--no-edit", sha, when=ago(day))
    repo.tag("v2.0.0", ago(5))

    found = outcomes(repo.path)

    assert found["repo.delivery.release-cadence"][0] is Outcome.FAIL  # 1 in 90 days
    assert found["repo.delivery.lead-time"][0] is Outcome.FAIL  # ~45+ days
    assert found["repo.delivery.revert-rate"][0] is Outcome.FAIL  # 4 of 16
    assert "4 revert(s) in 16 commits" in found["repo.delivery.revert-rate"][1]


def test_too_little_history_is_not_applicable(repo: GitRepo) -> None:
    repo.commit(ago(200))
    repo.commit(ago(3))
    repo.tag("v0.1.0", ago(2))

    found = outcomes(repo.path, since="30d")

    assert found["repo.delivery.lead-time"][0] is Outcome.NOT_APPLICABLE
    assert found["repo.delivery.revert-rate"][0] is Outcome.NOT_APPLICABLE
    assert found["repo.delivery.release-cadence"][0] is Outcome.PASS  # 1 in 30 days


def test_inactive_repository_is_not_applicable(repo: GitRepo) -> None:
    repo.commit(ago(400))
    found = outcomes(repo.path)
    assert found["repo.delivery.release-cadence"][0] is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize("case", ["not-git", "shallow", "empty"])
def test_missing_history_is_not_available(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    if case == "not-git":
        target = tmp_path / "plain"
        target.mkdir()
        (target / "README.md").write_text("# x\n")
        reason = "not a git repository"
    elif case == "empty":
        target = GitRepo(tmp_path / "empty").path
        reason = "no commits yet"
    else:
        origin = GitRepo(tmp_path / "origin")
        origin.commit(ago(3))
        origin.commit(ago(2))
        target = tmp_path / "clone"
        origin.git("clone", "-q", "--depth", "1", f"file://{origin.path}", str(target))
        reason = "shallow clone"

    found = outcomes(target)

    assert {rule for rule in found} == {
        "repo.delivery.release-cadence",
        "repo.delivery.lead-time",
        "repo.delivery.revert-rate",
    }
    for outcome, message in found.values():
        assert outcome is Outcome.NOT_AVAILABLE
        assert reason in message


def test_thresholds_come_from_the_data_file() -> None:
    from cnmm.collect.repository.delivery import band_for, load_delivery_profile

    profile = load_delivery_profile()
    assert profile.source["year"] == 2023
    assert profile.threshold("lead_time", "max_median_days") == 31
    assert band_for(profile, "lead_time", 0.5) == "elite"
    assert band_for(profile, "lead_time", 45) == "low"
    assert band_for(profile, "release_frequency", 2.0) == "elite"
    assert band_for(profile, "release_frequency", 1 / 10) == "medium"
    assert band_for(profile, "change_failure", 0.12) == "medium"
    assert band_for(profile, "change_failure", None) is None
