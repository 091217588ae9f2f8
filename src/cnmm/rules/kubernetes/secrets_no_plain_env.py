"""k8s.secrets.no-plain-env: no secret-looking literal values in container environments.

- **Passes**: no container env var both has a secret-looking name (password, token, secret,
  api key, private key, credential, ...) and a literal `value`, and no literal value looks
  like a credential (private key block, AWS access key id, GitHub/Slack/Stripe tokens).
- **Fails**: one does; use `valueFrom.secretKeyRef` instead. Names that point at a secret
  (`*_FILE`, `*_PATH`, `*_URL`, ...) and placeholders (`$(VAR)`, empty, `changeme`) do not
  count.
- **Not applicable**: workloads without containers.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import Container, KubernetesFacts, Workload
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule
from cnmm.rules.kubernetes._secrets import secret_reason


def _plain(w: Workload, c: Container) -> str | None:
    found = [r for e in c.env if (r := secret_reason(e.name, e.value))]
    return "; ".join(found) or None


@rule(
    "k8s.secrets.no-plain-env",
    title="No secrets in plain environment variables",
    remediation="""Move the value into a Secret (or an External Secret / Sealed Secret) and
    reference it with env[].valueFrom.secretKeyRef or envFrom.secretRef.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(facts, _plain, ok_message="no plain secrets in env")
