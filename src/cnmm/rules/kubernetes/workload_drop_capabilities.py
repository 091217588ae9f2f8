"""k8s.workload.drop-capabilities: containers drop ALL capabilities and add none dangerous.

- **Passes**: every container's `securityContext.capabilities.drop` contains `ALL` (or lists
  every one of the 14 capabilities container runtimes grant by default, which leaves the same
  empty set), and `add` holds nothing but `NET_BIND_SERVICE`. Names are case-insensitive and
  may carry the `CAP_` prefix.
- **Fails**: a container keeps some default capability, or adds another capability
  (SYS_ADMIN, NET_ADMIN, NET_RAW, ALL, ...).
- **Not applicable**: workloads without containers; Windows pods (`spec.os.name: windows`),
  where this Linux-only field does not apply.
- Difference: Polaris' `dangerousCapabilities` only looks at what is added (its passing
  fixture adds nothing and drops nothing, which cnmm fails for not dropping); cnmm asks for
  the Pod Security "restricted" profile (drop ALL), which covers both Polaris checks.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule, linux_only

ALLOWED_ADDS = frozenset({"NET_BIND_SERVICE"})
# What containerd, CRI-O and Docker grant a container unless told otherwise: dropping all of
# them is the same as dropping ALL.
RUNTIME_DEFAULTS = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})  # fmt: skip


def _capabilities(w: Workload, c: Container) -> str | None:
    caps = c.security_context.get("capabilities")
    caps = caps if isinstance(caps, dict) else {}
    drop = {str(x).upper().removeprefix("CAP_") for x in caps.get("drop") or []}
    add = {str(x).upper().removeprefix("CAP_") for x in caps.get("add") or []}
    problems = []
    if "ALL" not in drop and not drop >= RUNTIME_DEFAULTS:
        kept = sorted(RUNTIME_DEFAULTS - drop)
        problems.append("does not drop ALL" + (f" (keeps {', '.join(kept)})" if drop else ""))
    if extra := sorted(add - ALLOWED_ADDS):
        problems.append("adds " + ", ".join(extra))
    return "; ".join(problems) or None


@rule(
    "k8s.workload.drop-capabilities",
    title="Containers drop all capabilities",
    remediation="""Set securityContext.capabilities.drop: [ALL] and add back only
    NET_BIND_SERVICE if the container binds a port below 1024.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts, _capabilities, ok_message="every container drops ALL", applies=linux_only
    )
