"""k8s.platform.policy-as-code: Policy as code in use.

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: Kyverno policies, Gatekeeper constraint templates/constraints, or Kubernetes
ValidatingAdmissionPolicies (or their CRDs) are present.
- **Fails**: none of them is found. The judgement covers only what was scanned: point cnmm at
  the platform repository or a cluster to see platform-level objects.
- **Not applicable**: no Kubernetes object at all was scanned (nothing to judge).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import presence


@rule(
    "k8s.platform.policy-as-code",
    title="Policy as code in use",
    remediation="""Enforce your standards at admission with Kyverno, Gatekeeper or
    ValidatingAdmissionPolicy, kept in Git.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(
        facts,
        ("kyverno", "gatekeeper", "validating-admission-policy"),
        "Admission policy",
        "no Kyverno, Gatekeeper or ValidatingAdmissionPolicy objects",
    )
