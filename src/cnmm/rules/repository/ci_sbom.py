"""repo.ci.sbom: CI generates a software bill of materials (SBOM).

An SBOM lists what an artifact contains, so consumers can answer "are we affected?" when
the next vulnerability is published. Counted: `syft` (and `anchore/sbom-action`),
CycloneDX tools (`cyclonedx-py`, `cyclonedx-gomod`, `cyclonedx-npm`, Maven/Gradle CycloneDX
plugins, `cdxgen`...), `docker buildx build --sbom` / `--attest type=sbom` and
`docker/build-push-action` with `sbom: true`, goreleaser with `sboms:` configured, Trivy
with `--format cyclonedx|spdx`, `bom generate`, `sbom-tool`, `docker sbom`, `ko --sbom`,
`cosign attest --type spdx|cyclonedx`, `actions/attest-sbom`. An SPDX licence header in a
source file is not an SBOM.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: a pipeline step generates an SBOM.
- **Fails**: the CI builds images or has a tag/release job but no step generates an SBOM.
- **Not applicable**: no CI pipeline, or the CI ships nothing (no image builds and no
  job that runs only for tags or releases).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import SBOM
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import presence, shipped


@rule(
    "repo.ci.sbom",
    title="CI generates an SBOM",
    remediation="""Generate an SBOM for every released artifact, e.g. `sbom: true` on
    docker/build-push-action, `anchore/sbom-action`, `syft <image> -o spdx-json`, or
    `sboms:` in .goreleaser.yml, and publish it with the release.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from presence(
        facts,
        SBOM,
        "CI generates an SBOM",
        "the CI ships artifacts but no step generates an SBOM",
        shipped(SBOM),
    )
