"""Delivery history from git, with a bounded number of git processes (I/O at the edge).

Per scanned directory at most five git processes run, whatever the number of commits:
`rev-parse` (work tree, shallow?, prefix), `symbolic-ref` (branch or detached HEAD),
`for-each-ref refs/tags` (tags with dates), one `log` of the window reading HEAD and the
release tags from stdin, and, for a subdirectory, one `log -- <dir>` naming the commits
that touch it. Everything else is computed in memory:

- commits / merges / authors: commits reachable from HEAD whose committer date is in the
  window (`--since`; default from the delivery profile);
- releases: tags whose name carries a version (`v1.2.3`, `1.4`, `chart-2.0.1`,
  `api/v0.3.0`), dated by the tagger (annotated) or the commit (lightweight); pre-releases
  (`-rc.1`, `-beta`, ...) are counted apart; a scan of `charts/foo` keeps only `foo-*` tags
  when there are any;
- lead time: for every non-merge commit of the window, the time to the earliest release tag
  that contains it (tags visited oldest first, each claiming the commits not yet claimed);
- reverts: commits whose subject is git's `Revert "..."`, `revert:` (Conventional Commits)
  or a merge of a `revert-...` branch.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cnmm.facts.repository import DeliveryHistory, Release, Revert

_WINDOW = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_RELEASE = re.compile(
    r"^(?P<prefix>(?:.*[/_@-])?)[vV]?(?P<version>\d+(?:\.\d+){1,3})"
    r"(?P<suffix>(?:[-+.~_][0-9A-Za-z.+~_-]*)?)$"
)
_PRERELEASE = re.compile(
    r"(alpha|beta|rc|pre|preview|dev|snapshot|nightly|canary|next|test|unstable|[-.]m\d|[-.]b\d|[-.]a\d)",
    re.IGNORECASE,
)
_REVERT = re.compile(
    r"^(revert\b|reapply\s+\"|revert(\([^)]*\))?!?:|merge (pull request|branch) .*\brevert-)",
    re.IGNORECASE,
)
_FIELD = "\x1f"


class HistoryError(Exception):
    """History is not available for a directory; the message says why, for people."""


class GitRunner:
    """Runs git and counts the processes it started (a client, passed in for tests)."""

    def __init__(self, executable: str = "git", timeout: float = 300) -> None:
        self.executable = executable
        self.timeout = timeout
        self.processes = 0
        self.seconds = 0.0

    def run(
        self, cwd: Path, args: Sequence[str], stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run `git -C cwd args...`; HistoryError when git is missing or fails (with check)."""
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_PAGER": "cat"}
        env.pop("GIT_DIR", None)
        env.pop("GIT_WORK_TREE", None)
        started = time.perf_counter()
        self.processes += 1
        try:
            done = subprocess.run(
                [self.executable, "-C", str(cwd), "-c", "core.quotepath=off", *args],
                input=stdin,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=self.timeout,
                env=env,
                check=False,
            )
        except FileNotFoundError:
            raise HistoryError("git is not installed (history not read)") from None
        except subprocess.TimeoutExpired:
            raise HistoryError(f"git {args[0]} took longer than {self.timeout:.0f}s") from None
        finally:
            self.seconds += time.perf_counter() - started
        if check and done.returncode != 0:
            raise HistoryError(_git_reason(done.stderr))
        return done


def _git_reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    text = " ".join(lines)
    lowered = text.lower()
    if "not a git repository" in lowered:
        return "not a git repository"
    if "dubious ownership" in lowered:
        return "git refuses this repository (dubious ownership: see git config safe.directory)"
    if (
        "does not have any commits" in lowered
        or "bad default revision" in lowered
        or "unknown revision or path not in the working tree" in lowered
        or "ambiguous argument 'head'" in lowered
    ):
        return "no commits yet"
    if "must be run in a work tree" in lowered:
        return "a bare repository (no work tree)"
    first = lines[0] if lines else "git failed"
    return first.removeprefix("fatal: ")


def parse_since(since: str | None, now: datetime, default: str = "90d") -> tuple[int, str]:
    """Window start (unix seconds) from `90d`, `12w`, `6m`, `1y` or `YYYY-MM-DD`."""
    text = (since or default).strip()
    match = _WINDOW.match(text)
    if match:
        days = int(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]
        if days <= 0:
            raise ValueError(f"--since {text!r}: the window must be at least one day")
        return int((now - timedelta(days=days)).timestamp()), text
    try:
        start = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--since {text!r}: use a window such as 90d, 12w, 6m, 1y, or a date YYYY-MM-DD"
        ) from None
    moment = datetime(start.year, start.month, start.day, tzinfo=UTC)
    if moment >= now:
        raise ValueError(f"--since {text!r} is not in the past")
    return int(moment.timestamp()), text


@dataclass(frozen=True)
class ReleaseTag:
    """A tag name parsed as a release: prefix before the version, pre-release or not."""

    name: str
    prefix: str
    prerelease: bool


def parse_release_tag(name: str) -> ReleaseTag | None:
    """A release when the tag names a version with at least two parts; else None."""
    match = _RELEASE.match(name)
    if not match:
        return None
    suffix = match.group("suffix")
    prerelease = bool(suffix) and not suffix.startswith("+") and bool(_PRERELEASE.search(suffix))
    return ReleaseTag(name, match.group("prefix"), prerelease)


def is_revert(subject: str) -> bool:
    """A revert by its subject line (git's default message, Conventional Commits, GitHub)."""
    return bool(_REVERT.match(subject.strip())) and not subject.strip().lower().startswith(
        "reapply"
    )


@dataclass
class _Commit:
    parents: tuple[str, ...]
    time: int
    author: str
    subject: str


@dataclass
class _Tag:
    name: str
    commit: str
    time: int
    release: ReleaseTag | None = None


@dataclass
class HistoryReader:
    """Reads delivery history for directories; `git` counts the processes."""

    git: GitRunner = field(default_factory=GitRunner)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def read(self, directory: Path, display: str, since: int) -> DeliveryHistory:
        """Delivery figures for one directory; HistoryError when history is not available."""
        if not directory.is_dir():
            raise HistoryError("not a directory")
        top_line, shallow, prefix, head = self._locate(directory)
        top = Path(top_line)
        if shallow:
            raise HistoryError(
                "shallow clone: history incomplete (run `git fetch --unshallow` to measure it)"
            )
        branch = self.git.run(top, ["symbolic-ref", "-q", "--short", "HEAD"], check=False)
        notes: list[str] = []
        branch_name = branch.stdout.strip() if branch.returncode == 0 else None
        tags = self._tags(top)
        until = int(self.now.timestamp())
        releases, pre_releases, tag_prefix = _select_releases(tags, prefix, since, until)
        graph = self._log(top, since, head, releases)
        touched = self._touched(top, since, prefix) if prefix else None
        if branch_name is None:
            notes.append(
                f"detached HEAD at {head[:12] if head else '?'}: "
                "figures follow the checked-out commit"
            )
        if prefix:
            notes.append(f"history limited to commits touching {prefix.rstrip('/')}/")
        if tag_prefix:
            notes.append(f"release tags limited to {tag_prefix}*")
        return _figures(
            display,
            str(top),
            since,
            until,
            prefix or None,
            branch_name,
            graph,
            head,
            touched,
            releases,
            pre_releases,
            tag_prefix,
            notes,
        )

    def _locate(self, directory: Path) -> tuple[str, bool, str, str]:
        """Work tree, shallow?, prefix of `directory` in it, and the HEAD commit."""
        done = self.git.run(
            directory,
            ["rev-parse", "--show-toplevel", "--is-shallow-repository", "--show-prefix", "HEAD"],
            check=False,
        )
        lines = done.stdout.split("\n")
        if done.returncode != 0:
            if len(lines) >= 3 and lines[0].strip():
                raise HistoryError("no commits yet")
            raise HistoryError(_git_reason(done.stderr))
        if len(lines) < 4:
            raise HistoryError("git rev-parse gave no work tree")
        return lines[0].strip(), lines[1].strip() == "true", lines[2].strip(), lines[3].strip()

    def _tags(self, top: Path) -> list[_Tag]:
        fmt = _FIELD.join(
            [
                "%(refname:strip=2)",
                "%(objecttype)",
                "%(objectname)",
                "%(*objecttype)",
                "%(*objectname)",
                "%(creatordate:unix)",
            ]
        )
        done = self.git.run(top, ["for-each-ref", f"--format={fmt}", "refs/tags"])
        tags: list[_Tag] = []
        for line in done.stdout.splitlines():
            parts = line.split(_FIELD)
            if len(parts) != 6:
                continue
            name, kind, target, peeled_kind, peeled, created = parts
            commit = target if kind == "commit" else (peeled if peeled_kind == "commit" else "")
            if not commit or not created.strip().lstrip("-").isdigit():
                continue
            tags.append(_Tag(name, commit, int(created), parse_release_tag(name)))
        return tags

    def _log(self, top: Path, since: int, head: str, releases: list[_Tag]) -> dict[str, _Commit]:
        revisions = "\n".join([head, *sorted({t.commit for t in releases})]) + "\n"
        fmt = _FIELD.join(["%H", "%P", "%ct", "%aE", "%s"])
        done = self.git.run(
            top,
            ["log", "--stdin", f"--since={_git_date(since)}", f"--format={fmt}", "--no-color"],
            stdin=revisions,
        )
        graph: dict[str, _Commit] = {}
        for line in done.stdout.splitlines():
            parts = line.split(_FIELD, 4)
            if len(parts) != 5 or not parts[2].isdigit():
                continue
            sha, parents, when, author, subject = parts
            graph[sha] = _Commit(tuple(parents.split()), int(when), author.lower(), subject)
        return graph

    def _touched(self, top: Path, since: int, prefix: str) -> set[str]:
        done = self.git.run(
            top,
            [
                "log",
                "HEAD",
                f"--since={_git_date(since)}",
                "--no-merges",
                "--format=%H",
                "--",
                prefix,
            ],
        )
        return {line.strip() for line in done.stdout.splitlines() if line.strip()}


def _git_date(when: int) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M:%S +0000")


def _select_releases(
    tags: list[_Tag], prefix: str, since: int, until: int
) -> tuple[list[_Tag], int, str | None]:
    """Final releases dated in the window (oldest first), pre-release count, tag prefix."""
    candidates = [t for t in tags if t.release is not None]
    tag_prefix = None
    if prefix:
        component = prefix.rstrip("/").rsplit("/", 1)[-1].lower()
        own = [
            t
            for t in candidates
            if t.release is not None and t.release.prefix.lower().rstrip("/_@-v") == component
        ]
        if own:
            candidates = own
            tag_prefix = own[0].release.prefix if own[0].release else None
    in_window = [t for t in candidates if since <= t.time <= until]
    finals = sorted(
        (t for t in in_window if t.release and not t.release.prerelease),
        key=lambda t: (t.time, t.name),
    )
    pre = sum(1 for t in in_window if t.release and t.release.prerelease)
    return finals, pre, tag_prefix


def _ancestors(graph: dict[str, _Commit], start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start] if start in graph else []
    while stack:
        sha = stack.pop()
        if sha in seen:
            continue
        seen.add(sha)
        stack.extend(p for p in graph[sha].parents if p in graph and p not in seen)
    return seen


def _figures(
    display: str,
    top: str,
    since: int,
    until: int,
    prefix: str | None,
    branch: str | None,
    graph: dict[str, _Commit],
    head: str,
    touched: set[str] | None,
    releases: list[_Tag],
    pre_releases: int,
    tag_prefix: str | None,
    notes: list[str],
) -> DeliveryHistory:
    on_head = _ancestors(graph, head)
    counted = [
        sha
        for sha in on_head
        if len(graph[sha].parents) <= 1 and (touched is None or sha in touched)
    ]
    merges = None if prefix else sum(1 for sha in on_head if len(graph[sha].parents) > 1)
    reverts = [
        Revert(sha, graph[sha].subject, graph[sha].time)
        for sha in on_head
        if is_revert(graph[sha].subject)
        and (len(graph[sha].parents) <= 1 or "revert-" in graph[sha].subject.lower())
        and (touched is None or sha in touched)
    ]
    # A merge of a revert-* branch and the revert commit it brings are one revert.
    reverted_by_merge = {
        sha
        for r in reverts
        if len(graph[r.commit].parents) > 1
        for sha in _merged_commits(graph, r.commit)
    }
    reverts = [r for r in reverts if r.commit not in reverted_by_merge]
    claimed: dict[str, _Tag] = {}
    for tag in releases:  # oldest first: each tag claims what no earlier tag contains
        stack = [tag.commit] if tag.commit in graph else []
        while stack:
            sha = stack.pop()
            if sha in claimed:
                continue
            claimed[sha] = tag
            stack.extend(p for p in graph[sha].parents if p in graph and p not in claimed)
    population = {
        sha
        for sha in graph
        if len(graph[sha].parents) <= 1
        and graph[sha].time >= since
        and (touched is None or sha in touched)
    }
    lead_times = sorted(
        max(0, claimed[sha].time - graph[sha].time) for sha in population if sha in claimed
    )
    unreleased = sum(1 for sha in counted if sha not in claimed)
    return DeliveryHistory(
        root=display,
        git_root=top,
        since=since,
        until=until,
        pathspec=prefix,
        branch=branch,
        commits=len(counted),
        merges=merges,
        authors=len({graph[sha].author for sha in counted}),
        releases=tuple(Release(t.name, t.commit, t.time) for t in releases),
        pre_releases=pre_releases,
        tag_prefix=tag_prefix,
        lead_times=tuple(lead_times),
        unreleased=unreleased,
        reverts=tuple(sorted(reverts, key=lambda r: r.time)),
        notes=tuple(notes),
    )


def _merged_commits(graph: dict[str, _Commit], merge: str) -> set[str]:
    """Commits a merge brings in (reachable from its second parent, not from its first)."""
    parents = graph[merge].parents
    if len(parents) < 2:
        return set()
    return _ancestors(graph, parents[1]) - _ancestors(graph, parents[0])
