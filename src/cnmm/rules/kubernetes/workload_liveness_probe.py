"""k8s.workload.liveness-probe: long-running workloads give every regular container a liveness
probe.

A liveness probe lets the kubelet restart a container that is stuck (deadlocked, wedged)
rather than leaving it up and useless.

- **Passes**: every container in `spec.containers` of a long-running workload (Deployment,
  StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Argo Rollout, or a bare Pod with
  `restartPolicy: Always`) declares `livenessProbe`.
- **Fails**: any such container has none.
- **Not applicable**: Jobs, CronJobs, one-off Pods and Helm test hooks.
- Deliberate differences: as for readiness probes (kube-score limits this to Service targets).
  cnmm does not fail identical liveness and readiness probes (kube-score does): that is a
  judgement call, not a fact about the configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule


def _applies(w):
    return None if w.long_running else "not a long-running workload: probes are not needed"


@rule(
    "k8s.workload.liveness-probe",
    title="Long-running workloads have liveness probes",
    remediation="""Add a livenessProbe to every long-running container that detects a stuck
    process (keep it cheap and independent of downstream services).""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts,
        lambda w, c: None if c.liveness_probe else "no livenessProbe",
        containers=lambda w: w.template.containers,
        applies=_applies,
        ok_message="every container has a livenessProbe",
    )
