"""k8s.workload.replicas: scalable workloads run two or more replicas, or are autoscaled.

A single replica means every node drain, rollout or crash is an outage.

- **Passes**: a Deployment, StatefulSet, ReplicaSet, ReplicationController or Argo Rollout sets
  `replicas` of 2 or more, or is the target of an HPA or a KEDA ScaledObject (which then owns
  the replica count).
- **Fails**: `replicas` is 1, 0 or unset (the default is 1) and nothing autoscales it.
- **Not applicable**: DaemonSets (one pod per node), Jobs, CronJobs and bare Pods.
- Difference: kube-score skips workloads targeted by an HPA (cnmm counts them as passing) and
  only judges Deployments a Service targets. Polaris' own fixtures use `apiVersion: v1` for
  Deployments; cnmm matches kinds by API group, so such objects are not workloads at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import SCALABLE_KINDS, autoscaler_for


@rule(
    "k8s.workload.replicas",
    title="Scalable workloads run 2+ replicas or are autoscaled",
    remediation="""Set spec.replicas to at least 2 (spread across nodes), or let an HPA or a
    KEDA ScaledObject with minReplicas >= 2 manage the replica count.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    for w in facts.workloads:
        if w.kind not in SCALABLE_KINDS or not w.replicated_kind:
            yield not_applicable(w.subject, f"{w.kind} has no replica count", w.location)
            continue
        scaler = autoscaler_for(facts, w, "hpa", "keda")
        replicas = w.replicas if w.replicas is not None else 1
        if scaler:
            yield passed(w.subject, f"autoscaled ({scaler})", w.location, w.annotations)
        elif replicas >= 2:
            yield passed(w.subject, f"{replicas} replicas", w.location, w.annotations)
        else:
            shown = "unset (defaults to 1)" if w.replicas is None else str(replicas)
            yield failed(w.subject, f"replicas {shown} and not autoscaled", w.location,
                         w.annotations)  # fmt: skip
