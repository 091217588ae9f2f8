"""k8s.workload.drop-capabilities: containers drop ALL capabilities and add none dangerous.

- **Passes**: every container's `securityContext.capabilities.drop` contains `ALL` and `add`
  holds nothing but `NET_BIND_SERVICE`.
- **Fails**: a container does not drop ALL, or adds another capability (SYS_ADMIN, NET_ADMIN,
  NET_RAW, ALL, ...).
- **Not applicable**: workloads without containers.
- Difference: Polaris' `dangerousCapabilities` only looks at what is added and its
  `insecureCapabilities` accepts dropping a fixed list; cnmm asks for the Pod Security
  "restricted" profile (drop ALL), which subsumes both.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule

ALLOWED_ADDS = frozenset({"NET_BIND_SERVICE"})


def _capabilities(w: Workload, c: Container) -> str | None:
    caps = c.security_context.get("capabilities")
    caps = caps if isinstance(caps, dict) else {}
    drop = {str(x).upper().removeprefix("CAP_") for x in caps.get("drop") or []}
    add = {str(x).upper().removeprefix("CAP_") for x in caps.get("add") or []}
    problems = []
    if "ALL" not in drop:
        problems.append("does not drop ALL")
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
    yield from container_rule(facts, _capabilities, ok_message="every container drops ALL")
