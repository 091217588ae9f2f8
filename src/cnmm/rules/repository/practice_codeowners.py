"""repo.practice.codeowners: code owners are declared (CODEOWNERS).

A CODEOWNERS file routes every change to the people accountable for that part of the
code and, with branch protection, requires their review.

- **Passes**: `CODEOWNERS` at the root, in `.github/`, `docs/` or `.gitlab/` of the scanned
  directory, or a Prow `OWNERS` file at its root.
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
    "repo.practice.codeowners",
    title="Code owners are declared (CODEOWNERS)",
    remediation="""Add `.github/CODEOWNERS` mapping paths to owning teams
    (`/deploy/ @org/platform`) and require code-owner review in branch protection.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts,
        "codeowners",
        "code owners declared",
        "no CODEOWNERS (root, .github/, docs/, .gitlab/) or Prow OWNERS file",
    )
