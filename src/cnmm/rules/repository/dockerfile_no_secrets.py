"""repo.dockerfile.no-secrets: no secrets written into ENV or ARG.

`ENV` values are stored in the image for anyone who pulls it, and `ARG` values are kept in
the image history; a password or token written there is published with the image.

- **Passes**: no ENV or ARG (in any stage) sets a secret-looking name to a literal value.
- **Fails**: an ENV or ARG whose name says secret (`DB_PASSWORD`, `API_KEY`, `npmToken`,
  `SECRET_KEY`, ...) has a literal value, or any value has the shape of a known credential
  (private key block, AWS access key id, GitHub/GitLab/Slack/Stripe tokens).
- **Not applicable**: a file without `FROM`.

Not counted: an ARG without a value (`ARG NPM_TOKEN`, filled at build time — prefer
`RUN --mount=type=secret`), values that are only a variable reference (`${TOKEN}`), names
that point at a secret rather than hold it (`PASSWORD_FILE`, `TOKEN_URL`, `KEY_ID`) and
public key material (`GPG_KEY`, `PUBLIC_KEY`).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import Dockerfile, RepositoryFacts
from cnmm.findings import Check, Location, failed, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import dockerfile_rule, dockerfile_subject, shown
from cnmm.rules.repository._secrets import secret_reason


def _judge(dockerfile: Dockerfile) -> Check:
    subject = dockerfile_subject(dockerfile)
    found = [
        (setting, reason)
        for setting in dockerfile.settings
        if (reason := secret_reason(setting.name, setting.value)) is not None
    ]
    if found:
        reasons = [f"{s.instruction} {why} (line {s.line})" for s, why in found]
        return failed(subject, shown(reasons), Location(dockerfile.path, found[0][0].line))
    return passed(subject, "no secret-looking ENV/ARG values", Location(dockerfile.path))


@rule(
    "repo.dockerfile.no-secrets",
    title="Dockerfile keeps secrets out of ENV and ARG",
    remediation="""Remove the value and rotate the secret; pass build-time secrets with
    `RUN --mount=type=secret,id=...` and runtime secrets through the orchestrator (Kubernetes
    Secrets, a secrets manager), never through ENV or ARG.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per Dockerfile."""
    yield from dockerfile_rule(facts, _judge)
