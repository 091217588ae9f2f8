"""repo.ci.signing: CI signs the artifacts it ships (cosign, notation).

Signatures let a cluster admit only images built by the organisation's pipeline.
Counted: `cosign sign`/`sign-blob`/`attest`, `notation sign` (and the notation action),
`sigstore sign` (and `sigstore/gh-action-sigstore-python`), goreleaser `docker_signs` or
`signs` with cosign, `docker trust sign`. Installing cosign (`sigstore/cosign-installer`)
is not signing; neither is a comment or an `echo` that mentions it.

One finding per scanned directory (subject `Repository/<path>`).

- **Passes**: a pipeline step signs.
- **Fails**: the CI builds images or has a tag/release job but signs nothing.
- **Not applicable**: no CI pipeline, or the CI ships nothing (no image builds and no
  job that runs only for tags or releases).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import SIGNING
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import presence, shipped


@rule(
    "repo.ci.signing",
    title="CI signs artifacts (cosign, notation)",
    remediation="""Sign images after pushing them, e.g. keyless with
    `sigstore/cosign-installer` then `cosign sign --yes <image>@<digest>` (GitHub OIDC), or
    `notation sign`; verify signatures at admission (Kyverno verifyImages, Gatekeeper).""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from presence(
        facts,
        SIGNING,
        "CI signs artifacts",
        "the CI ships artifacts but no step signs them",
        shipped(SIGNING),
    )
