"""repo.practice.contributing: contribution guidelines are published (CONTRIBUTING).

Written contribution guidelines make the path from idea to merged change the same for
everyone: how to build, test, propose and review.

- **Passes**: `CONTRIBUTING` (`.md`, `.rst`, `.txt`, `.adoc`, any letter case) at the root,
  in `.github/`, `docs/` or `.gitlab/` of the scanned directory.
- **Fails**: none of them.
- **Not applicable**: never.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import practice_rule


@rule(
    "repo.practice.contributing",
    title="Contribution guidelines are published (CONTRIBUTING)",
    remediation="""Add CONTRIBUTING.md covering how to build and test locally, the branch and review
    process, and how changes are released.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts,
        "contributing",
        "contribution guidelines",
        "no CONTRIBUTING file (root, .github/, docs/)",
    )
