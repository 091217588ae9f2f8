"""k8s.platform.workload-identity: Workload identity (SPIFFE/SPIRE).

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: SPIRE objects (`spire.spiffe.io`, e.g. ClusterSPIFFEID) or SPIRE server/agent
  images are present.
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
    "k8s.platform.workload-identity",
    title="Workload identity (SPIFFE/SPIRE)",
    remediation="""Give workloads cryptographic identities with SPIFFE/SPIRE.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(facts, ("spire",), "SPIFFE/SPIRE", "no SPIFFE/SPIRE objects")
