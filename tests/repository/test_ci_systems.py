"""Azure Pipelines, CircleCI, Cloud Build, Tekton and Argo Workflows -> Pipeline facts."""

from __future__ import annotations

from pathlib import Path

from cnmm.collect.ci import CiCollection
from cnmm.facts.ci import (
    BRANCH,
    DEPLOY,
    EXTERNAL,
    IMAGE_BUILD,
    PROVENANCE,
    PULL_REQUEST,
    PUSH,
    SCHEDULE,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
)
from tests.repository import trees


def collect(root: Path, files: dict[str, str]) -> CiCollection:
    collection = trees.collect(root, files)
    assert not collection.errors, collection.errors
    return collection


AZURE = """\
trigger:
  branches:
    include: [main]
stages:
  - stage: Build
    jobs:
      - job: test
        steps:
          - script: dotnet test
          - task: Docker@2
            inputs:
              command: buildAndPush
              repository: app
          - template: .azure-pipelines/templates/scan.yml
  - stage: Deploy
    condition: ne(variables['Build.Reason'], 'PullRequest')
    jobs:
      - deployment: prod
        strategy:
          runOnce:
            deploy:
              steps:
                - task: HelmDeploy@0
                  inputs:
                    command: upgrade
"""


def test_azure_pipelines_stages_tasks_and_templates(tmp_path: Path) -> None:
    scan = "steps:\n  - bash: trivy fs --exit-code 1 .\n"
    collection = collect(
        tmp_path, {"azure-pipelines.yml": AZURE, ".azure-pipelines/templates/scan.yml": scan}
    )
    assert [p.relative_path for p in collection.pipelines] == ["azure-pipelines.yml"]
    pipeline = collection.pipelines[0]
    assert pipeline.triggers == {PUSH, PULL_REQUEST}
    template = str(tmp_path / ".azure-pipelines/templates/scan.yml")
    found = {(a.kind, a.tool, a.path.rsplit("/", 1)[-1], a.line, tuple(sorted(a.triggers)))
             for a in pipeline.activities}  # fmt: skip
    assert found == {
        (TEST, "dotnet test", "azure-pipelines.yml", 9, (PULL_REQUEST, PUSH)),
        (IMAGE_BUILD, "docker", "azure-pipelines.yml", 10, (PULL_REQUEST, PUSH)),
        (VULNERABILITY_SCAN, "trivy", "scan.yml", 2, (PULL_REQUEST, PUSH)),
        (DEPLOY, "helm", "azure-pipelines.yml", 23, (PUSH,)),
    }
    assert template in pipeline.includes


def test_azure_pr_none_and_trigger_none(tmp_path: Path) -> None:
    text = "trigger: none\npr: none\nschedules:\n  - cron: '0 0 * * *'\nsteps:\n  - script: make\n"
    pipeline = collect(tmp_path, {"azure-pipelines.yml": text}).pipelines[0]
    assert pipeline.triggers == {SCHEDULE}


CIRCLECI = """\
version: 2.1
orbs:
  node: circleci/node@5.2
  docker: circleci/docker@2.5
commands:
  unit:
    steps:
      - run: go test ./...
jobs:
  test:
    steps:
      - checkout
      - unit
      - node/test
  publish:
    steps:
      - docker/build:
          image: acme/app
      - run:
          name: sign
          command: cosign sign --yes acme/app
workflows:
  main:
    jobs:
      - test
      - publish:
          filters:
            branches:
              only: main
  release:
    jobs:
      - publish:
          filters:
            branches:
              ignore: /.*/
            tags:
              only: /^v.*/
"""


def test_circleci_commands_orbs_and_filters(tmp_path: Path) -> None:
    pipeline = collect(tmp_path, {".circleci/config.yml": CIRCLECI}).pipelines[0]
    assert pipeline.system == "circleci"
    assert {j.name: j.triggers for j in pipeline.jobs} == {
        "test": {BRANCH},
        "publish": {PUSH, TAG},
    }
    assert {(a.kind, a.tool, a.line, a.job) for a in pipeline.activities} == {
        (TEST, "go test", 8, "test"),
        (TEST, "npm test", 14, "test"),
        (IMAGE_BUILD, "docker", 17, "publish"),
        ("signing", "cosign", 21, "publish"),
    }


CLOUDBUILD = """\
steps:
  - name: gcr.io/cloud-builders/docker
    args: ['build', '-t', 'gcr.io/$PROJECT_ID/app', '.']
  - name: golang:1.22
    entrypoint: go
    args: ['test', './...']
  - name: gcr.io/cloud-builders/gcloud
    entrypoint: bash
    args:
      - -c
      - |
        gcloud container clusters get-credentials prod
        kubectl apply -f k8s/
  - name: aquasec/trivy
    args: ['image', 'gcr.io/$PROJECT_ID/app']
images: ['gcr.io/$PROJECT_ID/app']
options:
  requestedVerifyOption: VERIFIED
"""


def test_cloud_build_steps(tmp_path: Path) -> None:
    pipeline = collect(tmp_path, {"deploy/cloudbuild.yaml": CLOUDBUILD}).pipelines[0]
    assert pipeline.system == "google-cloud-build"
    assert pipeline.triggers == {EXTERNAL}
    assert {(a.kind, a.tool, a.line) for a in pipeline.activities} == {
        (IMAGE_BUILD, "docker", 3),
        (TEST, "go test", 5),
        (DEPLOY, "kubectl", 13),
        (VULNERABILITY_SCAN, "trivy", 15),
        (IMAGE_BUILD, "cloud-build", 16),
        (PROVENANCE, "cloud-build", 18),
    }


TEKTON = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: unit-tests
spec:
  steps:
    - name: test
      image: golang:1.22
      script: |
        #!/usr/bin/env bash
        # cosign sign is mentioned, not run
        go test ./...
    - name: report
      image: python:3.12
      script: |
        #!/usr/bin/env python3
        print("pytest")
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: on-pull-request
  annotations:
    pipelinesascode.tekton.dev/on-event: "[pull_request]"
    pipelinesascode.tekton.dev/on-target-branch: "[main]"
spec:
  pipelineSpec:
    tasks:
      - name: tests
        taskRef:
          name: unit-tests
      - name: build
        taskRef:
          resolver: bundles
          params:
            - name: name
              value: buildah
            - name: bundle
              value: quay.io/konflux-ci/tekton-catalog/task-buildah:0.4
      - name: scan
        taskSpec:
          steps:
            - name: trivy
              image: aquasec/trivy:0.50.0
              args: ["image", "--exit-code", "1", "app"]
"""


def test_tekton_documents_local_tasks_and_catalog(tmp_path: Path) -> None:
    collection = collect(tmp_path, {".tekton/pull-request.yaml": TEKTON})
    pipelines = {p.document: p for p in collection.pipelines}
    assert set(pipelines) == {"Task/unit-tests", "PipelineRun/on-pull-request"}
    assert str(pipelines["Task/unit-tests"].subject) == (
        f"Pipeline/{tmp_path / '.tekton/pull-request.yaml'}#Task/unit-tests"
    )
    task = pipelines["Task/unit-tests"]
    assert task.triggers == {EXTERNAL}
    assert [(a.tool, a.line) for a in task.activities] == [("go test", 12)]
    run = pipelines["PipelineRun/on-pull-request"]
    assert run.triggers == {PULL_REQUEST}
    assert {(a.kind, a.tool, a.job) for a in run.activities} == {
        (TEST, "go test", "tests"),
        (IMAGE_BUILD, "buildah", "build"),
        (VULNERABILITY_SCAN, "trivy", "scan"),
    }


def test_tekton_and_argo_test_fixtures_and_templates_are_not_pipelines(tmp_path: Path) -> None:
    task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec: {steps: []}\n"
    files = {
        "policies/require-bundle/.chainsaw-test/task.yaml": task,
        "chart/templates/task.yaml": task,
        "test/fixtures-task.yaml": task,
        "examples/task.yaml": task,
    }
    assert collect(tmp_path, files).pipelines == []


ARGO = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
  workflowSpec:
    entrypoint: main
    templates:
      - name: build
        container:
          image: gcr.io/kaniko-project/executor:v1.23.0
          args: ["--context=git://github.com/acme/app", "--destination=acme/app"]
      - name: test
        script:
          image: golang:1.22
          command: [bash]
          source: |
            go test ./...
      - name: notify
        container:
          image: alpine
          command: [sh, -c]
          args: ["echo 'helm upgrade done'"]
"""


def test_argo_workflows(tmp_path: Path) -> None:
    pipeline = collect(tmp_path, {"ci/nightly.yaml": ARGO}).pipelines[0]
    assert pipeline.system == "argo-workflows"
    assert pipeline.triggers == {SCHEDULE}
    assert {(a.kind, a.tool, a.job) for a in pipeline.activities} == {
        (IMAGE_BUILD, "kaniko", "build"),
        (TEST, "go test", "test"),
    }
