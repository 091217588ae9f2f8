"""k8s.rbac.no-cluster-admin-binding: nobody outside the system is bound to cluster-admin.

- **Passes**: a RoleBinding or ClusterRoleBinding whose role is neither `cluster-admin` nor
  equivalent to it, or whose subjects are all system identities (names starting `system:`).
- **Fails**: a binding grants `cluster-admin`, or a role equivalent to it (a rule granting
  every verb, `*` or get/list/watch/create/update/patch/delete, on `*` resources in `*`
  API groups, found among the scanned roles), to a user, group or service account that is not
  a system identity; a RoleBinding counts too (full control of the namespace).
- **Not applicable**: bindings named `system:*`, `gce:*`, `eks:*`, `aks:*` (created and
  reconciled by the control plane or the cloud provider; editing them is not possible).
- Difference: Polaris also flags cluster-admin granted to `system:` subjects; cnmm accepts those,
  since the control plane's own identities legitimately hold it.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts, annotations_of, location_of, subject_of
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule

# Bindings the control plane or the cloud provider creates and reconciles.
CONTROL_PLANE_PREFIXES = ("system:", "gce:", "eks:", "aks:")


ALL_VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete"})


def admin_equivalent(facts: KubernetesFacts, kind: str, name: str, namespace: str | None) -> bool:
    """Whether the referenced role is cluster-admin or grants the same (every verb on `*`)."""
    if kind == "ClusterRole" and name == "cluster-admin":
        return True
    for role in facts.roles:
        obj = role.object
        if obj.kind != kind or obj.name != name:
            continue
        if kind == "Role" and obj.namespace != namespace:
            continue
        for r in role.rules:
            if (
                "*" in r.api_groups
                and "*" in r.resources
                and ("*" in r.verbs or set(r.verbs) >= ALL_VERBS)
            ):
                return True
    return False


@rule(
    "k8s.rbac.no-cluster-admin-binding",
    title="No cluster-admin bindings outside system subjects",
    remediation="""Bind a role with only the permissions the subject needs; keep cluster-admin
    for break-glass access by a small group, outside the deployed configuration.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per binding."""
    for binding in facts.bindings:
        obj = binding.object
        subject, where = subject_of(obj), location_of(obj)
        if obj.name.startswith(CONTROL_PLANE_PREFIXES):
            yield not_applicable(subject, "a control-plane managed binding", where)
            continue
        if not admin_equivalent(facts, binding.role_kind, binding.role_name, obj.namespace):
            yield passed(subject, f"binds {binding.role_kind} {binding.role_name}", where,
                         annotations_of(obj))  # fmt: skip
            continue
        outsiders = [
            f"{s.kind} {s.namespace + '/' if s.namespace else ''}{s.name}"
            for s in binding.subjects
            if not s.name.startswith("system:")
        ]
        if outsiders:
            yield failed(subject, "cluster-admin granted to " + ", ".join(outsiders), where,
                         annotations_of(obj))  # fmt: skip
        else:
            yield passed(subject, "cluster-admin bound to system subjects only", where,
                         annotations_of(obj))  # fmt: skip
