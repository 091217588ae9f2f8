"""k8s.platform.runtime-security: Runtime security (Falco).

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: Falco is deployed (a workload running a `falcosecurity/falco` image, or
  objects and CRDs of the Falco operator's `*.falcosecurity.dev` API groups).
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
    "k8s.platform.runtime-security",
    title="Runtime security (Falco)",
    remediation="""Deploy Falco (or an equivalent runtime detector) and route its alerts to the
    on-call  # noqa: E501
    channel.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(facts, ("falco",), "Falco", "no Falco deployment")
