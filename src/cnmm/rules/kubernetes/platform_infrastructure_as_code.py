"""k8s.platform.infrastructure-as-code: Infrastructure managed from Kubernetes.

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: Crossplane (`*.crossplane.io`) or Cluster API (`cluster.x-k8s.io`) objects or CRDs
  are present.
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
    "k8s.platform.infrastructure-as-code",
    title="Infrastructure managed from Kubernetes",
    remediation="""Declare infrastructure as Kubernetes objects with Crossplane or Cluster API.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(
        facts,
        ("crossplane", "cluster-api"),
        "Infrastructure as code",
        "no Crossplane or Cluster API objects",
    )
