"""k8s.workload.sa-token-automount: the service-account token is not mounted unless needed.

Most applications never call the Kubernetes API; a mounted token is then only useful to an
attacker.

- **Passes**: the pod spec sets `automountServiceAccountToken: false`, or leaves it unset and
  its ServiceAccount (found among the scanned objects, same namespace) sets it to false.
- **Fails**: the pod sets it true, or nothing disables it (the default mounts the token).
- **Not applicable**: never for workloads. A workload that genuinely talks to the API should
  be exempted with a reason (`cnmm.io/exempt` annotation).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.collect.kubernetes_facts import namespace_key
from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check, failed, passed
from cnmm.rules.base import rule


@rule(
    "k8s.workload.sa-token-automount",
    title="Service-account tokens are not automounted",
    remediation="""Set automountServiceAccountToken: false on the pod spec (or on its
    ServiceAccount) unless the application calls the Kubernetes API.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    accounts = {
        (namespace_key(sa.namespace), sa.name): sa.body.get("automountServiceAccountToken")
        for sa in facts.service_accounts
    }
    for w in facts.workloads:
        pod = w.template.automount_token
        account = w.template.service_account or "default"
        from_sa = accounts.get((namespace_key(w.namespace), account))
        if pod is False:
            yield passed(w.subject, "pod disables token automount", w.location, w.annotations)
        elif pod is True:
            yield failed(w.subject, "pod sets automountServiceAccountToken: true", w.location,
                         w.annotations)  # fmt: skip
        elif from_sa is False:
            yield passed(w.subject, f"ServiceAccount {account} disables token automount",
                         w.location, w.annotations)  # fmt: skip
        else:
            yield failed(w.subject, f"token of ServiceAccount {account} is mounted (default)",
                         w.location, w.annotations)  # fmt: skip
