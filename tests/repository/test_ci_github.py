"""GitHub Actions workflows -> Pipeline facts (triggers, steps, actions, permissions)."""

from __future__ import annotations

from pathlib import Path

from cnmm.facts.ci import (
    BRANCH,
    IMAGE_BUILD,
    MANUAL,
    PROVENANCE,
    PULL_REQUEST,
    PUSH,
    SBOM,
    SCHEDULE,
    SIGNING,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
)
from tests.repository.trees import collect, only

CI = """\
name: CI
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
      - name: Unit tests
        run: |
          echo "running go test"
          go test ./...
      # - run: cosign sign ${{ env.IMAGE }}
      - name: disabled
        if: false
        run: trivy fs .
  image:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
      id-token: write
    steps:
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@0123456789abcdef0123456789abcdef01234567 # v6
        with:
          push: true
          sbom: true
          provenance: mode=max
      - uses: sigstore/cosign-installer@v3
      - run: cosign sign --yes ghcr.io/acme/app@${{ steps.build.outputs.digest }}
"""


def test_workflow_steps_triggers_and_lines(tmp_path: Path) -> None:
    pipeline = only(collect(tmp_path, {".github/workflows/ci.yml": CI}))
    assert pipeline.system == "github-actions"
    assert pipeline.path == str(tmp_path / ".github/workflows/ci.yml")
    assert pipeline.relative_path == ".github/workflows/ci.yml"
    assert pipeline.root == str(tmp_path)
    assert pipeline.name == "CI"
    assert pipeline.triggers == {PULL_REQUEST, PUSH}
    found = {(a.kind, a.tool, a.line, a.job) for a in pipeline.activities}
    assert found == {
        (TEST, "go test", 17, "test"),
        (IMAGE_BUILD, "buildx", 31, "image"),
        (SBOM, "buildx", 31, "image"),
        (PROVENANCE, "buildx", 31, "image"),
        (SIGNING, "cosign", 37, "image"),
    }
    tests = pipeline.of_kind(TEST)
    assert tests[0].triggers == {PULL_REQUEST, PUSH} and tests[0].pre_merge
    signing = pipeline.of_kind(SIGNING)[0]
    assert signing.triggers == {PUSH} and not signing.pre_merge


def test_actions_and_permissions_are_recorded(tmp_path: Path) -> None:
    pipeline = only(collect(tmp_path, {".github/workflows/ci.yml": CI}))
    uses = {a.uses: (a.pinned, a.first_party, a.line) for a in pipeline.actions}
    assert uses == {
        "actions/checkout@v4": (False, True, 12),
        "actions/setup-go@v5": (False, True, 13),
        "docker/setup-buildx-action@v3": (False, False, 30),
        "docker/build-push-action@0123456789abcdef0123456789abcdef01234567": (True, False, 31),
        "sigstore/cosign-installer@v3": (False, False, 36),
    }
    assert pipeline.permissions is not None and pipeline.permissions.grant == "scoped"
    assert pipeline.permissions.writes == ()
    image = next(j for j in pipeline.jobs if j.name == "image")
    assert image.permissions is not None and image.permissions.writes == ("id-token", "packages")


def test_trigger_forms(tmp_path: Path) -> None:
    workflows = {
        ".github/workflows/a.yml": "on: push\njobs: {t: {steps: [{run: pytest}]}}\n",
        ".github/workflows/b.yml": "on: [pull_request, workflow_dispatch]\njobs: {t: {}}\n",
        ".github/workflows/c.yaml": (
            "on:\n  push:\n    tags: ['v*']\n  schedule:\n    - cron: '0 3 * * *'\njobs: {t: {}}\n"
        ),
        ".github/workflows/d.yml": "on:\n  push:\n    branches-ignore: [gh-pages]\njobs: {t: {}}\n",
    }
    found = {p.relative_path: p.triggers for p in collect(tmp_path, workflows).pipelines}
    assert found == {
        ".github/workflows/a.yml": {BRANCH, TAG},
        ".github/workflows/b.yml": {PULL_REQUEST, MANUAL},
        ".github/workflows/c.yaml": {TAG, SCHEDULE},
        ".github/workflows/d.yml": {BRANCH},
    }


def test_reusable_workflow_gets_the_callers_triggers(tmp_path: Path) -> None:
    files = {
        ".github/workflows/ci.yml": (
            "on: [pull_request]\njobs:\n  call:\n    uses: ./.github/workflows/test.yml\n"
        ),
        ".github/workflows/test.yml": (
            "on: workflow_call\njobs:\n  unit:\n    runs-on: x\n    steps:\n      - run: pytest\n"
        ),
    }
    pipelines = {p.relative_path: p for p in collect(tmp_path, files).pipelines}
    called = pipelines[".github/workflows/test.yml"]
    assert called.is_reusable
    assert called.of_kind(TEST)[0].triggers == {PULL_REQUEST}
    assert pipelines[".github/workflows/ci.yml"].jobs[0].calls == ".github/workflows/test.yml"


def test_local_composite_action_is_inlined(tmp_path: Path) -> None:
    files = {
        ".github/workflows/ci.yml": (
            "on: pull_request\njobs:\n  t:\n    steps:\n      - uses: ./.github/actions/scan\n"
        ),
        ".github/actions/scan/action.yml": (
            "name: scan\nruns:\n  using: composite\n  steps:\n"
            "    - uses: aquasecurity/trivy-action@v0.24.0\n"
            "    - run: govulncheck ./...\n      shell: bash\n"
        ),
    }
    pipeline = only(collect(tmp_path, files))
    action_file = str(tmp_path / ".github/actions/scan/action.yml")
    assert {(a.tool, a.path, a.line) for a in pipeline.activities} == {
        ("trivy", action_file, 5),
        ("govulncheck", action_file, 6),
    }
    assert {a.uses for a in pipeline.actions} == {
        "./.github/actions/scan",
        "aquasecurity/trivy-action@v0.24.0",
    }
    assert action_file in pipeline.includes


def test_working_directory_and_makefile(tmp_path: Path) -> None:
    files = {
        ".github/workflows/ci.yml": (
            "on: pull_request\njobs:\n  t:\n    defaults:\n      run:\n"
            "        working-directory: service\n    steps:\n      - run: make check\n"
        ),
        "service/Makefile": "check:\n\tgo test ./...\n",
    }
    pipeline = only(collect(tmp_path, files))
    test = pipeline.of_kind(TEST)[0]
    assert test.via == (f"{tmp_path / 'service/Makefile'}:2",)
    assert test.line == 8


def test_reusable_slsa_generator_and_attestations(tmp_path: Path) -> None:
    files = {
        ".github/workflows/release.yml": (
            "on:\n  push:\n    tags: ['v*']\njobs:\n"
            "  build:\n    steps:\n      - uses: actions/attest-build-provenance@v2\n"
            "      - uses: anchore/sbom-action@v0\n"
            "      - uses: anchore/sbom-action/download-syft@v0\n"
            "  provenance:\n    uses: slsa-framework/slsa-github-generator/.github/workflows/"
            "generator_generic_slsa3.yml@v2.1.0\n"
        )
    }
    pipeline = only(collect(tmp_path, files))
    assert {(a.kind, a.tool) for a in pipeline.activities} == {
        (PROVENANCE, "github-attestation"),
        (SBOM, "syft"),
        (PROVENANCE, "slsa-github-generator"),
    }


def test_codeql_and_trivy_sbom_mode(tmp_path: Path) -> None:
    files = {
        ".github/workflows/scan.yml": (
            "on: [pull_request]\njobs:\n  s:\n    steps:\n"
            "      - uses: github/codeql-action/init@v3\n"
            "      - uses: github/codeql-action/analyze@v3\n"
            "      - uses: github/codeql-action/upload-sarif@v3\n"
            "      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n"
            "          format: cyclonedx\n"
        )
    }
    pipeline = only(collect(tmp_path, files))
    assert sorted((a.kind, a.tool, a.line) for a in pipeline.activities) == [
        (SBOM, "trivy", 8),
        (VULNERABILITY_SCAN, "codeql", 5),
        (VULNERABILITY_SCAN, "codeql", 6),
    ]


def test_workflows_outside_the_root_workflows_folder_are_not_pipelines(tmp_path: Path) -> None:
    files = {
        "templates/.github/workflows/ci.yml": "on: push\njobs: {t: {steps: [{run: pytest}]}}\n",
        ".github/workflows/sub/ci.yml": "on: push\njobs: {t: {steps: [{run: pytest}]}}\n",
        ".github/workflows/README.md": "# workflows\n",
    }
    assert collect(tmp_path, files).pipelines == []


def test_nested_git_repository_workflows_are_read(tmp_path: Path) -> None:
    (tmp_path / "clone" / ".git").mkdir(parents=True)
    files = {"clone/.github/workflows/ci.yml": "on: push\njobs: {t: {steps: [{run: pytest}]}}\n"}
    assert [p.relative_path for p in collect(tmp_path, files).pipelines] == [
        "clone/.github/workflows/ci.yml"
    ]


def test_literal_env_variables_are_expanded_in_run_steps(tmp_path: Path) -> None:
    files = {
        ".github/workflows/ci.yml": (
            "on: pull_request\nenv:\n  CARGO: cargo\njobs:\n  t:\n    env:\n"
            "      RUNNER: ${{ matrix.runner }}\n    steps:\n"
            "      - run: ${{ env.CARGO }} test --workspace\n"
            "      - run: $RUNNER test ./...\n"
            "      - run: $TOOL scan\n        env:\n          TOOL: trivy fs\n"
        )
    }
    pipeline = only(collect(tmp_path, files))
    assert [(a.tool, a.line) for a in pipeline.activities] == [
        ("cargo test", 9),
        ("trivy", 11),
    ]
