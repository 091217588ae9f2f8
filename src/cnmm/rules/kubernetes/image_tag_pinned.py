"""k8s.image.tag-pinned: images name an explicit tag other than `latest`, or a digest.

- **Passes**: every container image of the workload has a digest (`@sha256:...`) or a tag
  that is not `latest`.
- **Fails**: an image has no tag (which means `latest`) or the tag `latest`.
- **Passes** too: `ko://<import path>` references (knative and other ko-built projects):
  not an image name but a Go package that `ko resolve` builds and replaces with a
  digest-pinned reference, so it never means `latest`. Likewise an untagged (or `latest`)
  reference to an image that a skaffold configuration in the scan builds
  (`build.artifacts[].image`, e.g. `image: frontend`): `skaffold run` and `skaffold render`
  replace it with the tag they built. (`inventory.images.latest_or_untagged` still counts
  such references: the files as written name no tag.)
- **Not applicable**: workloads without containers; images left empty (e.g. filled in by a
  Kustomize `images:` transformer that was not rendered) are reported as failing, since the
  configuration as scanned does not pin them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule


def image_parts(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else None
    repository = name[: len(name) - len(tag) - 1] if tag is not None else name
    return repository, tag, digest or None


KO_PREFIX = "ko://"  # a Go import path that ko builds and pins by digest at release


def unpinned(image: str, built: Collection[str] = ()) -> str | None:
    """Why an image is not pinned by tag or digest, or None when it is (`built`: images a
    build tool tags at deploy time)."""
    if not image:
        return "no image"
    if image.startswith(KO_PREFIX):
        return None
    repository, tag, digest = image_parts(image)
    if digest or repository in built:
        return None
    if tag is None:
        return f"{image} has no tag (means latest)"
    if tag == "latest":
        return f"{image} uses latest"
    return None


@rule(
    "k8s.image.tag-pinned",
    title="Images are pinned to a tag or digest",
    remediation="""Reference every image by an immutable version tag (e.g. app:1.4.2) or,
    better, by digest (app@sha256:...); never by latest or without a tag.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts,
        lambda w, c: unpinned(c.image, facts.built_images),
        ok_message="every image is pinned",
    )
