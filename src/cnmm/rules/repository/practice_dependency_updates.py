"""repo.practice.dependency-updates: dependency updates are automated (Dependabot or Renovate).

Outdated dependencies are the most common source of known vulnerabilities; a bot that
proposes updates as pull requests keeps them current with review and CI in the loop.

- **Passes**: the scanned directory has a Dependabot configuration
  (`.github/dependabot.yml`/`.yaml`) or a Renovate configuration (`renovate.json`,
  `renovate.json5`, `.renovaterc`, `.renovaterc.json(5)`, `.github/renovate.json(5)`,
  `.gitlab/renovate.json(5)`, or a `renovate` key in the root `package.json`).
- **Fails**: none of them. Renovate configured centrally (an organisation preset or the
  hosted app's onboarding) is not visible in the repository: exempt with that reason.
- **Not applicable**: never.

Files are looked for where the tools read them: at the root of the scanned directory.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import PracticeEvidence, RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import practice_rule


def _describe(evidence: list[PracticeEvidence]) -> str:
    return ", ".join(f"{e.tool} ({e.path})" for e in evidence)


@rule(
    "repo.practice.dependency-updates",
    title="Dependency updates are automated (Dependabot or Renovate)",
    remediation="""Add `.github/dependabot.yml` (GitHub) or a `renovate.json` listing the package
    ecosystems in use (including Docker images, GitHub Actions and Terraform).""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts,
        "dependency-updates",
        "Dependabot or Renovate configured",
        "no Dependabot or Renovate configuration",
        describe=_describe,
    )
