"""k8s.platform.chaos-engineering: Chaos engineering in use.

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: LitmusChaos (`litmuschaos.io`) or Chaos Mesh (`chaos-mesh.org`) experiments or
  CRDs are present.
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
    "k8s.platform.chaos-engineering",
    title="Chaos engineering in use",
    remediation="""Run regular fault-injection experiments with LitmusChaos or Chaos Mesh and
    keep them in  # noqa: E501
    Git.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(
        facts, ("litmus", "chaos-mesh"), "Chaos experiments", "no LitmusChaos or Chaos Mesh objects"
    )
