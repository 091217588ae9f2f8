"""k8s.namespace.resource-quota: every namespace with workloads has a ResourceQuota.

- **Passes**: the namespace holds at least one ResourceQuota.
- **Fails**: it holds workloads but no ResourceQuota.
- **Not applicable**: namespaces without workloads (manifests without a namespace count as
  `default`).
- **Not available**: ResourceQuotas could not be read.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, Subject, failed, not_applicable, not_available, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import workloads_in


@rule(
    "k8s.namespace.resource-quota",
    title="Namespaces with workloads have a ResourceQuota",
    remediation="""Add a ResourceQuota (requests/limits for CPU and memory, object counts) to
    each namespace that runs workloads, and a LimitRange for defaults.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per namespace."""
    reason = facts.unavailable_reason("resourcequotas")
    for ns in facts.namespaces:
        subject = Subject("Namespace", ns.name)
        workloads = workloads_in(facts, ns.name)
        where = workloads[0].location if workloads else None
        if not workloads:
            yield not_applicable(subject, "no workloads", where)
        elif reason:
            yield not_available(subject, reason, where)
        elif ns.quotas:
            yield passed(subject, f"ResourceQuota {ns.quotas[0].name}", where)
        else:
            yield failed(subject, f"no ResourceQuota for {len(workloads)} workload(s)", where)
