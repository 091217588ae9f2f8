"""File classification: names, places and top-level YAML keys (no keyword guessing)."""

from __future__ import annotations

import pytest

from cnmm.collect.repository.detect import (
    document_practice,
    iac_tool,
    is_dockerfile,
    policy_tool,
    renovate_in_package_json,
    root_practice,
    yaml_documents,
)
from cnmm.rules.repository._secrets import secret_name, secret_reason


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", True),
        ("dockerfile", True),
        ("Containerfile", True),
        ("Dockerfile.dev", True),
        ("Dockerfile-alpine", True),
        ("api.Dockerfile", True),
        ("build.containerfile", True),
        ("Dockerfile.j2", False),
        ("Dockerfile.tmpl", False),
        ("Dockerfile.dockerignore", False),
        ("Dockerfile.md", False),
        (".dockerignore", False),
        ("dockerfile_test.go", False),
        ("Dockerfiles", False),
    ],
)
def test_dockerfile_names(name: str, expected: bool) -> None:
    assert is_dockerfile(name) is expected


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (".github/dependabot.yml", ("dependency-updates", "dependabot")),
        ("renovate.json", ("dependency-updates", "renovate")),
        (".renovaterc", ("dependency-updates", "renovate")),
        (".gitlab/renovate.json5", ("dependency-updates", "renovate")),
        ("sub/.github/dependabot.yml", None),
        ("CODEOWNERS", ("codeowners", "github")),
        ("docs/CODEOWNERS", ("codeowners", "github")),
        (".gitlab/CODEOWNERS", ("codeowners", "gitlab")),
        ("OWNERS", ("codeowners", "prow")),
        ("pkg/OWNERS", None),
        ("SECURITY.md", ("security-policy", "security-md")),
        ("docs/security.rst", ("security-policy", "security-md")),
        ("src/security.md", None),
        ("CONTRIBUTING", ("contributing", "contributing")),
        (".github/CONTRIBUTING.md", ("contributing", "contributing")),
        (".pre-commit-config.yaml", ("pre-commit", "pre-commit")),
        (".pre-commit-hooks.yaml", None),
        (".husky/pre-commit", ("pre-commit", "husky")),
        (".husky/_/husky.sh", None),
        ("lefthook.yml", ("pre-commit", "lefthook")),
    ],
)
def test_root_practices(relative: str, expected: tuple[str, str] | None) -> None:
    found = root_practice(relative)
    assert (None if found is None else (found.practice, found.tool)) == expected


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("docs/adr/0001-use-postgres.md", ("decision-records", "adr")),
        ("doc/architecture/decisions/0002-x.md", ("decision-records", "adr")),
        ("ADR-0003-queues.md", ("decision-records", "adr")),
        (".adr-dir", ("decision-records", "adr")),
        ("design/multi-tenancy.md", ("decision-records", "design-docs")),
        ("keps/sig-x/1234/README.md", ("decision-records", "design-docs")),
        ("ARCHITECTURE.md", ("decision-records", "design-docs")),
        ("docs/src/architecture.md", None),  # product documentation, not a design record
        ("adr/diagram.png", None),
        ("docs/runbooks/db.md", ("runbooks", "runbook")),
        ("ops/failover-runbook.md", ("runbooks", "runbook")),
        ("playbooks/site.yml", None),
        ("docs/operations.md", None),
    ],
)
def test_document_practices(relative: str, expected: tuple[str, str] | None) -> None:
    assert document_practice(relative) == expected


def test_yaml_documents_read_top_level_keys_only() -> None:
    text = (
        "# apiVersion: kyverno.io/v1\n"
        'apiVersion: "kyverno.io/v1"  # the real one\n'
        "kind: ClusterPolicy\n"
        "spec:\n  kind: NotTopLevel\n"
        "---\n"
        "metadata:\n  name: no-kind\n"
        "--- # third\n"
        "{{- if .Values.x }}\n"
        "apiVersion: policies.kubewarden.io/v1\n"
        "kind: ClusterAdmissionPolicy\n"
    )
    documents = list(yaml_documents(text))
    assert [(d.api_version, d.kind, d.line) for d in documents] == [
        ("kyverno.io/v1", "ClusterPolicy", 1),
        ("policies.kubewarden.io/v1", "ClusterAdmissionPolicy", 10),
    ]


@pytest.mark.parametrize(
    ("api_version", "kind", "expected"),
    [
        ("kyverno.io/v1", "ClusterPolicy", ("kyverno", False)),
        ("policies.kyverno.io/v1alpha1", "ValidatingPolicy", ("kyverno", False)),
        ("kyverno.io/v2", "PolicyException", None),
        ("cli.kyverno.io/v1alpha1", "Test", ("kyverno", True)),
        ("templates.gatekeeper.sh/v1", "ConstraintTemplate", ("gatekeeper", False)),
        ("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", ("gatekeeper", False)),
        ("test.gatekeeper.sh/v1alpha1", "Suite", ("gatekeeper", True)),
        ("config.gatekeeper.sh/v1alpha1", "Config", None),
        (
            "admissionregistration.k8s.io/v1",
            "ValidatingAdmissionPolicyBinding",
            ("validating-admission-policy", False),
        ),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", None),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition", None),
    ],
)
def test_policy_objects(api_version: str, kind: str, expected: tuple[str, bool] | None) -> None:
    [document] = yaml_documents(f"apiVersion: {api_version}\nkind: {kind}\n")
    assert policy_tool(document) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\n", "crossplane"),
        ("apiVersion: s3.aws.upbound.io/v1beta1\nkind: Bucket\n", "crossplane"),
        ("apiVersion: pkg.crossplane.io/v1\nkind: Provider\n", "crossplane"),
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", "cloudformation"),
        ("Transform: AWS::Serverless-2016-10-31\nResources: {}\n", "cloudformation"),
        ("apiVersion: apps/v1\nkind: Deployment\n", None),
    ],
)
def test_iac_objects(text: str, expected: str | None) -> None:
    [document] = yaml_documents(text)
    assert iac_tool(document) == expected


def test_renovate_key_in_package_json() -> None:
    assert renovate_in_package_json('{"renovate": {"extends": ["config:base"]}}')
    assert not renovate_in_package_json('{"devDependencies": {"renovate": "37.0.0"}}')
    assert not renovate_in_package_json("{broken")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DB_PASSWORD", True),
        ("npmToken", True),
        ("API_KEY", True),
        ("apiKey", True),
        ("SECRET_KEY", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("SSH_PRIVATE_KEY", True),
        ("DB_PASS", True),
        ("GPG_KEY", False),
        ("PUBLIC_KEY", False),
        ("PASSWORD_FILE", False),
        ("TOKEN_URL", False),
        ("AWS_ACCESS_KEY_ID", False),
        ("TOKENIZERS_PARALLELISM", False),
        ("PASSTHROUGH", False),
        ("PWD", False),
        ("NODE_KEY", False),
    ],
)
def test_secret_names(name: str, expected: bool) -> None:
    assert secret_name(name) is expected


def test_secret_values() -> None:
    assert secret_reason("DB_PASSWORD", "hunter2")
    assert secret_reason("DB_PASSWORD", "${DB_PASSWORD}") is None
    assert secret_reason("DB_PASSWORD", "") is None
    assert secret_reason("DB_PASSWORD", None) is None
    assert secret_reason("HARMLESS", "AKIAABCDEFGHIJKLMNOP")  # credential-shaped value
