"""k8s.namespace.network-policy: every namespace with workloads has NetworkPolicy coverage.

- **Passes**: every workload in the namespace is isolated for both ingress and egress by the
  NetworkPolicies (or CiliumNetworkPolicies) of that namespace that select its pods; a
  policy with an empty `podSelector` selects all pods. A policy isolates the directions in
  its `policyTypes` (default: Ingress, plus Egress when it has egress rules).
- **Fails**: the namespace has no policy, or some workloads are not isolated in both
  directions (they are named).
- Difference: Polaris also fails a policy that lists Egress in `policyTypes` with no egress
  rules; cnmm counts that as isolation (it denies all egress, which is stricter).
- **Not applicable**: namespaces without workloads. Manifests without a namespace are judged
  as namespace `default`.
- **Not available**: the NetworkPolicies could not be read (e.g. forbidden on a cluster).
- Granularity: Polaris and kube-score report per pod; cnmm reports per namespace and names the
  uncovered workloads in the message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cnmm.collect.kubernetes_facts import namespace_key
from cnmm.facts.kubernetes import KubernetesFacts, NetworkPolicy, Workload
from cnmm.findings import Check, Location, Subject, failed, not_applicable, not_available, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import selects, workloads_in

RESOURCE = "networkpolicies.networking.k8s.io"


def policy_types(policy: NetworkPolicy) -> set[str]:
    """Directions a policy isolates (Kubernetes defaults: Ingress, plus Egress with rules)."""
    spec = policy.object.body.get("spec")
    spec = spec if isinstance(spec, Mapping) else {}
    declared = spec.get("policyTypes")
    if isinstance(declared, list) and declared:
        return {str(t) for t in declared}
    if policy.flavour == "cilium":
        return {"Ingress", "Egress"} & {k.title() for k in spec if k in ("ingress", "egress")}
    return {"Ingress"} | ({"Egress"} if spec.get("egress") else set())


def _isolation(policies: list[NetworkPolicy], workload: Workload) -> set[str]:
    covered: set[str] = set()
    for policy in policies:
        if selects(policy.pod_selector, workload):
            covered |= policy_types(policy)
    return covered & {"Ingress", "Egress"}


@rule(
    "k8s.namespace.network-policy",
    title="Namespaces with workloads have NetworkPolicies",
    remediation="""Add a default-deny NetworkPolicy (empty podSelector, policyTypes Ingress and
    Egress) to the namespace, then policies allowing the traffic each workload needs.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per namespace."""
    reason = facts.unavailable_reason(RESOURCE)
    for ns in facts.namespaces:
        subject = Subject("Namespace", ns.name)
        workloads = workloads_in(facts, ns.name)
        where: Location | None = workloads[0].location if workloads else None
        if not workloads:
            yield not_applicable(subject, "no workloads", where)
            continue
        if reason:
            yield not_available(subject, reason, where)
            continue
        policies = [p for p in facts.network_policies
                    if namespace_key(p.object.namespace) == ns.name]  # fmt: skip
        if not policies:
            yield failed(subject, f"no NetworkPolicy for {len(workloads)} workload(s)", where)
            continue
        uncovered = [str(w.subject) for w in workloads
                     if _isolation(policies, w) != {"Ingress", "Egress"}]  # fmt: skip
        if uncovered:
            yield failed(subject, "not isolated for both ingress and egress: " + ", ".join(uncovered),  # noqa: E501
                         where)  # fmt: skip
        else:
            yield passed(subject, f"{len(policies)} NetworkPolicy object(s) cover every workload",
                         where)  # fmt: skip
