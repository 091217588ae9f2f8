"""k8s.image.digest-pinned: images are pinned by digest.

A tag can be moved to other content; a digest cannot.

- **Passes**: every container image of the workload carries `@sha256:...`.
- **Fails**: an image is referenced by tag only.
- **Not applicable**: workloads without containers.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.kubernetes import KubernetesFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.kubernetes._common import container_rule
from cnmm.rules.kubernetes.image_tag_pinned import image_parts


@rule(
    "k8s.image.digest-pinned",
    title="Images are pinned by digest",
    remediation="""Reference images by digest (name:tag@sha256:...), and let Renovate or
    Dependabot keep the digests current.""",
    needs="kubernetes",
)
def check(facts: KubernetesFacts) -> Iterator[Check]:
    """One finding per workload."""
    yield from container_rule(
        facts,
        lambda w, c: None if image_parts(c.image)[2] else f"{c.image or 'no image'} has no digest",
        ok_message="every image is pinned by digest",
    )
