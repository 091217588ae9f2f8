"""repo.policy.as-code: policies are kept as code in the repository.

- **Passes**: the scanned directory holds policy-as-code files: Kyverno policies
  (`kyverno.io` / `policies.kyverno.io` `*Policy` kinds) or Kyverno CLI tests, Gatekeeper
  ConstraintTemplates, constraints, mutations or gator suites, Rego files (`*.rego`), a
  `conftest.toml`, ValidatingAdmissionPolicies (or their bindings) and
  MutatingAdmissionPolicies, Kubewarden policies, or HashiCorp Sentinel policies
  (`*.sentinel`). Objects are recognised by API group and kind, also inside Helm templates.
- **Fails**: none of them. The CustomResourceDefinitions that *install* a policy engine are
  not policies and do not count.
- **Not applicable**: never.

Whether CI runs the policy tests is judged by repo.policy.tested-in-ci.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import tools_rule


@rule(
    "repo.policy.as-code",
    title="Policy as code present",
    remediation="""Write the rules the platform must enforce (allowed registries, required
    labels, no privileged pods, tagging of cloud resources) as Kyverno/Gatekeeper/VAP
    policies or Rego, keep them in version control and test them in CI.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from tools_rule(
        facts,
        facts.policy_files,
        "policy as code",
        "no Kyverno, Gatekeeper, Rego, conftest, ValidatingAdmissionPolicy or other policy files",
    )
