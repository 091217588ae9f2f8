"""repo.practice.security-policy: a security policy is published (SECURITY.md).

A security policy tells reporters how to disclose a vulnerability privately and what
response to expect.

- **Passes**: `SECURITY.md` (or `.rst`, `.txt`, `.adoc`, any letter case) at the root, in
  `.github/`, `docs/` or `.gitlab/` of the scanned directory.
- **Fails**: none. A policy inherited from the organisation's `.github` repository is not
  visible here: exempt with that reason.
- **Not applicable**: never.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import practice_rule


@rule(
    "repo.practice.security-policy",
    title="A security policy is published (SECURITY.md)",
    remediation="""Add SECURITY.md saying how to report a vulnerability privately, which
    versions are supported and how fast reports are answered.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts, "security-policy", "security policy", "no SECURITY.md (root, .github/, docs/)"
    )
