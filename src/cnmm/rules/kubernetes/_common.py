"""Helpers shared by the Kubernetes rules (no rule lives here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cnmm.collect.kubernetes_facts import label_selector_matches, namespace_key
from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check, Subject, failed, not_applicable, passed

SCAN_SUBJECT = Subject("Configuration", "kubernetes")
SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "Rollout",
                            "ReplicationController"})  # fmt: skip


def container_rule(
    facts: KubernetesFacts,
    bad: Callable[[Workload, Container], str | None],
    containers: Callable[[Workload], tuple[Container, ...]] = lambda w: w.template.all_containers,
    applies: Callable[[Workload], str | None] = lambda w: None,
    ok_message: str = "every container complies",
) -> Iterator[Check]:
    """One check per workload: fail listing every container for which `bad` gives a reason.

    `applies` returns a reason when the rule does not apply to the workload.
    """
    for workload in facts.workloads:
        reason = applies(workload)
        if reason:
            yield not_applicable(workload.subject, reason, workload.location)
            continue
        members = containers(workload)
        if not members:
            yield not_applicable(workload.subject, "no containers", workload.location)
            continue
        problems = [
            f"{c.name or '?'}: {why}" for c in members if (why := bad(workload, c)) is not None
        ]
        if problems:
            yield failed(workload.subject, "; ".join(problems), workload.location,
                         workload.annotations)  # fmt: skip
        else:
            yield passed(workload.subject, ok_message, workload.location, workload.annotations)


def linux_only(workload: Workload) -> str | None:
    """Not-applicable reason for Linux-only securityContext fields on a Windows pod
    (`spec.os.name: windows`), where the API server rejects or ignores them."""
    if workload.template.os == "windows":
        return "Windows pod: this Linux securityContext field does not apply"
    return None


def autoscaler_for(facts: KubernetesFacts, workload: Workload, *scalers: str) -> str | None:
    """The kind of an autoscaler (hpa/vpa/keda) targeting `workload`, if any."""
    for target in facts.scalers:
        if scalers and target.scaler not in scalers:
            continue
        if (
            target.target_kind == workload.kind
            and target.target_name == workload.name
            and namespace_key(target.object.namespace) == namespace_key(workload.namespace)
        ):
            return target.scaler
    return None


def is_replicated(facts: KubernetesFacts, workload: Workload) -> bool:
    """A scalable workload not explicitly pinned to a single replica (0 or 1, no autoscaler)."""
    if workload.kind not in SCALABLE_KINDS or not workload.replicated_kind:
        return False
    if autoscaler_for(facts, workload, "hpa", "keda"):
        return True
    # An unset count is usually owned by an overlay or an autoscaler elsewhere: judge it.
    return workload.replicas is None or workload.replicas >= 2


def selects(selector: object, workload: Workload) -> bool:
    """Whether a label selector (from a PDB or policy) selects the workload's pods."""
    from collections.abc import Mapping

    if not isinstance(selector, Mapping):
        return False
    return label_selector_matches(selector, workload.template.labels)


def effective(container: Container, workload: Workload, key: str) -> object:
    """A securityContext field: the container's own value, else the pod's (when it has one)."""
    if key in container.security_context:
        return container.security_context[key]
    return workload.template.security_context.get(key)


NOTHING_SCANNED = "no Kubernetes objects were scanned"


def nothing_scanned(facts: KubernetesFacts) -> Check | None:
    """The not-applicable check a scan-wide rule gives when there is nothing to judge: a
    platform capability cannot be missing from configuration that holds no Kubernetes object
    (a repository without manifests, an empty directory)."""
    if facts.objects:
        return None
    return not_applicable(SCAN_SUBJECT, NOTHING_SCANNED)


def presence(
    facts: KubernetesFacts, names: tuple[str, ...], what: str, missing: str
) -> Iterator[Check]:
    """One finding for the scan: pass naming the evidence when any capability is present."""
    if (empty := nothing_scanned(facts)) is not None:
        yield empty
        return
    found = facts.capability(*names)
    if found:
        evidence = sorted({f"{c.name}: {c.object.kind} {c.object.name}".strip() for c in found})
        shown = ", ".join(evidence[:5]) + (
            f" (+{len(evidence) - 5} more)" if len(evidence) > 5 else ""
        )
        first = found[0].object
        from cnmm.facts.kubernetes import location_of

        yield passed(SCAN_SUBJECT, f"{what} found: {shown}", location_of(first))
    else:
        yield failed(SCAN_SUBJECT, missing)


def workloads_in(facts: KubernetesFacts, namespace: str) -> list[Workload]:
    """Workloads whose (effective) namespace is `namespace`."""
    return list(facts.workloads_by_namespace.get(namespace, ()))
