"""repo.ci.builds-images: CI builds the container images.

Images built by hand on a laptop are neither reproducible nor traceable. Counted as an
image build: `docker build`/`docker buildx build|bake`/`docker compose build`, `podman` and
`buildah` builds, kaniko (`/kaniko/executor`, kaniko images and actions), `ko build`,
`pack build` (buildpacks), `skaffold build|run`, Jib and Spring Boot `build-image`
(Maven/Gradle), `docker/build-push-action`, goreleaser with `dockers`/`kos` configured,
`gcloud builds submit`, Tekton catalog build tasks (buildah, kaniko, ...), Cloud Build
`images:`; `make <target>` and scripts are followed to the command.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: a pipeline step builds an image.
- **Fails**: the directory has a Dockerfile/Containerfile but no pipeline builds an image.
- **Not applicable**: no CI pipeline, or nothing to build (no Dockerfile/Containerfile in
  the directory and no image build in CI).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import IMAGE_BUILD, Pipeline
from cnmm.facts.repository import RepositoryFacts, RepositoryRoot
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import of_kind, presence, within


@rule(
    "repo.ci.builds-images",
    title="CI builds container images",
    remediation="""Build the image in CI from the repository's Dockerfile, e.g. with
    `docker/build-push-action` (GitHub), kaniko or buildah (GitLab, Tekton), `ko build` for
    Go services, so every image is traceable to a commit.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""

    def applies(root: RepositoryRoot, pipelines: list[Pipeline]) -> str | None:
        if of_kind(pipelines, IMAGE_BUILD):
            return None
        if any(within(d.path, root.path) for d in facts.dockerfiles):
            return None
        return "no Dockerfile/Containerfile and no image build: nothing to build"

    yield from presence(
        facts,
        IMAGE_BUILD,
        "CI builds images",
        "a Dockerfile exists but no pipeline step builds an image",
        applies,
    )
