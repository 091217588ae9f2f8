"""k8s.platform.multi-tenancy: tenants are isolated.

One finding for the whole scan.

- **Passes**: Capsule tenants (`capsule.clastix.io`) are present, or every namespace with
  workloads has both a ResourceQuota and a NetworkPolicy.
- **Fails**: otherwise (the message names the namespaces missing either).
- **Not applicable**: no workloads and no Capsule objects were found.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts, location_of
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import SCAN_SUBJECT


@rule(
    "k8s.platform.multi-tenancy",
    title="Tenants are isolated",
    remediation="""Give each team its own namespaces with ResourceQuotas and default-deny
    NetworkPolicies, or manage tenants with Capsule.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    capsule = facts.capability("capsule")
    if capsule:
        yield passed(SCAN_SUBJECT, f"Capsule: {capsule[0].detail} {capsule[0].object.name}",
                     location_of(capsule[0].object))  # fmt: skip
        return
    used = [ns for ns in facts.namespaces if ns.workloads]
    if not used:
        yield not_applicable(SCAN_SUBJECT, "no workloads and no Capsule objects")
        return
    lacking = [ns.name for ns in used if not (ns.quotas and ns.network_policies)]
    if lacking:
        yield failed(SCAN_SUBJECT, "namespaces without quota and NetworkPolicy: "
                     + ", ".join(lacking))  # fmt: skip
    else:
        yield passed(SCAN_SUBJECT, f"{len(used)} namespace(s) each with quota and NetworkPolicy")
