"""Benchmark of the repository collector (not a test): a generated git repository with 5,000
files and 10,000 commits. Reports the wall time of `collect_repository`, the share spent
reading delivery history, and the number of git processes started; then the wall time of a
whole `cnmm scan --format json` of the same directory (child process). Usage:

    python benchmarks/bench_repository.py [--files 5000] [--commits 10000] [--since 2y]
                                          [--keep DIR]

The repository is built with one `git fast-import` (commits one hour apart, ending an hour
ago; an annotated release tag every 100 commits, a revert every 250, a merge of a side
branch every 50), then checked out. Its files mix Dockerfiles, Terraform, YAML (some of it
Kyverno policies), decision records and source files in 250 directories.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cnmm.collect.repository import collect_repository  # noqa: E402
from cnmm.collect.repository.history import GitRunner  # noqa: E402

ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


def file_content(number: int) -> tuple[str, str]:
    """(path, text) of generated file `number`: a realistic mixture of kinds."""
    directory = f"services/svc{number % 250:03d}"
    kind = number % 50
    if kind == 0:
        return f"{directory}/image{number}/Dockerfile", (
            "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\n"
        )
    if kind in (1, 2):
        return f"{directory}/infra/main{number}.tf", (
            f'module "m{number}" {{\n  source  = "acme/m{number}/aws"\n'
            f'  version = "1.{number}"\n}}\n'
            f'resource "aws_s3_bucket" "b{number}" {{\n  bucket = "b{number}"\n}}\n'
        )
    if kind == 3:
        return f"{directory}/policy/p{number}.yaml", (
            f"apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p{number}\n"
        )
    if kind in (4, 5, 6, 7):
        return f"{directory}/deploy/d{number}.yaml", (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
            f"  name: d{number}\nspec:\n  template:\n    spec:\n      containers:\n"
            f"        - name: app\n          image: acme/app:{number}\n"
        )
    if kind == 8:
        return f"docs/adr/{number:04d}-decision.md", f"# Decision {number}\n"
    return f"{directory}/src/file{number}.go", f"package svc\n\n// file {number}\n"


def comment(relative: str) -> str:
    """The line-comment marker of a generated file's language."""
    return "//" if relative.endswith(".go") else "#"


def generate(path: Path, files: int, commits: int) -> None:
    """Build the repository with one fast-import stream, then check it out."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=ENV)
    end = int(datetime.now(UTC).timestamp()) - 3600
    start = end - commits * 3600
    paths = [file_content(n) for n in range(files)]
    out: list[str] = []

    def data(text: str) -> None:
        raw = text.encode()
        out.append(f"data {len(raw)}")
        out.append(text)

    def header(mark: int, when: int, branch: str = "main") -> None:
        out.extend(
            [
                f"commit refs/heads/{branch}",
                f"mark :{mark}",
                f"author Dev {mark % 7} <dev{mark % 7}@example.com> {when} +0000",
                f"committer Dev {mark % 7} <dev{mark % 7}@example.com> {when} +0000",
            ]
        )

    header(1, start)
    data("initial import")
    for relative, text in paths:
        out.append(f"M 644 inline {relative}")
        data(text)
    side = 0
    for number in range(2, commits + 1):
        when = start + number * 3600
        if number % 50 == 0:  # a merge of a one-commit side branch
            side += 1
            header(1_000_000 + side, when - 1800, branch=f"side{side}")
            data(f"side work {side}")
            out.append(f"from :{number - 1}")
            relative, text = paths[(number * 7) % len(paths)]
            out.append(f"M 644 inline {relative}")
            data(f"{text}{comment(relative)} side {side}\n")
            header(number, when)
            data(f"Merge branch 'side{side}'")
            out.append(f"from :{number - 1}")
            out.append(f"merge :{1_000_000 + side}")
        else:
            header(number, when)
            subject = f'Revert "change {number - 1}"' if number % 250 == 7 else f"change {number}"
            data(subject)
            out.append(f"from :{number - 1}")
            relative, _ = paths[number % len(paths)]
            out.append(f"M 644 inline {relative}")
            data(f"{paths[number % len(paths)][1]}{comment(relative)} edit {number}\n")
        if number % 100 == 0:
            out.extend(
                [
                    f"tag v1.{number // 100}.0",
                    f"from :{number}",
                    f"tagger Dev <dev@example.com> {when + 1800} +0000",
                ]
            )
            data(f"release {number // 100}")
    stream = "\n".join(out) + "\n"
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=path, input=stream.encode(), check=True, env=ENV
    )
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True, env=ENV)
    for branch in range(1, side + 1):
        subprocess.run(
            ["git", "branch", "-q", "-D", f"side{branch}"], cwd=path, check=True, env=ENV
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=10000)
    parser.add_argument("--since", default="2y", help="history window (default: all of it)")
    parser.add_argument("--keep", help="build the repository here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(args.keep) if args.keep else Path(scratch) / "repo"
        if not (path / ".git").exists():
            started = time.perf_counter()
            generate(path, args.files, args.commits)
            print(f"generated in {time.perf_counter() - started:.1f} s: {path}")
        git = GitRunner()
        started = time.perf_counter()
        collection = collect_repository([path], args.since, git=git)
        wall = time.perf_counter() - started
        [history] = collection.facts.delivery
        print(f"files walked: {collection.facts.roots[0].files}")
        print(
            f"commits in window: {history.commits} (+{history.merges} merges), "
            f"releases: {len(history.releases)}, reverts: {len(history.reverts)}, "
            f"released commits: {len(history.lead_times)}"
        )
        print(f"collect_repository wall: {wall:.2f} s")
        print(
            f"history: {collection.history_seconds:.2f} s "
            f"({collection.history_seconds / wall:.0%} of wall; "
            f"git processes {collection.git_seconds:.2f} s)"
        )
        print(f"git processes started: {collection.git_processes}")
        command = [
            sys.executable,
            "-m",
            "cnmm",
            "scan",
            str(path),
            "--format",
            "json",
            "--since",
            args.since,
        ]
        started = time.perf_counter()
        done = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        print(
            f"cnmm scan --format json wall: {time.perf_counter() - started:.2f} s "
            f"(exit {done.returncode})"
        )


if __name__ == "__main__":
    main()
