"""repo.ci.tests-on-pull-request: tests run on pull/merge requests, before changes merge.

Testing after merge finds problems once they are already on the main branch; tests must
gate the change. A test step counts when its job runs for pull/merge requests:
GitHub `pull_request`, `pull_request_target` or `merge_group` events (after job and step
`if:` conditions on `github.event_name`), GitLab jobs whose rules allow
`merge_request_event` pipelines or that run for every pushed branch (GitLab's default),
Azure Pipelines with PR validation (the default unless `pr: none`), Tekton
Pipelines-as-Code `on-event: [pull_request]`, Jenkins stages without a `when` that
excludes change requests, and CircleCI jobs without branch filters. A trigger on every
pushed branch counts too: branches are where pull requests come from.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: a test step runs for pull requests (or every branch).
- **Fails**: tests run only after merge (push to the main branch, tags, schedules, manual)
  or do not run at all.
- **Not applicable**: no CI pipeline in the directory.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import TEST
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import describe, location, of_kind, roots_with_pipelines
from cnmm.rules.repository._common import root_subject

_LABELS = {
    "push": "pushes to selected branches",
    "tag": "tags",
    "release": "releases",
    "schedule": "a schedule",
    "manual": "manual runs",
    "external": "triggers defined outside the repository",
    "other": "other events",
}


@rule(
    "repo.ci.tests-on-pull-request",
    title="Tests run on pull/merge requests",
    remediation="""Trigger the test job on pull requests: `on: pull_request` in GitHub
    Actions, `rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"` in GitLab CI, and
    make the check required in branch protection.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    for root, pipelines in roots_with_pipelines(facts):
        subject = root_subject(root)
        if not pipelines:
            yield not_applicable(subject, "no CI pipeline found (see repo.ci.present)")
            continue
        tests = of_kind(pipelines, TEST)
        gating = [a for a in tests if a.pre_merge]
        if gating:
            yield passed(
                subject, f"tests run on pull requests: {describe(gating)}", location(gating)
            )
        elif tests:
            when = sorted({_LABELS.get(t, t) for a in tests for t in a.triggers})
            yield failed(
                subject,
                f"tests run only on {', '.join(when) or 'no trigger'}, not on "
                f"pull requests: {describe(tests)}",
                location(tests),
            )
        else:
            yield failed(subject, "no pipeline step runs a test command")
