"""repo.dockerfile.non-root-user: the image's final stage runs as a non-root user.

A container that runs as root turns any escape or file-system bug into full control of the
container (and often of the node). The user that counts is the one in effect in the stage
`docker build` produces without `--target`: the last stage.

- **Passes**: the last `USER` in the final stage — or, when the final stage has none, in the
  stage it is built `FROM`, followed back through stage names — is neither `root` nor uid
  `0` (with or without a group: `0:0`, `root:wheel` are root). A base image whose tag says it
  runs as non-root (`gcr.io/distroless/...:nonroot`) also passes without a USER.
- **Fails**: the last USER is root, or no USER is set anywhere in that chain (the container
  then runs as the base image's default user, which is root for almost every base image).
- **Not available**: `USER $NAME` where the variable has no value that cnmm can resolve from
  ENV or ARG defaults (the user is decided at build time).
- **Not applicable**: a file without `FROM`.

Differs from hadolint DL3002 (which only flags an explicit last `USER root`): cnmm also fails
a final stage with no USER at all, since that too runs as root.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import USER_NON_ROOT, USER_UNKNOWN, Dockerfile, RepositoryFacts
from cnmm.findings import Check, Location, failed, not_available, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import dockerfile_rule, dockerfile_subject


def _judge(dockerfile: Dockerfile) -> Check:
    final = dockerfile.final_stage
    line = dockerfile.final_user_line or (final.line if final else None)
    where = Location(dockerfile.path, line)
    subject = dockerfile_subject(dockerfile)
    note = dockerfile.final_user_note
    if dockerfile.final_user_state == USER_NON_ROOT:
        return passed(subject, f"final stage runs as non-root: {note}", where)
    if dockerfile.final_user_state == USER_UNKNOWN:
        return not_available(subject, note, where)
    return failed(subject, f"final stage runs as root: {note}", where)


@rule(
    "repo.dockerfile.non-root-user",
    title="Dockerfile final stage runs as a non-root user",
    remediation="""Create an unprivileged user in the final stage (or use a base image that has
    one, such as distroless :nonroot) and end the stage with `USER <uid>` using a numeric,
    non-zero uid so Kubernetes can verify runAsNonRoot.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per Dockerfile."""
    yield from dockerfile_rule(facts, _judge)
