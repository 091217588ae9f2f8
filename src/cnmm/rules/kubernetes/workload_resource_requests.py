"""k8s.workload.resource-requests: every container requests CPU and memory.

Requests are what the scheduler packs nodes by; without them pods land on full nodes and are
the first to be evicted.

- **Passes**: every container (regular, init and sidecar) of every workload declares a CPU
  and a memory request.
- **Fails**: a container lacks either. A limit alone does not count, although Kubernetes then
  defaults the request to the limit: the request should be a deliberate, measured value
  (Polaris and kube-score agree).
- **Not applicable**: workloads without containers.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule


def _missing(w: Workload, c: Container) -> str | None:
    gaps = [r for r in ("cpu", "memory") if r not in c.requests]
    return f"no {' or '.join(gaps)} request" if gaps else None


@rule(
    "k8s.workload.resource-requests",
    title="Containers request CPU and memory",
    remediation="""Set resources.requests.cpu and resources.requests.memory on every container,
    sized from observed usage (e.g. the VPA recommender or your metrics).""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(facts, _missing, ok_message="every container requests CPU and memory")
