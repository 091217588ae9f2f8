"""Delivery history read from real git repositories (fixed dates, real tags, merges, reverts)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cnmm.collect.repository.history import (
    GitRunner,
    HistoryError,
    HistoryReader,
    is_revert,
    parse_release_tag,
    parse_since,
)
from tests.repository.gitrepo import GitRepo, at, fast_import

NOW = at(2024, 6, 30)
DAY = 86400


def read(
    repo_path: Path, since: str = "2024-01-01", git: GitRunner | None = None, display: str = "repo"
):  # type: ignore[no-untyped-def]
    start, _ = parse_since(since, NOW)
    return HistoryReader(git or GitRunner(), NOW).read(repo_path, display, start)


def test_lead_time_goes_to_the_first_release_that_contains_each_commit(repo: GitRepo) -> None:
    repo.commit(at(2024, 1, 1))
    repo.commit(at(2024, 1, 3))
    repo.tag("v1.0.0", at(2024, 1, 5))
    repo.commit(at(2024, 1, 10))
    repo.tag("v1.1.0", at(2024, 1, 12), annotated=False)  # lightweight: dated by its commit
    repo.commit(at(2024, 1, 20))
    repo.tag("v1.2.0", at(2024, 1, 30))
    repo.commit(at(2024, 2, 1))  # not released yet

    history = read(repo.path)

    assert history.commits == 5
    assert [r.tag for r in history.releases] == ["v1.0.0", "v1.1.0", "v1.2.0"]
    # v1.0.0 (Jan 5) contains Jan 1 and Jan 3; v1.1.0 is lightweight on the Jan 10 commit
    # (0 days); v1.2.0 (Jan 30) contains Jan 20.
    assert sorted(t // DAY for t in history.lead_times) == [0, 2, 4, 10]
    assert history.lead_time_median == 3 * DAY
    assert history.lead_time_p90 == 10 * DAY
    assert history.unreleased == 1
    assert history.branch == "main"
    assert history.merges == 0
    assert history.authors == 1


def test_window_limits_commits_and_releases(repo: GitRepo) -> None:
    repo.commit(at(2023, 11, 1))
    repo.tag("v0.9.0", at(2023, 11, 2))
    repo.commit(at(2024, 3, 1))
    repo.tag("v1.0.0", at(2024, 3, 2))

    history = read(repo.path, since="2024-01-01")

    assert history.commits == 1
    assert [r.tag for r in history.releases] == ["v1.0.0"]
    assert history.lead_times == (DAY,)
    assert history.window_days == pytest.approx((NOW - at(2024, 1, 1, 0)).total_seconds() / DAY)


def test_pre_releases_moving_tags_and_other_tags_are_not_releases(repo: GitRepo) -> None:
    repo.commit(at(2024, 2, 1))
    repo.tag("v2.0.0-rc.1", at(2024, 2, 2))
    repo.tag("v2", at(2024, 2, 2))  # moving major-version tag
    repo.tag("nightly", at(2024, 2, 2))
    repo.commit(at(2024, 2, 5))
    repo.tag("v2.0.0", at(2024, 2, 6))

    history = read(repo.path)

    assert [r.tag for r in history.releases] == ["v2.0.0"]
    assert history.pre_releases == 1
    # The first commit is measured to the final release, not to the release candidate.
    assert sorted(t // DAY for t in history.lead_times) == [1, 5]


def test_merges_and_reverts(repo: GitRepo) -> None:
    repo.commit(at(2024, 2, 1), "initial")
    repo.git("checkout", "-q", "-b", "feature")
    bad = repo.commit(at(2024, 2, 2), "add flaky cache", path="cache.txt")
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "--no-ff", "-q", "-m", "Merge branch 'feature'", "feature", when=at(2024, 2, 3)
    )
    repo.git("revert", "--no-edit", bad, when=at(2024, 2, 4))
    repo.commit(at(2024, 2, 5), "revert(api): undo the v2 endpoint")
    repo.commit(at(2024, 2, 6), 'Reapply "add flaky cache"')
    repo.commit(at(2024, 2, 7), "docs: explain how to revert a release")

    history = read(repo.path)

    assert history.merges == 1
    assert history.commits == 6  # the merge commit is not a change of its own
    assert sorted(r.subject for r in history.reverts) == [
        'Revert "add flaky cache"',
        "revert(api): undo the v2 endpoint",
    ]
    assert history.revert_rate == pytest.approx(2 / 6)


def test_github_revert_branch_merge_counts_once(repo: GitRepo) -> None:
    repo.commit(at(2024, 3, 1), "add feature")
    first = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "revert-12-feature")
    repo.git("revert", "--no-edit", first, when=at(2024, 3, 2))
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "--no-ff",
        "-q",
        "-m",
        "Merge pull request #13 from acme/revert-12-feature",
        "revert-12-feature",
        when=at(2024, 3, 3),
    )

    history = read(repo.path)

    assert len(history.reverts) == 1
    assert history.reverts[0].subject.startswith("Merge pull request #13")


def test_release_branch_commits_count_for_lead_time(repo: GitRepo) -> None:
    repo.commit(at(2024, 4, 1))
    repo.git("checkout", "-q", "-b", "release-1.0")
    repo.commit(at(2024, 4, 2), "fix: backport")
    repo.tag("v1.0.1", at(2024, 4, 4))
    repo.git("checkout", "-q", "main")
    repo.commit(at(2024, 4, 5))

    history = read(repo.path)

    assert history.commits == 2  # main only
    assert sorted(t // DAY for t in history.lead_times) == [2, 3]  # both released by v1.0.1
    assert history.unreleased == 1


def test_subdirectory_counts_its_commits_and_its_own_tags(repo: GitRepo) -> None:
    repo.commit(at(2024, 1, 2), path="charts/api/Chart.yaml")
    repo.commit(at(2024, 1, 3), path="charts/web/Chart.yaml")
    repo.tag("api-1.0.0", at(2024, 1, 4))
    repo.tag("web-1.0.0", at(2024, 1, 4))
    repo.commit(at(2024, 1, 6), path="charts/web/values.yaml")
    repo.tag("web-1.1.0", at(2024, 1, 8))

    history = read(repo.path / "charts" / "api", display="charts/api")

    assert history.pathspec == "charts/api/"
    assert history.commits == 1
    assert history.merges is None
    assert [r.tag for r in history.releases] == ["api-1.0.0"]
    assert history.tag_prefix == "api-"
    assert history.lead_times == (2 * DAY,)
    assert any("charts/api/" in note for note in history.notes)


def test_bounded_number_of_git_processes(tmp_path: Path) -> None:
    path = tmp_path / "big"
    GitRepo(path)
    fast_import(path, 600, at(2024, 1, 1), step_seconds=3 * 3600, tag_every=50)
    git = GitRunner()

    history = read(path, git=git)

    assert history.commits == 600
    assert len(history.releases) == 12
    assert len(history.lead_times) == 600
    assert git.processes <= 5


def test_detached_head_is_noted(repo: GitRepo) -> None:
    repo.commit(at(2024, 5, 1))
    repo.commit(at(2024, 5, 2))
    repo.git("checkout", "-q", "--detach", "HEAD~1")

    history = read(repo.path)

    assert history.branch is None
    assert history.commits == 1
    assert any(note.startswith("detached HEAD") for note in history.notes)


def test_shallow_clone_is_refused_with_a_reason(repo: GitRepo, tmp_path: Path) -> None:
    for day in (1, 2, 3):
        repo.commit(at(2024, 5, day))
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)],
        check=True,
        capture_output=True,
    )

    with pytest.raises(HistoryError, match="shallow clone"):
        read(clone)


def test_repository_without_commits(repo: GitRepo) -> None:
    with pytest.raises(HistoryError, match="no commits yet"):
        read(repo.path)


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(HistoryError, match="not a git repository"):
        read(plain)


def test_git_not_installed(repo: GitRepo) -> None:
    repo.commit(at(2024, 5, 1))
    with pytest.raises(HistoryError, match="git is not installed"):
        read(repo.path, git=GitRunner(executable="/nonexistent/git"))


def test_path_that_is_not_a_directory(repo: GitRepo) -> None:
    repo.commit(at(2024, 5, 1))
    with pytest.raises(HistoryError, match="not a directory"):
        read(repo.path / "file.txt")


@pytest.mark.parametrize(
    ("text", "days"),
    [("90d", 90), ("12w", 84), ("6m", 180), ("1y", 365), (" 30D ", 30)],
)
def test_parse_since_windows(text: str, days: int) -> None:
    start, label = parse_since(text, NOW)
    assert NOW.timestamp() - start == days * DAY
    assert label == text.strip()


def test_parse_since_dates_and_errors() -> None:
    start, _ = parse_since("2024-01-01", NOW)
    assert start == int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    assert parse_since(None, NOW, default="7d")[0] == NOW.timestamp() - 7 * DAY
    for bad in ("yesterday", "0d", "2099-01-01", "90"):
        with pytest.raises(ValueError, match="--since"):
            parse_since(bad, NOW)


@pytest.mark.parametrize(
    ("name", "prefix", "prerelease"),
    [
        ("v1.2.3", "", False),
        ("1.4", "", False),
        ("release-2.0.1", "release-", False),
        ("kube-prometheus-stack-45.0.0", "kube-prometheus-stack-", False),
        ("api/v0.3.0", "api/", False),
        ("v1.2.3-rc.1", "", True),
        ("v2.0.0-beta", "", True),
        ("v1.0.0+build.5", "", False),
        ("2024.06.01", "", False),
    ],
)
def test_release_tag_names(name: str, prefix: str, prerelease: bool) -> None:
    parsed = parse_release_tag(name)
    assert parsed is not None
    assert (parsed.prefix, parsed.prerelease) == (prefix, prerelease)


@pytest.mark.parametrize("name", ["v1", "latest", "nightly", "stable", "deploy-prod"])
def test_not_release_tags(name: str) -> None:
    assert parse_release_tag(name) is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ('Revert "add cache"', True),
        ("revert: drop the v2 endpoint", True),
        ("revert(api)!: drop it", True),
        ("Merge pull request #9 from acme/revert-8-cache", True),
        ('Reapply "add cache"', False),
        ("docs: how to revert", False),
        ("Reverted colours in the UI", False),
    ],
)
def test_revert_subjects(subject: str, expected: bool) -> None:
    assert is_revert(subject) is expected
