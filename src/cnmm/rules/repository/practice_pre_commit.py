"""repo.practice.pre-commit: checks run before commit (pre-commit hooks).

Hooks that format, lint and scan for secrets before a commit is made catch problems
before they reach review or CI.

- **Passes**: at the root of the scanned directory, a pre-commit configuration
  (`.pre-commit-config.yaml`/`.yml`), a Lefthook configuration (`lefthook.yml`,
  `.lefthook.yml`, ...) or Husky hooks (`.husky/pre-commit`, `pre-push`, `commit-msg`,
  ...). A `.pre-commit-hooks.yaml` only publishes hooks for others and does not count.
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
    "repo.practice.pre-commit",
    title="Checks run before commit (pre-commit hooks)",
    remediation="""Add `.pre-commit-config.yaml` with formatters, linters and a secret scanner (e.g.
    gitleaks), and run `pre-commit run --all-files` in CI too.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts, "pre-commit", "pre-commit hooks", "no pre-commit, Lefthook or Husky configuration"
    )
