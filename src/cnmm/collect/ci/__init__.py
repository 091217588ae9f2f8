"""CI/CD pipelines of a repository -> `Pipeline` facts, and the `inventory.ci` section.

Which files are pipelines (paths relative to the scanned root):

- github-actions: `.github/workflows/*.yml`/`.yaml`
- gitlab-ci: `.gitlab-ci.yml` (plus its local `include:` files)
- jenkins: `Jenkinsfile`, `Jenkinsfile.*`, `*.jenkinsfile` (any directory)
- tekton: YAML documents of kind Task, ClusterTask, Pipeline, PipelineRun, TaskRun
  (`tekton.dev`)
- azure-pipelines: `azure-pipelines*.yml`, and pipeline YAML under `.azure-pipelines/`,
  `.pipelines/`, `.ado/`, `.azuredevops/`, `azure-pipelines/`, `eng/pipelines/`,
  `build/azure-pipelines/`
- circleci: `.circleci/config.yml` (and other `.circleci/*.yml` with `jobs`/`workflows`)
- google-cloud-build: `cloudbuild*.yaml`/`.yml`/`.json`, `*.cloudbuild.yaml` (any directory)
- argo-workflows: YAML documents of kind Workflow, WorkflowTemplate,
  ClusterWorkflowTemplate, CronWorkflow (`argoproj.io`)

Root-only files (GitHub, GitLab, CircleCI) are also read at the root of a nested git
repository (a directory holding `.git`), so scanning a folder of clones works; elsewhere
they are templates or test fixtures that no CI system runs. For the same reason files under
`examples/`, `samples/`, `docs/`, `test/`, `tests/`, `testdata/` or `fixtures/` folders are
not pipelines, nor are Tekton/Argo documents under `templates/` or hidden folders other
than `.tekton/` (Helm templates, policy test fixtures such as `.chainsaw-test/`).

A broken pipeline file (invalid YAML, binary, too large, a workflow without `jobs:`, a
Jenkinsfile with an unterminated string) is one `FileError`; every other file is still
read. Tekton and Argo candidates that are not valid YAML are left to the manifest collector,
which already reports them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from cnmm.collect.ci._draft import Context
from cnmm.collect.ci._repo import RepoFiles
from cnmm.collect.ci.commands import Classifier
from cnmm.collect.files import DEFAULT_MAX_FILE_SIZE, FileReadError, read_bytes
from cnmm.facts import FileError
from cnmm.facts.ci import (
    DEPLOY,
    IMAGE_BUILD,
    PROVENANCE,
    SBOM,
    SIGNING,
    TEST,
    VULNERABILITY_SCAN,
    Activity,
    Pipeline,
)

__all__ = ["CiCollection", "ci_inventory", "collect_pipelines"]

# Folders whose pipeline-looking files are samples, documentation or test data, not CI.
_EXAMPLE_DIRS = frozenset(
    {"examples", "example", "samples", "sample", "docs", "doc", "testdata", "test-data",
     "fixtures", "__fixtures__", "test-fixtures", "test", "tests", "__tests__"}
)  # fmt: skip


@dataclass
class CiCollection:
    """Pipelines found under one root, and the pipeline files that could not be read."""

    pipelines: list[Pipeline] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


def collect_pipelines(
    root: Path, files: Sequence[Path], *, max_file_size: int = DEFAULT_MAX_FILE_SIZE
) -> CiCollection:
    """Read every CI pipeline among `files` (regular files under `root` chosen by the walker).

    Only reads files: the pipeline files, and what they lead to (includes, templates,
    composite actions, Makefiles, package.json, local scripts, goreleaser configuration)
    when those lie inside `root`.
    """
    from cnmm.collect.ci import (
        argo,
        azure,
        circleci,
        cloudbuild,
        github,
        gitlab,
        jenkins,
        tekton,
    )

    repo = RepoFiles(root, files, max_file_size)
    context = Context(repo, Classifier(repo))

    @cache
    def is_git_root(relative: str) -> bool:
        return relative == "" or os.path.exists(root / relative / ".git")

    groups: dict[str, list[str]] = {}
    kube_candidates: list[str] = []
    for relative in sorted(repo.by_relative):
        if _EXAMPLE_DIRS & set(relative.lower().split("/")[:-1]):
            continue
        if github.is_workflow(relative, is_git_root):
            groups.setdefault("github", []).append(relative)
        elif gitlab.is_pipeline(relative, is_git_root):
            groups.setdefault("gitlab", []).append(relative)
        elif jenkins.is_jenkinsfile(relative):
            groups.setdefault("jenkins", []).append(relative)
        elif circleci.is_config(relative, is_git_root):
            groups.setdefault("circleci", []).append(relative)
        elif azure.is_candidate(relative):
            groups.setdefault("azure", []).append(relative)
        elif cloudbuild.is_candidate(relative):
            groups.setdefault("cloudbuild", []).append(relative)
        elif relative.lower().endswith((".yaml", ".yml")) and not _fixture_dir(relative):
            kube_candidates.append(relative)

    pipelines: list[Pipeline] = []
    pipelines += github.read_workflows(context, groups.get("github", []))
    pipelines += gitlab.read_pipelines(context, groups.get("gitlab", []))
    pipelines += jenkins.read_jenkinsfiles(context, groups.get("jenkins", []))
    pipelines += circleci.read_configs(context, groups.get("circleci", []))
    pipelines += azure.read_pipelines(context, groups.get("azure", []))
    pipelines += cloudbuild.read_configs(context, groups.get("cloudbuild", []))
    tekton_files, argo_files = _kubernetes_candidates(repo, kube_candidates)
    pipelines += tekton.read_documents(context, tekton_files)
    pipelines += argo.read_documents(context, argo_files)
    pipelines = [replace(p, root=str(root)) for p in pipelines]
    pipelines.sort(key=lambda p: (p.path, p.line or 0, p.document or ""))
    return CiCollection(pipelines, context.errors)


def _fixture_dir(relative: str) -> bool:
    """Folders whose Tekton/Argo documents are templates or test data, not this repo's CI."""
    for part in relative.split("/")[:-1]:
        if part in ("templates", "test", "tests", "testing", "__tests__"):
            return True
        if part.startswith(".") and part not in (".tekton", ".argo", ".ci"):
            return True  # .chainsaw-test, .kyverno-test, ...
    return False


def _kubernetes_candidates(repo: RepoFiles, relatives: list[str]) -> tuple[list[str], list[str]]:
    """YAML files that mention the Tekton or Argo API groups (cheap byte test, no parsing)."""
    tekton_files: list[str] = []
    argo_files: list[str] = []
    for relative in relatives:
        try:
            data = read_bytes(repo.by_relative[relative], repo.max_size)
        except FileReadError:
            continue
        if b"tekton.dev/" in data:
            tekton_files.append(relative)
        if b"argoproj.io/" in data and b"Workflow" in data:
            argo_files.append(relative)
    return tekton_files, argo_files


def _paths(activities: Sequence[Activity]) -> list[str]:
    """Evidence paths: where each step is written, plus files it was followed through."""
    found: set[str] = set()
    for item in activities:
        found.add(item.path)
        for via in item.via:
            found.add(via.rsplit(":", 1)[0] if via.rsplit(":", 1)[-1].isdigit() else via)
    return sorted(found)


def ci_inventory(pipelines: Sequence[Pipeline]) -> dict[str, Any]:
    """The `inventory.ci` section: systems, what the pipelines do, and evidence paths per fact."""

    def of(kind: str) -> list[Activity]:
        return [a for p in pipelines for a in p.activities if a.kind == kind]

    tests = of(TEST)
    pre_merge = [a for a in tests if a.pre_merge]
    images, scans, sboms = of(IMAGE_BUILD), of(VULNERABILITY_SCAN), of(SBOM)
    signing, provenance, deploys = of(SIGNING), of(PROVENANCE), of(DEPLOY)
    by_system: dict[str, list[str]] = {}
    for pipeline in pipelines:
        by_system.setdefault(pipeline.system, []).append(pipeline.path)
    return {
        "systems": sorted(by_system),
        "pipelines": len(pipelines),
        "runs_tests": bool(tests),
        "test_tools": sorted({a.tool for a in tests}),
        "tests_on_pull_request": bool(pre_merge),
        "builds_images": bool(images),
        "scans_vulnerabilities": sorted({a.tool for a in scans}),
        "generates_sbom": bool(sboms),
        "signs_images": bool(signing),
        "provenance": bool(provenance),
        "deploys": bool(deploys),
        "evidence": {
            "systems": {s: sorted(set(p)) for s, p in sorted(by_system.items())},
            "runs_tests": _paths(tests),
            "tests_on_pull_request": _paths(pre_merge),
            "builds_images": _paths(images),
            "scans_vulnerabilities": {
                tool: _paths([a for a in scans if a.tool == tool])
                for tool in sorted({a.tool for a in scans})
            },
            "generates_sbom": _paths(sboms),
            "signs_images": _paths(signing),
            "provenance": _paths(provenance),
            "deploys": _paths(deploys),
        },
    }
