"""`inventory.ci` end to end: what `cnmm scan --format json` reports about CI, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

from cnmm.collect.ci import ci_inventory
from cnmm.scan import ScanRequest, run_scan
from tests.conftest import run_cnmm
from tests.repository.trees import write

EMPTY = {
    "systems": [],
    "pipelines": 0,
    "runs_tests": False,
    "test_tools": [],
    "tests_on_pull_request": False,
    "builds_images": False,
    "scans_vulnerabilities": [],
    "generates_sbom": False,
    "signs_images": False,
    "provenance": False,
    "deploys": False,
    "evidence": {
        "systems": {},
        "runs_tests": [],
        "tests_on_pull_request": [],
        "builds_images": [],
        "scans_vulnerabilities": {},
        "generates_sbom": [],
        "signs_images": [],
        "provenance": [],
        "deploys": [],
    },
}


def test_zero_value_without_pipelines() -> None:
    assert ci_inventory([]) == EMPTY


RELEASE = """\
on:
  push:
    tags: ['v*']
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions: {contents: write, packages: write, id-token: write}
    steps:
      - uses: actions/checkout@v4
      - uses: sigstore/cosign-installer@v3
      - uses: goreleaser/goreleaser-action@v6
        with:
          args: release --clean
      - uses: actions/attest-build-provenance@v2
        with:
          subject-path: dist/*
"""
GORELEASER = """\
version: 2
builds:
  - main: ./cmd/app
kos:
  - repository: ghcr.io/acme/app
sboms:
  - artifacts: archive
docker_signs:
  - artifacts: manifests
"""
GITLAB = """\
test:
  script:
    - go test ./...
scan:
  script:
    - grype dir:. --fail-on high
    - govulncheck ./...
deploy:
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - kubectl apply -k deploy/prod
"""


def test_inventory_of_a_repository_with_several_systems(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".github/workflows/release.yml": RELEASE,
            ".goreleaser.yaml": GORELEASER,
            ".gitlab-ci.yml": GITLAB,
            "main.go": "package main\n",
        },
    )
    result = run_scan(ScanRequest(paths=(str(tmp_path),)))
    ci = result.to_json()["inventory"]["ci"]
    release = str(tmp_path / ".github/workflows/release.yml")
    goreleaser = str(tmp_path / ".goreleaser.yaml")
    gitlab = str(tmp_path / ".gitlab-ci.yml")
    assert {k: v for k, v in ci.items() if k != "evidence"} == {
        "systems": ["github-actions", "gitlab-ci"],
        "pipelines": 2,
        "runs_tests": True,
        "test_tools": ["go test"],
        "tests_on_pull_request": True,
        "builds_images": True,
        "scans_vulnerabilities": ["govulncheck", "grype"],
        "generates_sbom": True,
        "signs_images": True,
        "provenance": True,
        "deploys": True,
    }
    assert ci["evidence"] == {
        "systems": {"github-actions": [release], "gitlab-ci": [gitlab]},
        "runs_tests": [gitlab],
        "tests_on_pull_request": [gitlab],
        "builds_images": [release, goreleaser],
        "scans_vulnerabilities": {"govulncheck": [gitlab], "grype": [gitlab]},
        "generates_sbom": [release, goreleaser],
        "signs_images": [release, goreleaser],
        "provenance": [release],
        "deploys": [gitlab],
    }


NOT_EVIDENCE = {
    # An SPDX licence header is not an SBOM.
    "main.go": "// SPDX-License-Identifier: Apache-2.0\npackage main\n",
    "sbom/README.md": "SPDX and CycloneDX documents will be published here.\n",
    # A folder named codeql is not CodeQL scanning.
    "codeql/queries.ql": "import go\nselect 1\n",
    ".github/codeql/codeql-config.yml": "name: config\npaths: [src]\n",
    ".github/workflows/ci.yml": """\
on: [pull_request]
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      # A comment that mentions cosign is not signing:
      # cosign sign --yes ghcr.io/acme/app
      - uses: actions/checkout@v4
      # A commented-out step does not run:
      # - run: go test ./...
      # - uses: aquasecurity/trivy-action@master
      - run: |
          echo "pytest"
          echo "syft packages . && cosign sign && kubectl apply -f deploy/"
          ls codeql/ sbom/
          cat <<EOF > NOTES
          trivy image app
          EOF
          go build ./...
      - name: disabled test
        if: ${{ false }}
        run: go test ./...
""",
}


def test_no_keyword_guessing_through_the_cli(tmp_path: Path) -> None:
    write(tmp_path, NOT_EVIDENCE)
    completed = run_cnmm("scan", str(tmp_path), "--format", "json")
    assert completed.returncode in (0, 1), completed.stderr
    ci = json.loads(completed.stdout)["inventory"]["ci"]
    assert ci["systems"] == ["github-actions"]
    assert ci["pipelines"] == 1
    for fact in ("runs_tests", "builds_images", "generates_sbom", "signs_images", "provenance",
                 "deploys"):  # fmt: skip
        assert ci[fact] is False, fact
    assert ci["scans_vulnerabilities"] == []
