"""Bad pipeline files: one error each (path + reason), and every other pipeline still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.repository.trees import collect

GOOD = "on: pull_request\njobs:\n  t:\n    steps:\n      - run: go test ./...\n"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (".github/workflows/broken.yml", "on: push\njobs:\n  t: [\n", "invalid YAML"),
        (".github/workflows/tabs.yml", "on: push\njobs:\n\tt: {}\n", "invalid YAML"),
        (".github/workflows/list.yml", "- just\n- a list\n", "unknown syntax (no `jobs:`"),
        (".github/workflows/nojobs.yml", "on: push\nsteps: [1]\n", "unknown syntax (no `jobs:`"),
        (".github/workflows/binary.yml", b"on: push\x00\x01\x02", "binary file"),
        (".github/workflows/latin1.yml", "on: push # caf\xe9\n".encode("latin-1"), "invalid UTF-8"),
        (
            ".github/workflows/bomb.yml",
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
                for i in range(8)
            )
            + "jobs: *i\n",
            "alias bomb",
        ),
        (  # whatever libyaml build is installed, as for manifests
            ".github/workflows/deep.yml",
            "on: push\njobs: " + "[" * 100_000 + "]" * 100_000 + "\n",
            "nesting deeper than 500 levels",
        ),
        (".gitlab-ci.yml", "- not\n- a mapping\n", "unknown syntax"),
        (".gitlab-ci.yml", "test:\n  script: [\n", "invalid YAML"),
        ("Jenkinsfile", "pipeline {\n  stages { sh '''never closed\n}\n", "unterminated"),
        ("Jenkinsfile", "/* never closed\npipeline {}\n", "unterminated /* comment"),
        ("azure-pipelines.yml", "just: a mapping\n", "unknown syntax"),
        (".circleci/config.yml", "version: 2.1\norbs: {}\n", "unknown syntax"),
        ("cloudbuild.yaml", "timeout: 60s\n", "unknown syntax (no `steps:`"),
    ],
)
def test_bad_file_is_one_error_and_the_rest_is_read(
    tmp_path: Path, name: str, content: str | bytes, reason: str
) -> None:
    collection = collect(tmp_path, {name: content, ".github/workflows/good.yml": GOOD})
    assert [(e.path, reason in e.reason) for e in collection.errors] == [
        (str(tmp_path / name), True)
    ], collection.errors
    assert [p.relative_path for p in collection.pipelines] == [".github/workflows/good.yml"]
    assert collection.pipelines[0].activities


def test_error_names_the_line(tmp_path: Path) -> None:
    collection = collect(tmp_path, {".github/workflows/x.yml": "on: push\njobs:\n  t: [\n"})
    assert "(line " in collection.errors[0].reason
    assert collection.errors[0].reason.startswith("GitHub Actions workflow: invalid YAML")


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    big = GOOD + "#" + "x" * 5000 + "\n"
    collection = collect(
        tmp_path,
        {".github/workflows/big.yml": big, ".gitlab-ci.yml": "t:\n  script: [pytest]\n"},
        max_file_size=2000,
    )
    assert len(collection.errors) == 1 and "file too large" in collection.errors[0].reason
    assert [p.system for p in collection.pipelines] == ["gitlab-ci"]


def test_huge_but_valid_workflow_is_read(tmp_path: Path) -> None:
    steps = "".join(f"      - run: echo step {i}\n" for i in range(20000))
    text = "on: pull_request\njobs:\n  t:\n    steps:\n" + steps + "      - run: pytest\n"
    pipeline = collect(tmp_path, {".github/workflows/huge.yml": text}).pipelines[0]
    assert [(a.tool, a.line) for a in pipeline.activities] == [("pytest", 20005)]


def test_broken_tekton_yaml_is_left_to_the_manifest_reader(tmp_path: Path) -> None:
    broken = "apiVersion: tekton.dev/v1\nkind: Task\nspec: [\n"
    collection = collect(tmp_path, {"ci/task.yaml": broken})
    assert collection.errors == [] and collection.pipelines == []


def test_missing_referenced_files_are_unresolved_not_errors(tmp_path: Path) -> None:
    files = {
        ".gitlab-ci.yml": "include:\n  - local: ci/missing.yml\n  - remote: https://x/y.yml\n"
        "t:\n  script: [make test]\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n"
        "    uses: ./.github/workflows/gone.yml\n"
        "  b:\n    steps:\n      - uses: ./.github/actions/gone\n",
    }
    collection = collect(tmp_path, files)
    assert collection.errors == []
    unresolved = {p.system: set(p.unresolved) for p in collection.pipelines}
    assert unresolved == {
        "gitlab-ci": {"include ci/missing.yml (not found)", "remote include https://x/y.yml"},
        "github-actions": {
            "reusable workflow ./.github/workflows/gone.yml (not found)",
            "local action ./.github/actions/gone (no action.yml)",
        },
    }
