"""k8s.workload.read-only-root-filesystem: containers mount their root filesystem read-only.

- **Passes**: every container sets `securityContext.readOnlyRootFilesystem: true` (there is no
  pod-level field).
- **Fails**: a container does not.
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
    "k8s.workload.read-only-root-filesystem",
    title="Containers use a read-only root filesystem",
    remediation="""Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes
    where the application needs to write (e.g. /tmp).""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts,
        lambda w, c: (
            None
            if c.security_context.get("readOnlyRootFilesystem") is True
            else "readOnlyRootFilesystem not true"
        ),
        ok_message="every root filesystem is read-only",
        applies=linux_only,
    )
