"""k8s.platform.gitops: GitOps in use (Argo CD or Flux).

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: Argo CD (Application, ApplicationSet, AppProject, or its CRDs/images) or Flux
(`*.fluxcd.io` objects: toolkit controllers, extensions) is present in the scanned configuration.
- **Fails**: none of them is found. The judgement covers only what was scanned: point cnmm at
  the platform repository or a cluster to see platform-level objects.
- **Not applicable**: no Kubernetes object at all was scanned (nothing to judge).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import presence


@rule(
    "k8s.platform.gitops",
    title="GitOps in use (Argo CD or Flux)",
    remediation="""Manage deployments with Argo CD Applications or Flux Kustomizations/HelmReleases
    reconciling this repository.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(
        facts,
        ("argocd", "flux"),
        "Argo CD or Flux",
        "no Argo CD or Flux objects in the scanned configuration",
    )
