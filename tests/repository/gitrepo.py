"""Real git repositories for tests: commits, merges, reverts and tags at fixed dates."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest


def _env(when: datetime | None) -> dict[str, str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ada Dev",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada Dev",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    if when is not None:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        env["GIT_AUTHOR_DATE"] = stamp
        env["GIT_COMMITTER_DATE"] = stamp
    return env


class GitRepo:
    """A work tree driven by the real git binary."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.counter = 0

    def git(self, *args: str, when: datetime | None = None) -> str:
        """Run git in the work tree; the output (stripped)."""
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=_env(when),
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def commit(
        self, when: datetime, subject: str = "", path: str = "file.txt", author: str | None = None
    ) -> str:
        """Change `path` and commit at `when`; the new commit's SHA."""
        self.counter += 1
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a") as handle:
            handle.write(f"change {self.counter}\n")
        self.git("add", path)
        args = ["commit", "-q", "-m", subject or f"change {self.counter}"]
        if author:
            args += ["--author", author]
        self.git(*args, when=when)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, when: datetime, annotated: bool = True, rev: str = "HEAD") -> None:
        """Tag `rev`; annotated tags carry `when` as tagger date."""
        if annotated:
            self.git("tag", "-a", name, "-m", name, rev, when=when)
        else:
            self.git("tag", name, rev, when=when)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A UTC moment."""
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty git repository in a temporary directory."""
    return GitRepo(tmp_path / "repo")


def fast_import(
    path: Path,
    commits: int,
    start: datetime,
    step_seconds: int = 3600,
    tag_every: int = 0,
    files: int = 10,
) -> None:
    """Fill the repository at `path` with `commits` commits on main through `git fast-import`
    (one process), touching `files` files in turn; an annotated tag every `tag_every`."""
    base = int(start.timestamp())
    lines: list[str] = []
    for number in range(1, commits + 1):
        when = base + number * step_seconds
        content = f"commit {number}\n"
        message = f"change {number}"
        lines += [
            "commit refs/heads/main",
            f"mark :{number}",
            f"author Ada Dev <ada@example.com> {when} +0000",
            f"committer Ada Dev <ada@example.com> {when} +0000",
            f"data {len(message)}",
            message,
        ]
        if number > 1:
            lines.append(f"from :{number - 1}")
        lines += [f"M 644 inline src/file{number % files}.txt", f"data {len(content)}", content]
        if tag_every and number % tag_every == 0:
            tag_message = f"release {number // tag_every}"
            lines += [
                f"tag v1.{number // tag_every}.0",
                f"from :{number}",
                f"tagger Ada Dev <ada@example.com> {when + 60} +0000",
                f"data {len(tag_message)}",
                tag_message,
            ]
    stream = "\n".join(lines) + "\n"
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=path,
        input=stream,
        text=True,
        check=True,
        env=_env(None),
    )
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True, env=_env(None))
