"""repo.ci.provenance: CI produces build provenance (SLSA).

Provenance records how, where and from what an artifact was built, so consumers can verify
it came from this repository's pipeline. Counted: the SLSA GitHub generator
(`slsa-framework/slsa-github-generator` workflows and actions),
`actions/attest-build-provenance` (and `actions/attest` with an SLSA predicate),
`docker buildx build --provenance=...` / `--attest type=provenance` and
`docker/build-push-action` with `provenance:` set (not `false`), `cosign attest --type
slsaprovenance`, `witness run`, GitLab `RUNNER_GENERATE_ARTIFACTS_METADATA: "true"`, Cloud
Build `requestedVerifyOption: VERIFIED`. The minimal provenance BuildKit may attach by
default is not counted: only what the pipeline asks for.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: a pipeline step produces provenance.
- **Fails**: the CI builds images or has a tag/release job without provenance.
- **Not applicable**: no CI pipeline, or the CI ships nothing (no image builds and no
  job that runs only for tags or releases).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import PROVENANCE
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import presence, shipped


@rule(
    "repo.ci.provenance",
    title="CI produces build provenance (SLSA)",
    remediation="""Attest provenance for released artifacts, e.g.
    `actions/attest-build-provenance` or the `slsa-framework/slsa-github-generator`
    reusable workflows, or `provenance: mode=max` on docker/build-push-action.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from presence(
        facts,
        PROVENANCE,
        "CI produces build provenance",
        "the CI ships artifacts but produces no provenance",
        shipped(PROVENANCE),
    )
