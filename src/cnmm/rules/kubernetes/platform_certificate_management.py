"""k8s.platform.certificate-management: Certificates are managed.

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: cert-manager Issuers, ClusterIssuers, Certificates (or its CRDs) are present.
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
    "k8s.platform.certificate-management",
    title="Certificates are managed",
    remediation="""Issue and rotate certificates automatically with cert-manager Issuers and Certificates.""",  # noqa: E501
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(facts, ("cert-manager",), "cert-manager", "no cert-manager objects")
