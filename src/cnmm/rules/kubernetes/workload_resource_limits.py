"""k8s.workload.resource-limits: every container limits CPU and memory.

Limits bound what one container can take from its neighbours on a node.

- **Passes**: every container (regular, init and sidecar) has `resources.limits.cpu` and
  `resources.limits.memory`.
- **Fails**: a container lacks either limit.
- **Not applicable**: workloads without containers.
- Note: some teams deliberately omit CPU limits to avoid throttling; record that as an
  exemption in `cnmm.yaml` with the reason, rather than ignoring the rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule


def _missing(w: Workload, c: Container) -> str | None:
    gaps = [r for r in ("cpu", "memory") if r not in c.limits]
    return f"no {' or '.join(gaps)} limit" if gaps else None


@rule(
    "k8s.workload.resource-limits",
    title="Containers limit CPU and memory",
    remediation="""Set resources.limits.cpu and resources.limits.memory on every container (or
    exempt CPU limits explicitly, with a reason, if you rely on CPU requests only).""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(facts, _missing, ok_message="every container limits CPU and memory")
