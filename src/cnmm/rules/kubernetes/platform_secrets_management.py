"""k8s.platform.secrets-management: Secrets are managed.

One finding for the whole scan (subject `Configuration/kubernetes`).

- **Passes**: External Secrets (`external-secrets.io`) or Sealed Secrets (`bitnami.com`
  SealedSecret)
objects or CRDs are present.
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
    "k8s.platform.secrets-management",
    title="Secrets are managed",
    remediation="""Keep secrets out of Git with External Secrets (from a vault) or Sealed Secrets.""",  # noqa: E501
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding for the scan."""
    yield from presence(
        facts,
        ("external-secrets", "sealed-secrets"),
        "Secrets management",
        "no External Secrets or Sealed Secrets objects",
    )
