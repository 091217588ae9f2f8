"""k8s.workload.topology-spread: replicated workloads spread their pods across nodes or zones.

Replicas that share one node or zone fail together.

- **Passes**: the pod template declares `topologySpreadConstraints` or a pod anti-affinity
  (required or preferred) whose label selector selects the workload's own pods.
- **Fails**: neither, or the selectors select other pods (the spread then does nothing).
- **Not applicable**: workloads explicitly set to `replicas: 0` or `1` without an autoscaler,
  DaemonSets, Jobs, CronJobs
  and bare Pods.
- Differences: kube-score demands anti-affinity on the hostname key specifically and Polaris
  demands spread constraints on both hostname and zone; cnmm accepts either mechanism on any
  topology key, because both express the intent and the right key depends on the cluster.
  Unlike Polaris, a spread constraint whose labelSelector selects other pods fails: it does
  not spread this workload.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import is_replicated, selects


def _anti_affinity_terms(affinity: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    anti = affinity.get("podAntiAffinity")
    if not isinstance(anti, Mapping):
        return []
    terms = [t for t in anti.get("requiredDuringSchedulingIgnoredDuringExecution") or []
             if isinstance(t, Mapping)]  # fmt: skip
    for item in anti.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
        if isinstance(item, Mapping) and isinstance(item.get("podAffinityTerm"), Mapping):
            terms.append(item["podAffinityTerm"])
    return terms


@rule(
    "k8s.workload.topology-spread",
    title="Replicated workloads declare topology spread or anti-affinity",
    remediation="""Add topologySpreadConstraints (e.g. topologyKey topology.kubernetes.io/zone
    and kubernetes.io/hostname, maxSkew 1) or a preferred podAntiAffinity on the pod labels.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per replicated workload."""
    for w in facts.workloads:
        if not is_replicated(facts, w):
            yield not_applicable(w.subject, "not a replicated workload", w.location)
            continue
        # A constraint without labelSelector still states the intent (Polaris accepts it).
        spread = [
            c
            for c in w.template.topology_spread
            if c.get("labelSelector") is None or selects(c.get("labelSelector"), w)
        ]
        anti = [t for t in _anti_affinity_terms(w.template.affinity)
                if selects(t.get("labelSelector"), w)]  # fmt: skip
        if spread:
            yield passed(w.subject, "topologySpreadConstraints set", w.location, w.annotations)
        elif anti:
            yield passed(w.subject, "podAntiAffinity set", w.location, w.annotations)
        elif w.template.topology_spread or _anti_affinity_terms(w.template.affinity):
            yield failed(w.subject, "spread/anti-affinity selectors do not select its own pods",
                         w.location, w.annotations)  # fmt: skip
        else:
            yield failed(w.subject, "no topologySpreadConstraints or podAntiAffinity",
                         w.location, w.annotations)  # fmt: skip
