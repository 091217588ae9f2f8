"""k8s.platform.event-driven-scaling: Event-driven scaling present.

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: KEDA objects (ScaledObject, ScaledJob, TriggerAuthentication, or KEDA's CRDs) are
  present.
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
    "k8s.platform.event-driven-scaling",
    title="Event-driven scaling present",
    remediation="""Scale event-driven workloads on queue length or event rate with KEDA ScaledObjects.""",  # noqa: E501
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(facts, ("keda",), "KEDA", "no KEDA ScaledObjects or ScaledJobs")
