"""k8s.workload.no-host-namespaces: pods do not share the host's network, PID or IPC namespace.

- **Passes**: the pod spec sets none of `hostNetwork`, `hostPID`, `hostIPC` to true.
- **Fails**: any of them is true.
- **Not applicable**: never for workloads; other objects are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, failed, passed
from cnmm.rules.base import rule


@rule(
    "k8s.workload.no-host-namespaces",
    title="No host network, PID or IPC namespaces",
    remediation="""Remove hostNetwork, hostPID and hostIPC from the pod spec; expose ports
    through a Service instead of the host network.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    for w in facts.workloads:
        t = w.template
        used = [n for n, on in (("hostNetwork", t.host_network), ("hostPID", t.host_pid),
                                ("hostIPC", t.host_ipc)) if on]  # fmt: skip
        if used:
            yield failed(w.subject, "uses " + ", ".join(used), w.location, w.annotations)
        else:
            yield passed(w.subject, "no host namespaces", w.location, w.annotations)
