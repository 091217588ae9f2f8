"""k8s.workload.run-as-non-root: containers cannot run as root.

- **Passes**: for every container, the effective securityContext (the container's own field,
  else the pod's) sets `runAsNonRoot: true` or a `runAsUser` other than 0.
- **Fails**: a container's effective `runAsUser` is 0, or neither field is set (the image's
  USER then decides, which the configuration cannot guarantee).
- **Not applicable**: workloads without containers. Objects whose apiVersion does not serve
  the kind (e.g. a `v1` Deployment, as in some Polaris fixtures) are not workloads. Only
  workloads are judged: ConfigMaps,
  Services and other objects never get securityContext findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule, effective


def _root(w: Workload, c: Container) -> str | None:
    user = effective(c, w, "runAsUser")
    if isinstance(user, int) and not isinstance(user, bool) and user == 0:
        return "runAsUser is 0"
    if effective(c, w, "runAsNonRoot") is True:
        return None
    if isinstance(user, int) and not isinstance(user, bool) and user > 0:
        return None
    return "neither runAsNonRoot: true nor a non-zero runAsUser"


@rule(
    "k8s.workload.run-as-non-root",
    title="Containers run as non-root",
    remediation="""Set securityContext.runAsNonRoot: true (pod or container level) and a
    non-zero runAsUser, and build images with a non-root USER.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(facts, _root, ok_message="every container runs as non-root")
