"""repo.ci.actions-pinned: third-party GitHub Actions are pinned by full commit SHA.

A tag (`@v4`) or branch (`@main`) can be moved by whoever controls the action's repository,
so a compromised third-party action runs in the pipeline with its secrets (as happened
with `tj-actions/changed-files`). Only a full 40-character commit SHA is immutable; a
version comment after it keeps update bots working (`uses: owner/action@<sha> # v4.1.0`).

Checked: every `uses:` of the workflow's steps and jobs (actions and reusable workflows),
including those of local composite actions the workflow uses; `docker://` images must be
pinned by `@sha256:` digest.

**First-party actions are exempt**: actions and reusable workflows owned by GitHub
(`actions/*`, `github/*`) are published by the same party that runs the platform and whose
infrastructure the workflow already trusts, so pinning them is recommended but not
required here (OpenSSF Scorecard is stricter and flags them too). Local actions
(`./path`) are part of the repository and exempt as well, and so are the
`slsa-framework/slsa-github-generator` workflows, which must be referenced by a release tag
(the generator checks its own tag to sign the provenance; a SHA reference fails).

One finding per workflow file (subject `Pipeline/<path>`).

- **Passes**: every third-party reference is pinned (or there is none).
- **Fails**: some third-party reference uses a tag, a branch or a short SHA (listed).
- **Not applicable**: scanned directories without GitHub Actions workflows (one finding
  for the directory).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import Pipeline
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, Location, failed, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import per_github_workflow
from cnmm.rules.repository._common import shown

# Must be referenced by tag: the SLSA generator verifies its own ref to sign provenance.
TAG_ONLY = ("slsa-framework/slsa-github-generator/",)


def judge(pipeline: Pipeline) -> Check:
    """The finding for one workflow."""
    third_party = [
        a for a in pipeline.actions if not a.first_party and not a.uses.lower().startswith(TAG_ONLY)
    ]
    unpinned = [a for a in third_party if not a.pinned]
    if unpinned:
        first = unpinned[0]
        return failed(
            pipeline.subject,
            f"{len(unpinned)} of {len(third_party)} third-party reference(s) not pinned"
            f" by commit SHA: {shown(sorted({a.uses for a in unpinned}))}",
            Location(first.path, first.line),
        )
    where = Location(pipeline.path, pipeline.line)
    if not third_party:
        return passed(pipeline.subject, "uses only GitHub-owned or local actions", where)
    return passed(
        pipeline.subject,
        f"all {len(third_party)} third-party reference(s) pinned by commit SHA",
        where,
    )


@rule(
    "repo.ci.actions-pinned",
    title="Third-party actions are pinned by commit SHA",
    remediation="""Replace tags with the full commit SHA of the release and keep the
    version as a comment, e.g. `uses: docker/build-push-action@<40-hex-sha> # v6.9.0`;
    Dependabot and Renovate update SHA pins.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per GitHub workflow (one not-applicable finding for a directory without)."""
    yield from per_github_workflow(facts, judge)
