"""k8s.secrets.no-configmap-secrets: ConfigMaps hold no secret-looking values.

ConfigMaps are readable by anyone who may read configuration and are not encrypted at rest.

- **Passes**: no key of the ConfigMap has a secret-looking name with a literal value, and no
  value contains a credential-shaped string (private key block, cloud access key, token).
- **Fails**: one does.
- **Not applicable**: ConfigMaps without data. Only ConfigMaps are judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts, annotations_of, location_of, subject_of
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules._credentials import credential_shaped
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._secrets import secret_reason


@rule(
    "k8s.secrets.no-configmap-secrets",
    title="No secrets in ConfigMaps",
    remediation="""Move secret values out of the ConfigMap into a Secret (ideally managed by
    External Secrets or Sealed Secrets) and mount or reference that instead.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per ConfigMap."""
    for cm in facts.config_maps:
        subject, where = subject_of(cm.object), location_of(cm.object)
        if not cm.data:
            yield not_applicable(subject, "no data", where)
            continue
        problems = []
        for key, value in cm.data.items():
            if "\n" in value:  # a file: only credential-shaped content counts
                if credential_shaped(value):
                    problems.append(f"{key} contains a credential-shaped value")
            elif reason := secret_reason(key, value):
                problems.append(reason)
        if problems:
            yield failed(subject, "; ".join(problems), where, annotations_of(cm.object))
        else:
            yield passed(subject, "no secret-looking values", where, annotations_of(cm.object))
