"""k8s.workload.no-privileged: no container runs privileged.

- **Passes**: no container sets `securityContext.privileged: true`.
- **Fails**: one does (it then has every capability and access to host devices).
- **Not applicable**: workloads without containers; Windows pods (`spec.os.name: windows`),
  where this Linux-only field does not apply.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule, linux_only


@rule(
    "k8s.workload.no-privileged",
    title="No privileged containers",
    remediation="""Remove securityContext.privileged: true; grant the specific capability or
    device the container needs instead.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts,
        lambda w, c: "privileged" if c.security_context.get("privileged") is True else None,
        ok_message="no privileged container",
        applies=linux_only,
    )
