"""k8s.platform.multi-cluster: several clusters are managed as one fleet.

One finding for the whole scan.

- **Passes**: Karmada or Cluster API objects are present, or Argo CD manages other clusters
  (cluster Secrets labelled `argocd.argoproj.io/secret-type: cluster`, or an ApplicationSet
  with a `clusters` generator), or a Flux Kustomization/HelmRelease deploys through
  `spec.kubeConfig`.
- **Fails**: none of these is found.
- **Not applicable**: no Kubernetes object at all was scanned (nothing to judge).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cnmm.facts.kubernetes import KubernetesFacts, location_of
from cnmm.findings import Check, failed, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import SCAN_SUBJECT, nothing_scanned


def _multi(obj) -> str | None:
    spec = obj.body.get("spec")
    spec = spec if isinstance(spec, Mapping) else {}
    metadata = obj.body.get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    if (
        obj.group == ""
        and obj.kind == "Secret"
        and isinstance(labels, Mapping)
        and (labels.get("argocd.argoproj.io/secret-type") == "cluster")
    ):
        return f"Argo CD cluster Secret {obj.name}"
    if obj.group == "argoproj.io" and obj.kind == "ApplicationSet":
        generators = spec.get("generators")
        text = repr(generators)
        if "'clusters'" in text:
            return f"ApplicationSet {obj.name} with a clusters generator"
    if obj.group.endswith("toolkit.fluxcd.io") and spec.get("kubeConfig"):
        return f"Flux {obj.kind} {obj.name} with kubeConfig"
    return None


@rule(
    "k8s.platform.multi-cluster",
    title="Multi-cluster management in use",
    remediation="""Manage clusters as a fleet (Cluster API for their lifecycle, Argo CD
    ApplicationSets, Flux or Karmada to distribute workloads).""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    if (empty := nothing_scanned(facts)) is not None:
        yield empty
        return
    fleet = facts.capability("karmada", "cluster-api")
    if fleet:
        c = fleet[0]
        yield passed(SCAN_SUBJECT, f"{c.name}: {c.detail} {c.object.name}", location_of(c.object))
        return
    for obj in facts.objects:
        if why := _multi(obj):
            yield passed(SCAN_SUBJECT, why, location_of(obj))
            return
    yield failed(SCAN_SUBJECT, "no Karmada, Cluster API or multi-cluster Argo CD/Flux objects")
