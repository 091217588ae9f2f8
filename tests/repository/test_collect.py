"""collect_repository end to end on real trees: one walk, file classes, errors, inventory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cnmm.collect.files import WalkOptions
from cnmm.collect.repository import collect_repository, repository_inventory
from tests.conftest import run_cnmm
from tests.repository.gitrepo import GitRepo, at
from tests.repository.trees import write

KYVERNO_TEMPLATE = """{{- if .Values.policies.enabled }}
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: {{ .Release.Name }}-require-labels
spec:
  rules: []
{{- end }}
---
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredlabels
"""

TREE: dict[str, str | bytes] = {
    "Dockerfile": "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20\nUSER 1000\n",
    "deploy/api.Dockerfile": 'FROM node:20\nCMD ["node"]\n',
    "deploy/Containerfile": "FROM registry.example.com/base@sha256:abc\n",
    "deploy/Dockerfile.j2": "FROM {{ base_image }}\n",  # a template, not a Dockerfile
    "node_modules/pkg/Dockerfile": "FROM busybox\n",  # skipped tree
    "broken/Dockerfile": b"FROM alpine\x00\x01\x02binary",
    "infra/main.tf": 'terraform {\n  backend "s3" {}\n}\nprovider "aws" {}\n'
    'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
    "infra/bad.tf": b"resource \xff\xfe {}\n",
    "infra/.terraform/modules/vpc/main.tf": 'module "x" { source = "a/b/c" }\n',
    "chart/templates/policy.yaml": KYVERNO_TEMPLATE,
    "docs/mentions.yaml": "# we use kyverno.io and crossplane.io\nname: notes\n",
    "policy/main.rego": "package main\n",
    "policy/main_test.rego": "package main\n",
    "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
    "  name: shop\n",
    ".github/dependabot.yml": "version: 2\n",
    "services/api/.github/dependabot.yml": "version: 2\n",  # not where Dependabot reads it
    "CODEOWNERS": "* @acme/shop\n",
    "docs/adr/0001-use-postgres.md": "# Use Postgres\n",
    "ignored/Dockerfile": "FROM alpine\n",
    ".cnmmignore": "ignored/\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write(tmp_path / "shop", TREE)


def test_collects_every_kind_of_evidence(tree: Path) -> None:
    collection = collect_repository([tree], None)
    facts = collection.facts
    root = str(tree)

    assert sorted(Path(d.path).relative_to(tree).as_posix() for d in facts.dockerfiles) == [
        "Dockerfile",
        "deploy/Containerfile",
        "deploy/api.Dockerfile",
    ]
    assert sorted((e.path.removeprefix(root + "/"), e.reason) for e in collection.errors) == [
        ("broken/Dockerfile", "binary file (contains NUL bytes), not YAML/JSON"),
        ("infra/bad.tf", "invalid UTF-8 (byte offset 9)"),
    ]
    assert [m.source for m in facts.terraform.modules] == ["terraform-aws-modules/vpc/aws"]
    tools = sorted((p.tool, Path(p.path).name, p.test) for p in facts.policy_files)
    assert tools == [
        ("gatekeeper", "policy.yaml", False),
        ("kyverno", "policy.yaml", False),
        ("rego", "main.rego", False),
        ("rego", "main_test.rego", True),
    ]
    practices = sorted((p.practice, p.path.removeprefix(root + "/")) for p in facts.practices)
    assert practices == [
        ("codeowners", "CODEOWNERS"),
        ("decision-records", "docs/adr/0001-use-postgres.md"),
        ("dependency-updates", ".github/dependabot.yml"),
        ("service-catalog", "catalog-info.yaml"),
    ]
    assert [r.path for r in facts.roots] == [root]
    # node_modules/, .terraform/, the .cnmmignore'd directory and .cnmmignore itself: not walked
    assert facts.roots[0].files == 16


def test_inventory_shape_and_evidence_paths(tree: Path) -> None:
    inventory = repository_inventory(collect_repository([tree], None).facts)
    root = str(tree)

    assert set(inventory) >= {
        "ci",
        "dockerfiles",
        "terraform",
        "iac",
        "policy_as_code",
        "dependency_updates",
        "backstage_catalog",
        "practices",
        "delivery",
    }
    first = next(d for d in inventory["dockerfiles"] if d["path"] == f"{root}/Dockerfile")
    assert first["final_user_non_root"] is True
    assert first["base_pinned_by_digest"] is False
    assert first["multi_stage"] is True
    pinned = next(d for d in inventory["dockerfiles"] if d["path"].endswith("Containerfile"))
    assert pinned["base_pinned_by_digest"] is True
    assert pinned["final_user_non_root"] is False
    assert inventory["terraform"]["present"] is True
    assert inventory["terraform"]["paths"] == [f"{root}/infra/main.tf"]
    assert inventory["terraform"]["modules"]["unpinned"][0]["path"] == f"{root}/infra/main.tf"
    assert inventory["terraform"]["remote_state"] is True
    assert inventory["policy_as_code"] == ["gatekeeper", "kyverno", "rego"]
    assert inventory["dependency_updates"] == "dependabot"
    assert inventory["backstage_catalog"] == [f"{root}/catalog-info.yaml"]
    assert inventory["practices"]["codeowners"] == [f"{root}/CODEOWNERS"]
    assert inventory["iac"]["tools"] == ["terraform"]
    assert inventory["delivery"]["bands_source"]["year"] == 2023
    json.dumps(inventory)  # JSON-ready


def test_keywords_alone_are_not_evidence(tmp_path: Path) -> None:
    root = write(
        tmp_path / "words",
        {
            "README.md": "We run Kyverno, Gatekeeper, Renovate and keep a CODEOWNERS policy.\n",
            "docs/notes.yaml": "# apiVersion: kyverno.io/v1\n# kind: ClusterPolicy\nnotes: true\n",
            "crds/clusterpolicy.yaml": "apiVersion: apiextensions.k8s.io/v1\n"
            "kind: CustomResourceDefinition\nmetadata:\n"
            "  name: clusterpolicies.kyverno.io\nspec:\n"
            "  group: kyverno.io\n",
            "adr/logo.svg": "<svg/>",
            "src/codeql/query.txt": "not codeql",
            "Dockerfile.md": "FROM alpine\n",
            "package.json": '{"name": "x", "devDependencies": {"renovate": "37"}}\n',
            "docs/pre-commit.md": "Install pre-commit hooks.\n",
        },
    )
    facts = collect_repository([root], None).facts
    assert facts.policy_files == ()
    assert facts.practices == ()
    assert facts.dockerfiles == ()
    assert facts.iac == ()


def test_include_and_exclude_globs_apply(tree: Path) -> None:
    options = WalkOptions(exclude=("deploy/**",), include=("*.tf", "Dockerfile"))
    facts = collect_repository([tree], None, walk_options=options).facts
    assert [Path(d.path).relative_to(tree).as_posix() for d in facts.dockerfiles] == ["Dockerfile"]
    assert facts.practices == ()  # CODEOWNERS etc. are not included


def test_bad_roots_are_reported_and_the_rest_continues(tree: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    a_file = tree / "CODEOWNERS"
    collection = collect_repository([missing, a_file, tree, tree / "infra"], None)
    assert collection.facts.unavailable[f"root:{missing}"] == "no such directory"
    assert collection.facts.unavailable[f"root:{a_file}"] == "not a directory"
    assert collection.statuses[f"root:{tree / 'infra'}"].startswith("skipped")
    assert [r.path for r in collection.facts.roots] == [str(tree)]
    assert collection.facts.dockerfiles


def test_symlink_loop_does_not_hang_and_walk_errors_can_be_left_to_the_caller(
    tree: Path,
) -> None:
    os.symlink(tree, tree / "deploy" / "loop")
    reported = collect_repository([tree], None)
    assert any("symlink loop" in e.reason for e in reported.errors)
    quiet = collect_repository([tree], None, report_walk_errors=False)
    assert not any("symlink loop" in e.reason for e in quiet.errors)


def test_history_unavailable_is_a_status_not_a_file_error(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tree.parent))
    collection = collect_repository([tree], None)
    key = f"history:{tree}"
    assert collection.facts.unavailable[key] == "not a git repository"
    assert collection.statuses[key] == "not-available: not a git repository"
    assert all("git" not in e.reason for e in collection.errors)


def test_invalid_since_is_explained(tree: Path) -> None:
    collection = collect_repository([tree], "last week")
    assert "use a window such as 90d" in collection.facts.unavailable[f"history:{tree}"]


def test_scan_json_has_repository_inventory_and_findings(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "svc")
    write(
        repo.path, {"Dockerfile": "FROM python:3.12-slim\nUSER root\n", "SECURITY.md": "# Report\n"}
    )
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "initial", when=at(2024, 1, 2))

    done = run_cnmm("scan", str(repo.path), "--format", "json", "--since", "2023-12-01")

    assert done.returncode == 1, done.stderr  # failing findings, nothing unreadable
    document = json.loads(done.stdout)
    inventory = document["inventory"]
    assert inventory["dockerfiles"][0]["final_user"] == "root"
    assert inventory["dockerfiles"][0]["final_user_non_root"] is False
    assert inventory["practices"]["security_policy"] == [f"{repo.path}/SECURITY.md"]
    history = inventory["delivery"]["repositories"][0]
    assert history["commits"] == 1 and history["branch"] == "main"
    outcomes = {(f["rule"], f["outcome"]) for f in document["findings"]}
    assert ("repo.dockerfile.non-root-user", "fail") in outcomes
    assert ("repo.practice.security-policy", "pass") in outcomes
    assert ("repo.practice.codeowners", "fail") in outcomes
    assert document["repository"][f"history:{repo.path}"].startswith("ok: 1 commits")


def test_folder_of_clones_gives_one_root_per_repository(tmp_path: Path) -> None:
    folder = tmp_path / "clones"
    first = GitRepo(folder / "first")
    write(first.path, {"CODEOWNERS": "* @a\n", "Dockerfile": "FROM alpine:3.20\n"})
    first.git("add", "-A")
    first.git("commit", "-q", "-m", "one", when=at(2024, 1, 2))
    second = GitRepo(folder / "second")
    write(second.path, {"README.md": "# two\n", "docs/adr/0001-x.md": "# x\n"})

    collection = collect_repository([folder], "2023-12-01")
    facts = collection.facts

    assert [r.path for r in facts.roots] == [str(first.path), str(second.path)]
    assert [(p.practice, p.root) for p in facts.practices] == [
        ("codeowners", str(first.path)),
        ("decision-records", str(second.path)),
    ]
    assert [h.root for h in facts.delivery] == [str(first.path)]
    assert facts.unavailable[f"history:{second.path}"] == "no commits yet"
    root = facts.root_of(str(first.path / "Dockerfile"))
    assert root is not None and root.path == str(first.path)


@pytest.mark.timeout(60)
def test_fifo_and_oversized_yaml_are_skipped_without_blocking(tmp_path: Path) -> None:
    root = write(tmp_path / "odd", {"big.yaml": "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n"
                                    + "# padding\n" * 200})  # fmt: skip
    os.mkfifo(root / "fifo.yaml")
    os.mkfifo(root / "Dockerfile")
    collection = collect_repository([root], None, walk_options=WalkOptions(max_file_size=100))
    assert collection.facts.policy_files == ()
    assert [(Path(e.path).name, e.reason) for e in collection.errors] == [
        ("Dockerfile", "cannot read: a FIFO")
    ]


def test_backstage_software_templates_are_catalog_entities(tmp_path: Path) -> None:
    (tmp_path / "templates" / "service").mkdir(parents=True)
    template = tmp_path / "templates" / "service" / "template.yaml"
    template.write_text(
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\n"
        "metadata: {name: new-service}\nspec: {type: service, steps: []}\n"
    )
    (tmp_path / "other.yaml").write_text(
        "apiVersion: notbackstage.io/v1\nkind: Thing\nmetadata: {name: x}\n"
    )
    inventory = repository_inventory(collect_repository([tmp_path], None).facts)
    assert inventory["backstage_catalog"] == [str(template)]
