"""k8s.workload.autoscaling: long-running scalable workloads are targeted by an autoscaler.

- **Passes**: a HorizontalPodAutoscaler, VerticalPodAutoscaler or KEDA ScaledObject in the
  same namespace targets the workload (by kind and name).
- **Fails**: nothing targets it.
- **Not applicable**: DaemonSets (scaled by the node count), Jobs, CronJobs and bare Pods.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import SCALABLE_KINDS, autoscaler_for


@rule(
    "k8s.workload.autoscaling",
    title="Long-running workloads are autoscaled",
    remediation="""Add a HorizontalPodAutoscaler (or a KEDA ScaledObject for event-driven load,
    or a VerticalPodAutoscaler for right-sizing) targeting the workload.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per scalable workload."""
    for w in facts.workloads:
        if w.kind not in SCALABLE_KINDS or not w.replicated_kind:
            yield not_applicable(w.subject, f"{w.kind} is not horizontally scalable", w.location)
            continue
        scaler = autoscaler_for(facts, w)
        if scaler:
            yield passed(w.subject, f"targeted by {scaler}", w.location, w.annotations)
        else:
            yield failed(w.subject, "no HPA, VPA or ScaledObject targets it", w.location,
                         w.annotations)  # fmt: skip
