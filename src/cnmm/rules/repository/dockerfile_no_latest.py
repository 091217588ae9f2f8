"""repo.dockerfile.no-latest: no base image uses `latest` or no tag.

`FROM node` and `FROM node:latest` build from whatever the registry serves that day: builds
are not repeatable and a major upgrade can arrive unannounced.

- **Passes**: every external base names a tag other than `latest`, or a digest (a digest
  pins the content even when the tag says latest). Build arguments in `FROM` are resolved
  from the defaults of `ARG`s declared before the first `FROM`.
- **Fails**: an external base has no tag, or the tag `latest`, and no digest.
- **Not available**: a base decided by a build argument without default, and no other
  failure.
- **Not applicable**: no external base (only `scratch` and earlier stages), or no `FROM`.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import Dockerfile, RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import dockerfile_rule, judge_base_images


def _judge(dockerfile: Dockerfile) -> Check:
    return judge_base_images(
        dockerfile,
        lambda image: image.latest_or_untagged,
        "base image uses latest or no tag",
        lambda undecided: undecided[0].base,
        lambda _external: "every base image names a version tag or digest",
    )


@rule(
    "repo.dockerfile.no-latest",
    title="Dockerfile base images avoid latest and missing tags",
    remediation="""Name an explicit version tag for every base image (`FROM node:20.11-slim`),
    ideally with its digest, and update it deliberately.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per Dockerfile."""
    yield from dockerfile_rule(facts, _judge)
