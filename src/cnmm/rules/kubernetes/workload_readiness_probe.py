"""k8s.workload.readiness-probe: long-running workloads give every regular container a readiness
probe.

Without a readiness probe, a Service sends traffic to a pod as soon as its process starts,
and keeps sending it while the pod is overloaded or draining.

- **Passes**: every container in `spec.containers` of a Deployment, StatefulSet, DaemonSet,
  ReplicaSet, ReplicationController, Argo Rollout, or a bare Pod that restarts forever
  (`restartPolicy: Always`, the default) declares `readinessProbe`.
- **Fails**: any such container has none (the message names them).
- **Not applicable**: Jobs, CronJobs, Pods with `restartPolicy` Never/OnFailure and Helm test
  hooks (they run to completion and receive no traffic); init containers and native sidecars
  are not judged.
- Deliberate differences: kube-score only demands probes on pods a Service in the same
  namespace targets; cnmm demands them on every long-running workload, since a pod may be
  targeted by a Service defined elsewhere and rolling updates count ready pods too
  (kube-score's own fixtures of unexposed Pods pass there, fail here). kube-score is content
  when one container of the pod is probed; cnmm names every unprobed container. Polaris also
  judges Jobs; cnmm does not.
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
    "k8s.workload.readiness-probe",
    title="Long-running workloads have readiness probes",
    remediation="""Add a readinessProbe (httpGet, grpc, tcpSocket or exec) to every container
    that serves traffic, checking that it can actually serve (dependencies reachable).""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts,
        lambda w, c: None if c.readiness_probe else "no readinessProbe",
        containers=lambda w: w.template.containers,
        applies=_applies,
        ok_message="every container has a readinessProbe",
    )
