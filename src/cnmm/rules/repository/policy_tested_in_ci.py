"""repo.policy.tested-in-ci: CI runs the policy tests.

Policies are code: a Kyverno or Rego policy that is never exercised in CI breaks silently
(a typo in a CEL expression, a rule that no longer matches). Counted as running policies in
CI: `opa test`, `conftest verify` (policy unit tests) and `conftest test` (policies run
against the configuration), `kyverno test`/`kyverno apply` (also as `kubectl kyverno` or
`go run .../kubectl-kyverno`), `gator verify`/`gator test` (Gatekeeper), and
`instrumenta/conftest-action`; `make <target>` and scripts are followed to the command.

One finding per scanned directory that holds policy-as-code files (subject
`Repository/<path>`).

- **Passes**: a pipeline step runs a policy test tool; the message names it.
- **Fails**: policy files exist but no pipeline runs their tests (including when there is
  no CI at all).
- **Not applicable**: no policy-as-code files in the directory.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import POLICY_TEST
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, Location, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import describe, location, of_kind, roots_with_pipelines, within
from cnmm.rules.repository._common import root_subject


@rule(
    "repo.policy.tested-in-ci",
    title="CI runs the policy tests",
    remediation="""Run the policy tests in CI on every change: `opa test policy/` or
    `conftest verify` for Rego, `kyverno test .` for Kyverno policies, `gator verify` for
    Gatekeeper suites.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory with policy files."""
    for root, pipelines in roots_with_pipelines(facts):
        subject = root_subject(root)
        policies = [
            p
            for p in facts.policy_files
            if p.root == root.path or (not p.root and within(p.path, root.path))
        ]
        if not policies:
            yield not_applicable(subject, "no policy-as-code files")
            continue
        tools = sorted({p.tool for p in policies})
        runs = of_kind(pipelines, POLICY_TEST)
        if runs:
            yield passed(
                subject,
                f"policies ({', '.join(tools)}) run in CI: {describe(runs)}",
                location(runs),
            )
        elif not pipelines:
            yield failed(
                subject,
                f"{len(policies)} policy file(s) ({', '.join(tools)}) and no CI "
                "pipeline to test them",
                Location(policies[0].path, policies[0].line),
            )
        else:
            yield failed(
                subject,
                f"{len(policies)} policy file(s) ({', '.join(tools)}) but no "
                "pipeline step runs opa/conftest/kyverno/gator tests",
                Location(policies[0].path, policies[0].line),
            )
