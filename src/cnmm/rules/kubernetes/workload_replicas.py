"""k8s.workload.replicas: scalable workloads run two or more replicas, or are autoscaled.

A single replica means every node drain, rollout or crash is an outage.

- **Passes**: a Deployment, StatefulSet, ReplicaSet, ReplicationController or Argo Rollout sets
  `replicas` of 2 or more, or is the target of an HPA or a KEDA ScaledObject (which then owns
  the replica count).
- **Fails**: `replicas` is 1, 0 or unset (the default is 1) and nothing autoscales it.
- **Not applicable**: DaemonSets (one pod per node), Jobs, CronJobs and bare Pods; a
  Deployment an Argo Rollout runs through `spec.workloadRef` (the Rollout owns the replica
  count, and the Deployment is meant to be scaled to zero).
- Difference: kube-score skips workloads targeted by an HPA (cnmm counts them as passing) and
  only judges Deployments a Service targets. Polaris' own fixtures use `apiVersion: v1` for
  Deployments; cnmm matches kinds by API group, so such objects are not workloads at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cnmm.collect.kubernetes_facts import namespace_key
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
    referenced = _rollout_workload_refs(facts)
    for w in facts.workloads:
        if w.kind not in SCALABLE_KINDS or not w.replicated_kind:
            yield not_applicable(w.subject, f"{w.kind} has no replica count", w.location)
            continue
        rollout = referenced.get((w.kind, namespace_key(w.namespace), w.name))
        if rollout:
            yield not_applicable(
                w.subject, f"its pods are run by Argo Rollout {rollout} (workloadRef)", w.location
            )
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


def _rollout_workload_refs(facts: KubernetesFacts) -> dict[tuple[str, str, str], str]:
    """(kind, namespace, name) of the workloads Argo Rollouts run via `spec.workloadRef`,
    with the Rollout's name."""
    found: dict[tuple[str, str, str], str] = {}
    for obj in facts.objects:
        if obj.kind != "Rollout" or obj.group != "argoproj.io":
            continue
        spec = obj.body.get("spec")
        ref = spec.get("workloadRef") if isinstance(spec, Mapping) else None
        if isinstance(ref, Mapping) and isinstance(ref.get("name"), str):
            kind = str(ref.get("kind") or "Deployment")
            found[(kind, namespace_key(obj.namespace), ref["name"])] = obj.name
    return found
