"""GitLab CI (includes, extends, !reference, rules) and Jenkinsfiles (Groovy without Groovy)."""

from __future__ import annotations

from pathlib import Path

from cnmm.facts.ci import (
    BRANCH,
    DEPLOY,
    IMAGE_BUILD,
    MANUAL,
    PROVENANCE,
    PULL_REQUEST,
    PUSH,
    SCHEDULE,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
)
from tests.repository.trees import collect, only

GITLAB = """\
include:
  - local: ci/build.yml
  - template: Security/SAST.gitlab-ci.yml

stages: [test, build, deploy]

default:
  before_script:
    - echo "cosign sign is only mentioned here"

.go: &go
  image: golang:1.22
  script:
    - go test ./...

unit:
  extends: .go
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

lint:
  stage: test
  script:
    - !reference [.go, script]
    - golangci-lint run

deploy:
  stage: deploy
  environment: production
  only: [main]
  script:
    - helm upgrade --install app ./chart

# old_scan:
#   script: trivy image app
"""

BUILD = """\
variables:
  RUNNER_GENERATE_ARTIFACTS_METADATA: "true"
image-build:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  rules:
    - if: $CI_COMMIT_TAG
  script:
    - >-
      /kaniko/executor --context "$CI_PROJECT_DIR"
      --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG"
  artifacts:
    paths: [out/]
"""


def test_gitlab_jobs_includes_extends_and_references(tmp_path: Path) -> None:
    pipeline = only(collect(tmp_path, {".gitlab-ci.yml": GITLAB, "ci/build.yml": BUILD}))
    build_file = str(tmp_path / "ci/build.yml")
    main = str(tmp_path / ".gitlab-ci.yml")
    found = {(a.kind, a.tool, a.path, a.line, a.job) for a in pipeline.activities}
    assert found == {
        (TEST, "go test", main, 14, "unit"),
        (TEST, "go test", main, 14, "lint"),
        (DEPLOY, "helm", main, 34, "deploy"),
        (IMAGE_BUILD, "kaniko", build_file, 12, "image-build"),
        (PROVENANCE, "gitlab-runner", build_file, 3, "image-build"),
        (VULNERABILITY_SCAN, "gitlab-sast", main, 3, "template Security/SAST.gitlab-ci.yml"),
    }
    triggers = {j.name: j.triggers for j in pipeline.jobs}
    assert triggers["unit"] == {PULL_REQUEST, PUSH}
    assert triggers["lint"] == {BRANCH, TAG, SCHEDULE, MANUAL}
    assert triggers["deploy"] == {PUSH}
    assert triggers["image-build"] == {TAG}
    assert build_file in pipeline.includes


def test_gitlab_workflow_rules_turn_branch_jobs_into_merge_request_jobs(tmp_path: Path) -> None:
    text = (
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'\n"
        "    - if: $CI_COMMIT_TAG\n"
        "test:\n  script: [pytest]\n"
        "never:\n  rules:\n    - when: never\n  script: [pytest]\n"
    )
    pipeline = only(collect(tmp_path, {".gitlab-ci.yml": text}))
    assert {j.name: j.triggers for j in pipeline.jobs} == {
        "test": {PULL_REQUEST, TAG},
        "never": set(),
    }
    assert pipeline.of_kind(TEST)[0].job == "test"


def test_gitlab_wildcard_includes_and_child_pipelines(tmp_path: Path) -> None:
    files = {
        ".gitlab-ci.yml": "include: 'ci/*.yml'\ntrigger-child:\n  trigger:\n"
        "    include: ci/child/pipeline.yml\n",
        "ci/a.yml": "a:\n  script: [npm test]\n",
        "ci/b.yml": "b:\n  script: [trivy fs .]\n",
        "ci/child/pipeline.yml": "child:\n  script: [docker build -t x .]\n",
    }
    pipeline = only(collect(tmp_path, files))
    assert {(a.kind, a.job) for a in pipeline.activities} == {
        (TEST, "a"),
        (VULNERABILITY_SCAN, "b"),
        (IMAGE_BUILD, "child"),
    }


JENKINSFILE = """\
// cosign sign in a comment is nothing
/* sh 'docker build .' in a block comment
   is nothing either */
pipeline {
    agent any
    triggers { cron('H 2 * * *') }
    stages {
        stage('Test') {
            steps {
                sh 'go test ./...'
                sh(script: "echo 'trivy image x'", returnStatus: true)
            }
        }
        stage('Image') {
            when { branch 'main' }
            steps {
                sh '''
                    docker build -t app:${GIT_COMMIT} .
                    trivy image app:${GIT_COMMIT}
                '''
                script {
                    docker.build("app:${env.BUILD_ID}")
                }
            }
        }
        stage('PR checks') {
            when { changeRequest() }
            steps {
                sh label: 'lint', script: 'npm test'
            }
        }
    }
}
"""


def test_jenkins_declarative_pipeline(tmp_path: Path) -> None:
    pipeline = only(collect(tmp_path, {"Jenkinsfile": JENKINSFILE}))
    assert pipeline.system == "jenkins"
    found = {(a.kind, a.tool, a.line, a.job, tuple(sorted(a.triggers)))
             for a in pipeline.activities}  # fmt: skip
    assert found == {
        (TEST, "go test", 10, "Test", (BRANCH, PULL_REQUEST, SCHEDULE)),
        (IMAGE_BUILD, "docker", 18, "Image", (PUSH,)),
        (VULNERABILITY_SCAN, "trivy", 19, "Image", (PUSH,)),
        (IMAGE_BUILD, "docker", 22, "Image", (PUSH,)),
        (TEST, "npm test", 29, "PR checks", (PULL_REQUEST,)),
    }


def test_jenkins_scripted_pipeline_and_variants(tmp_path: Path) -> None:
    files = {
        "ci/Jenkinsfile.release": 'node {\n  checkout scm\n  sh "mvn -B deploy"\n'
        "  sh 'kubectl apply -f k8s/'\n}\n",
        "jenkins/nightly.jenkinsfile": "@Library('shared') _\nbuildPlugin()\n",
    }
    pipelines = {p.relative_path: p for p in collect(tmp_path, files).pipelines}
    release = pipelines["ci/Jenkinsfile.release"]
    assert {(a.kind, a.tool, a.line) for a in release.activities} == {
        (TEST, "maven", 3),
        (DEPLOY, "kubectl", 4),
    }
    nightly = pipelines["jenkins/nightly.jenkinsfile"]
    assert {(a.kind, a.tool) for a in nightly.activities} == {(TEST, "maven")}
    assert nightly.unresolved == ("shared library steps",)
