"""repo.dockerfile.base-digest-pinned: external base images are pinned by digest.

A tag can be moved to different content at any time; a digest (`@sha256:...`) cannot, so a
build from a pinned base is repeatable and cannot silently pick up a changed image.

- **Passes**: every `FROM` that names an image from a registry carries a digest
  (`golang:1.22@sha256:...`). Build arguments in `FROM` are resolved from the defaults of
  `ARG`s declared before the first `FROM`.
- **Fails**: an external base is referenced by tag (or by nothing) only.
- **Not available**: the only bases not known to be pinned come from build arguments without
  a default (`FROM ${BASE}`): the image is decided at build time.
- **Not applicable**: no external base — only `scratch` and earlier stages (`FROM builder`),
  which are not images to pin — or a file without `FROM`.

Images pulled by `COPY --from=<image>` are listed in the inventory but not judged here.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import Dockerfile, RepositoryFacts
from cnmm.findings import Check, Location, failed, not_applicable, not_available, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import dockerfile_rule, dockerfile_subject, shown


def _judge(dockerfile: Dockerfile) -> Check:
    subject = dockerfile_subject(dockerfile)
    external = dockerfile.external_stages
    unresolved = dockerfile.unresolved_stages
    loose = [s for s in external if s.image is not None and s.image.digest is None]
    if loose:
        names = [f"{s.image.text if s.image else s.base} (line {s.line})" for s in loose]
        return failed(
            subject,
            f"base image not pinned by digest: {shown(names)}",
            Location(dockerfile.path, loose[0].line),
        )
    if unresolved:
        names = [f"{s.base} (line {s.line})" for s in unresolved]
        return not_available(
            subject,
            f"base image decided by a build argument without default: {shown(names)}",
            Location(dockerfile.path, unresolved[0].line),
        )
    if not external:
        return not_applicable(
            subject,
            "no external base image (only scratch or earlier stages)",
            Location(dockerfile.path),
        )
    return passed(
        subject,
        f"{len(external)} external base image(s) pinned by digest",
        Location(dockerfile.path, external[0].line),
    )


@rule(
    "repo.dockerfile.base-digest-pinned",
    title="Dockerfile base images are pinned by digest",
    remediation="""Reference base images as name:tag@sha256:<digest> (keep the tag for
    readability) and let Renovate or Dependabot update the digest.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per Dockerfile."""
    yield from dockerfile_rule(facts, _judge)
