"""k8s.workload.pdb-coverage: replicated workloads are selected by a PodDisruptionBudget.

A PDB keeps voluntary disruptions (node drains, cluster upgrades) from taking down all
replicas at once.

- **Passes**: a PodDisruptionBudget in the same namespace selects the workload's pod labels.
- **Fails**: no PDB selects it, or the only PDBs that select it allow no disruption at all
  (`maxUnavailable: 0` or `minAvailable: 100%`), which blocks node drains instead of pacing
  them.
- **Not applicable**: workloads explicitly set to `replicas: 0` or `1` without an autoscaler (a
  PDB cannot help them),
  DaemonSets, Jobs, CronJobs and bare Pods.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.collect.kubernetes_facts import namespace_key
from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import is_replicated, selects


def _blocks_all(pdb) -> bool:
    return str(pdb.max_unavailable) in ("0", "0%") or str(pdb.min_available) == "100%"


@rule(
    "k8s.workload.pdb-coverage",
    title="Replicated workloads have a PodDisruptionBudget",
    remediation="""Add a PodDisruptionBudget (policy/v1) selecting the workload's pods, e.g.
    maxUnavailable: 1, so drains and upgrades proceed one pod at a time.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per replicated workload."""
    for w in facts.workloads:
        if not is_replicated(facts, w):
            yield not_applicable(w.subject, "not a replicated workload", w.location)
            continue
        matching = [
            p for p in facts.pdbs
            if namespace_key(p.object.namespace) == namespace_key(w.namespace)
            and selects(p.selector, w)
        ]  # fmt: skip
        usable = [p for p in matching if not _blocks_all(p)]
        if usable:
            yield passed(w.subject, f"selected by PDB {usable[0].object.name}", w.location,
                         w.annotations)  # fmt: skip
        elif matching:
            yield failed(w.subject, f"PDB {matching[0].object.name} allows no disruption",
                         w.location, w.annotations)  # fmt: skip
        else:
            yield failed(w.subject, "no PodDisruptionBudget selects its pods", w.location,
                         w.annotations)  # fmt: skip
