"""k8s.workload.no-host-path: pods mount no hostPath volumes.

- **Passes**: the pod spec has no `hostPath` volume.
- **Fails**: it has one (the message names the volumes): a container can then read or write
  the node's filesystem.
- **Not applicable**: never for workloads.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, failed, passed
from cnmm.rules.base import rule


@rule(
    "k8s.workload.no-host-path",
    title="No hostPath volumes",
    remediation="""Replace hostPath volumes with emptyDir, a PersistentVolumeClaim, a ConfigMap
    or a CSI volume; node agents that truly need the host should be exempted with a reason.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    for w in facts.workloads:
        if w.template.host_path_volumes:
            names = ", ".join(w.template.host_path_volumes)
            yield failed(w.subject, f"hostPath volumes: {names}", w.location, w.annotations)
        else:
            yield passed(w.subject, "no hostPath volumes", w.location, w.annotations)
