"""k8s.workload.no-privilege-escalation: containers set `allowPrivilegeEscalation: false`.

- **Passes**: every container sets `securityContext.allowPrivilegeEscalation: false`.
- **Fails**: a container leaves it unset (the default allows escalation through setuid
  binaries) or sets it true, or runs privileged.
- **Not applicable**: workloads without containers; Windows pods (`spec.os.name: windows`),
  where this Linux-only field does not apply.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule, linux_only


def _escalates(w: Workload, c: Container) -> str | None:
    if c.security_context.get("privileged") is True:
        return "privileged (always allows escalation)"
    value = c.security_context.get("allowPrivilegeEscalation")
    if value is False:
        return None
    return "allowPrivilegeEscalation is true" if value is True else "allowPrivilegeEscalation unset"


@rule(
    "k8s.workload.no-privilege-escalation",
    title="Privilege escalation is disabled",
    remediation="Set securityContext.allowPrivilegeEscalation: false on every container.",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts, _escalates, ok_message="no container can escalate", applies=linux_only
    )
