"""repo.ci.present: a CI system is configured.

Continuous integration is the base of every delivery practice: without a pipeline in the
repository nothing tests, builds or ships changes automatically.

Recognised systems (see `cnmm.collect.ci`): GitHub Actions (`.github/workflows/`), GitLab
CI (`.gitlab-ci.yml`), Jenkins (`Jenkinsfile`), Tekton (Task/Pipeline/PipelineRun/TaskRun
YAML), Azure Pipelines (`azure-pipelines.yml`...), CircleCI (`.circleci/config.yml`),
Google Cloud Build (`cloudbuild.yaml`) and Argo Workflows.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: at least one pipeline definition was read; the message names the systems.
- **Fails**: none was found. CI files live at the root of a repository: when a
  subdirectory of a repository is scanned, scan the repository root instead (the message
  says so when the scanned directory is not the root of its git work tree). Pipeline files
  that could not be read are reported as file errors, not as a pass.
- **Not applicable**: never.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, failed, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import roots_with_pipelines
from cnmm.rules.repository._common import root_subject, shown


@rule(
    "repo.ci.present",
    title="A CI system is configured",
    remediation="""Add a pipeline that runs on every change, e.g. `.github/workflows/ci.yml`
    with `on: [pull_request, push]` and a job that builds and tests the code (or the
    equivalent `.gitlab-ci.yml`, `Jenkinsfile`, Tekton PipelineRun...).""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    for root, pipelines in roots_with_pipelines(facts):
        subject = root_subject(root)
        if pipelines:
            systems = sorted({p.system for p in pipelines})
            files = sorted({p.relative_path for p in pipelines})
            yield passed(
                subject,
                f"{', '.join(systems)}: {len(pipelines)} pipeline(s) in {shown(files, 4)}",
                pipelines[0].location,
            )
            continue
        message = "no CI pipeline definition found"
        if root.git_root and root.git_root != root.path:
            message += (
                f"; the scanned directory is inside the git repository {root.git_root},"
                " whose root usually holds the CI configuration: scan it instead"
            )
        yield failed(subject, message)
