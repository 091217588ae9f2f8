"""Command classification: the command word and its arguments decide, never free text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnmm.collect.ci._repo import RepoFiles
from cnmm.collect.ci.commands import Classifier
from cnmm.collect.ci.tools import EPHEMERAL_CLUSTER
from cnmm.facts.ci import (
    DEPLOY,
    IMAGE_BUILD,
    POLICY_TEST,
    PROVENANCE,
    SBOM,
    SIGNING,
    TEST,
    VULNERABILITY_SCAN,
)


def classify(script: str, root: Path | None = None, files: dict[str, str] | None = None) -> set:
    base = root or Path("/nonexistent-cnmm-test-root")
    paths = []
    for name, text in (files or {}).items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(path)
    found = Classifier(RepoFiles(base, paths)).script(script)
    return {(f.kind, f.tool) for f in found}


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("pytest -q", {(TEST, "pytest")}),
        ("python3 -m pytest tests/", {(TEST, "pytest")}),
        ("poetry run pytest", {(TEST, "pytest")}),
        ("uv run --frozen pytest", {(TEST, "pytest")}),
        ("go test -race ./...", {(TEST, "go test")}),
        ("sudo -E env CGO_ENABLED=1 timeout 10m go test ./...", {(TEST, "go test")}),
        ("cargo test --workspace", {(TEST, "cargo test")}),
        ("dotnet test src/", {(TEST, "dotnet test")}),
        ("./mvnw -B verify", {(TEST, "maven")}),
        ("./gradlew check", {(TEST, "gradle")}),
        ("tox -e py312", {(TEST, "tox")}),
        ("nox -s tests", {(TEST, "nox")}),
        ("npx jest --ci", {(TEST, "jest")}),
        ("bundle exec rspec", {(TEST, "rspec")}),
        ("ctest --output-on-failure", {(TEST, "ctest")}),
        ("bazel test //...", {(TEST, "bazel test")}),
        ("bash -c 'cd app && go test ./...'", {(TEST, "go test")}),
        ("python manage.py test", {(TEST, "django")}),
    ],
)
def test_test_commands(script: str, expected: set) -> None:
    assert classify(script) == expected


@pytest.mark.parametrize(
    "script",
    [
        'echo "pytest"',
        "echo go test ./... && printf 'npm test'",
        "# pytest\n# go test ./...",
        "go vet ./... && go build ./...",
        "mvn -DskipTests package",
        "./gradlew build -x test",
        "tox -e lint,typing",
        "pytest --collect-only",
        "pytest --version",
        "test -f go.mod",
        "[ -d tests ] && echo tests",
        "cat <<EOF\npytest\nEOF",
    ],
)
def test_not_tests(script: str) -> None:
    assert classify(script) == set()


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("docker build -t app .", {(IMAGE_BUILD, "docker")}),
        ("docker buildx build --push -t app .", {(IMAGE_BUILD, "buildx")}),
        (
            "docker buildx build --sbom=true --provenance=mode=max -t app .",
            {(IMAGE_BUILD, "buildx"), (SBOM, "buildx"), (PROVENANCE, "buildx")},
        ),
        ("docker buildx build --sbom=false --provenance=false .", {(IMAGE_BUILD, "buildx")}),
        ("podman build -t app .", {(IMAGE_BUILD, "podman")}),
        ("buildah bud -t app .", {(IMAGE_BUILD, "buildah")}),
        ("/kaniko/executor --context . --destination r/app", {(IMAGE_BUILD, "kaniko")}),
        ("ko build ./cmd/app", {(IMAGE_BUILD, "ko")}),
        ("pack build app --builder paketobuildpacks/builder", {(IMAGE_BUILD, "pack")}),
        ("skaffold build", {(IMAGE_BUILD, "skaffold")}),
        ("mvn compile jib:build", {(IMAGE_BUILD, "jib")}),
        ("./gradlew bootBuildImage", {(IMAGE_BUILD, "gradle")}),
        ("trivy image --exit-code 1 app", {(VULNERABILITY_SCAN, "trivy")}),
        ("trivy fs --format cyclonedx -o sbom.json .", {(SBOM, "trivy")}),
        ("grype dir:.", {(VULNERABILITY_SCAN, "grype")}),
        ("snyk test --all-projects", {(VULNERABILITY_SCAN, "snyk")}),
        ("osv-scanner -r .", {(VULNERABILITY_SCAN, "osv-scanner")}),
        (
            "go run golang.org/x/vuln/cmd/govulncheck@latest ./...",
            {(VULNERABILITY_SCAN, "govulncheck")},
        ),
        ("npm audit --audit-level=high", {(VULNERABILITY_SCAN, "npm-audit")}),
        ("pip-audit -r requirements.txt", {(VULNERABILITY_SCAN, "pip-audit")}),
        (
            "docker run --rm -v $PWD:/src aquasec/trivy:0.50.0 fs /src",
            {(VULNERABILITY_SCAN, "trivy")},
        ),
        ("syft app:latest -o spdx-json", {(SBOM, "syft")}),
        ("cyclonedx-gomod app -json -output sbom.json", {(SBOM, "cyclonedx")}),
        ("cosign sign --yes r/app@sha256:abc", {(SIGNING, "cosign")}),
        (
            "cosign attest --type slsaprovenance --predicate p.json r/app",
            {(SIGNING, "cosign"), (PROVENANCE, "cosign")},
        ),
        ("notation sign r/app@sha256:abc", {(SIGNING, "notation")}),
        ("kubectl apply -k deploy/overlays/prod", {(DEPLOY, "kubectl")}),
        ("kustomize build overlays/prod | kubectl apply -f -", {(DEPLOY, "kubectl")}),
        ("helm upgrade --install app ./chart -n prod", {(DEPLOY, "helm")}),
        ("argocd app sync payments", {(DEPLOY, "argocd")}),
        ("flux reconcile kustomization apps --with-source", {(DEPLOY, "flux")}),
        ("opa test policy/ -v", {(POLICY_TEST, "opa")}),
        ("conftest verify --policy policy/", {(POLICY_TEST, "conftest")}),
        ("kyverno test .", {(POLICY_TEST, "kyverno")}),
        ("gator verify suites/", {(POLICY_TEST, "gatekeeper")}),
        ("kind create cluster --name e2e", {(EPHEMERAL_CLUSTER, "kind")}),
    ],
)
def test_supply_chain_and_deploy_commands(script: str, expected: set) -> None:
    assert classify(script) == expected


@pytest.mark.parametrize(
    "script",
    [
        "cosign version",
        "cosign verify --key k r/app",
        "echo cosign sign r/app",
        "kubectl apply --dry-run=client -f deploy/",
        "kubectl get pods && kubectl kustomize overlays/prod",
        "helm template app ./chart | kubeconform",
        "helm upgrade --install app ./chart --dry-run",
        "helm lint ./chart",
        "trivy --version",
        "ls codeql/ && cat trivy.yaml",
        "syft version",
        "docker push r/app:1.0",
        "grype db update",
    ],
)
def test_not_supply_chain_or_deploys(script: str) -> None:
    assert classify(script) == set()


def test_make_targets_are_followed_into_the_makefile(tmp_path: Path) -> None:
    makefile = (
        "IMG ?= app:dev\nCONTAINER_TOOL ?= docker\nGOTEST = go test\n"
        ".PHONY: test docker-build\n"
        "test: fmt ## run tests\n\t$(GOTEST) ./... -coverprofile cover.out\n"
        "fmt:\n\tgo fmt ./...\n"
        "docker-build:\n\t$(CONTAINER_TOOL) build -t ${IMG} .\n"
        "lint:\n\t@echo go test is not run here\n"
    )
    files = {"Makefile": makefile}
    assert classify("make test", tmp_path, files) == {(TEST, "go test")}
    assert classify("make docker-build IMG=x", tmp_path, files) == {(IMAGE_BUILD, "docker")}
    assert classify("make lint", tmp_path, files) == set()
    assert classify("make -n test", tmp_path, files) == set()
    found = Classifier(RepoFiles(tmp_path, [tmp_path / "Makefile"])).script("make test")
    assert found[0].via == (f"{tmp_path / 'Makefile'}:6",)


def test_make_pattern_rules_and_subdirectories(tmp_path: Path) -> None:
    files = {
        "Makefile": "ARCHS = amd64 arm64\ndocker-build: $(addprefix docker-build-,$(ARCHS))\n"
        "docker-build-%:\n\tdocker build --build-arg ARCH=$* .\n",
        "web/Makefile": "check:\n\tnpm test\n",
        "web/package.json": '{"scripts": {"test": "vitest run"}}',
    }
    assert classify("make docker-build", tmp_path, files) == {(IMAGE_BUILD, "docker")}
    assert classify("make -C web check", tmp_path, files) == {(TEST, "vitest")}
    assert classify("cd web && make check", tmp_path, files) == {(TEST, "vitest")}


def test_make_without_a_makefile_trusts_only_test_named_targets() -> None:
    assert classify("make test") == {(TEST, "make test")}
    assert classify("make unit-test") == {(TEST, "make test")}
    assert classify("make docker-build") == set()


def test_npm_placeholder_test_script_is_not_a_test(tmp_path: Path) -> None:
    placeholder = '{"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}'
    assert classify("npm test", tmp_path, {"package.json": placeholder}) == set()


def test_npm_scripts_are_followed(tmp_path: Path) -> None:
    package = (
        '{"scripts": {"test": "node scripts/run-tests.js", "test:e2e": "playwright test",'
        ' "build": "tsc", "sbom": "cyclonedx-npm --output-file sbom.json"}}'
    )
    files = {"package.json": package}
    assert classify("npm test", tmp_path, files) == {(TEST, "npm test")}
    assert classify("yarn test:e2e", tmp_path, files) == {(TEST, "playwright")}
    assert classify("pnpm run build", tmp_path, files) == set()
    assert classify("npm run sbom", tmp_path, files) == {(SBOM, "cyclonedx")}
    assert classify("npm ci && npm run missing", tmp_path, files) == set()


def test_local_scripts_are_followed_but_other_interpreters_are_not(tmp_path: Path) -> None:
    files = {
        "hack/test.sh": "#!/usr/bin/env bash\nset -e\n# cosign sign is not run\ngo test ./...\n",
        "hack/release.py": "#!/usr/bin/env python3\nimport os\nos.system('cosign sign x')\n",
        "hack/loop.sh": "#!/bin/sh\n./hack/loop.sh\n",
    }
    assert classify("./hack/test.sh", tmp_path, files) == {(TEST, "go test")}
    assert classify("bash hack/test.sh", tmp_path, files) == {(TEST, "go test")}
    assert classify("./hack/release.py", tmp_path, files) == set()
    assert classify("./hack/loop.sh", tmp_path, files) == set()  # a cycle ends


def test_goreleaser_reads_its_configuration(tmp_path: Path) -> None:
    config = (
        "builds:\n  - main: ./cmd/app\n"
        "dockers:\n  - image_templates: ['r/app:{{ .Tag }}']\n"
        "sboms:\n  - artifacts: archive\n"
        "signs:\n  - cmd: cosign\n    artifacts: checksum\n"
    )
    files = {".goreleaser.yaml": config}
    assert classify("goreleaser release --clean", tmp_path, files) == {
        (IMAGE_BUILD, "goreleaser"),
        (SBOM, "goreleaser"),
        (SIGNING, "cosign"),
    }
    assert classify("goreleaser release --skip=sign,sbom", tmp_path, files) == {
        (IMAGE_BUILD, "goreleaser")
    }
    assert classify("goreleaser check", tmp_path, files) == set()
    assert classify("goreleaser build --snapshot", tmp_path, files) == set()


def test_goreleaser_gpg_signing_and_binaries_only(tmp_path: Path) -> None:
    config = "builds:\n  - main: .\nsigns:\n  - artifacts: checksum\n"
    assert classify("goreleaser release", tmp_path, {"goreleaser.yml": config}) == set()


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("nyc --reporter=lcov --exclude examples mocha test/", {(TEST, "mocha")}),
        ("c8 --all node --test", {(TEST, "node --test")}),
        ("python testdata/pymod/pya_tests.py", {(TEST, "python")}),
        ("python tools/build_wheel.py", set()),
        ("uv run -m pytest", {(TEST, "pytest")}),
        ("coverage run -m pytest && coverage xml", {(TEST, "pytest")}),
        ("tox -e ci-py$(echo 3.12 | tr -d .)", {(TEST, "tox")}),
        ("nox -s update_pins", set()),
        ("xvfb-run -a npm test", {(TEST, "npm test")}),
        ("docker compose run --rm app pytest", {(TEST, "pytest")}),
        ("docker compose build", {(IMAGE_BUILD, "docker")}),
    ],
)
def test_wrappers(script: str, expected: set) -> None:
    assert classify(script) == expected
