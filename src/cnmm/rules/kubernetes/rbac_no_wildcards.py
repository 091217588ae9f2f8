"""k8s.rbac.no-wildcards: Roles and ClusterRoles grant no wildcard verbs or resources.

- **Passes**: no rule of the role lists `*` in `verbs` or `resources`.
- **Fails**: a rule does (the message shows it).
- **Not applicable**: aggregated ClusterRoles (their rules are filled in by the controller)
  and the cluster's own bootstrap roles (label `kubernetes.io/bootstrapping: rbac-defaults`).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts, annotations_of, location_of, subject_of
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule


@rule(
    "k8s.rbac.no-wildcards",
    title="RBAC roles grant no wildcards",
    remediation="""Replace '*' in verbs and resources with the explicit verbs and resources
    the subject needs (kubectl auth can-i --list helps find them).""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per Role/ClusterRole."""
    for role in facts.roles:
        obj = role.object
        subject, where = subject_of(obj), location_of(obj)
        labels = obj.body.get("metadata", {}).get("labels") or {}
        if (
            isinstance(labels, dict)
            and labels.get("kubernetes.io/bootstrapping") == "rbac-defaults"
        ):
            yield not_applicable(subject, "a Kubernetes bootstrap role", where)
            continue
        if role.aggregated and not role.rules:
            yield not_applicable(subject, "aggregated role: rules come from other roles", where)
            continue
        bad = [
            f"verbs {list(r.verbs)} on {list(r.resources) or list(r.non_resource_urls)}"
            for r in role.rules
            if "*" in r.verbs or "*" in r.resources
        ]
        if bad:
            yield failed(subject, "wildcard grant: " + "; ".join(bad), where, annotations_of(obj))
        else:
            yield passed(subject, "no wildcards", where, annotations_of(obj))
