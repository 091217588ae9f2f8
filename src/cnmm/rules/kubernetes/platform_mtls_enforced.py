"""k8s.platform.mtls-enforced: a service mesh enforces mutual TLS.

One finding for the whole scan.

- **Passes**: an Istio `PeerAuthentication` (security.istio.io) without a workload selector
  sets `mtls.mode: STRICT` (mesh- or namespace-wide), or Linkerd enforces authenticated
  traffic (a `MeshTLSAuthentication`, or a `config.linkerd.io/default-inbound-policy` of
  `all-authenticated`/`cluster-authenticated`).
- **Fails**: a mesh is present but mTLS is only permissive (Istio's and Linkerd's defaults
  accept plain text), or no mesh is found at all.
- **Not applicable**: no Kubernetes object at all was scanned (nothing to judge).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cnmm.facts.kubernetes import KubernetesFacts, location_of
from cnmm.findings import Check, failed, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import SCAN_SUBJECT, nothing_scanned

STRICT_INBOUND = ("all-authenticated", "cluster-authenticated")


@rule(
    "k8s.platform.mtls-enforced",
    title="mTLS is enforced",
    remediation="""Apply an Istio PeerAuthentication with mtls.mode STRICT in the root
    namespace (or per namespace), or set Linkerd's default inbound policy to
    all-authenticated.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    if (empty := nothing_scanned(facts)) is not None:
        yield empty
        return
    for obj in facts.objects:
        spec = obj.body.get("spec")
        spec = spec if isinstance(spec, Mapping) else {}
        if obj.group == "security.istio.io" and obj.kind == "PeerAuthentication":
            mtls = spec.get("mtls")
            mode = mtls.get("mode") if isinstance(mtls, Mapping) else None
            if mode == "STRICT" and not spec.get("selector"):
                scope = f"namespace {obj.namespace}" if obj.namespace else "mesh"
                yield passed(SCAN_SUBJECT, f"Istio PeerAuthentication {obj.name}: STRICT ({scope})",
                             location_of(obj))  # fmt: skip
                return
        if obj.group == "policy.linkerd.io" and obj.kind == "MeshTLSAuthentication":
            yield passed(
                SCAN_SUBJECT, f"Linkerd MeshTLSAuthentication {obj.name}", location_of(obj)
            )
            return
        metadata = obj.body.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        if isinstance(annotations, Mapping) and (
            annotations.get("config.linkerd.io/default-inbound-policy") in STRICT_INBOUND
        ):
            yield passed(SCAN_SUBJECT, f"Linkerd default inbound policy on {obj.kind} {obj.name}",
                         location_of(obj))  # fmt: skip
            return
    meshes = facts.capability("istio", "linkerd")
    if meshes:
        yield failed(SCAN_SUBJECT, f"{meshes[0].name} present but mTLS is not enforced (permissive)",  # noqa: E501
                     location_of(meshes[0].object))  # fmt: skip
    else:
        yield failed(SCAN_SUBJECT, "no service mesh enforcing mTLS found")
