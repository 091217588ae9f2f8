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
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import dockerfile_rule, judge_base_images, shown


def _judge(dockerfile: Dockerfile) -> Check:
    return judge_base_images(
        dockerfile,
        lambda image: image.digest is None,
        "base image not pinned by digest",
        lambda undecided: shown([f"{s.base} (line {s.line})" for s in undecided]),
        lambda external: f"{len(external)} external base image(s) pinned by digest",
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
