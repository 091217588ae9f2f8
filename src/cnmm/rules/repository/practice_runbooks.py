"""repo.practice.runbooks: operational runbooks are kept with the code.

Runbooks tell whoever is on call what an alert means and what to do, so incidents do
not depend on the one person who knows.

- **Passes**: documents (`.md`, `.rst`, `.adoc`, `.txt`, `.org`) in a `runbook`/`runbooks`
  directory, or whose file name mentions a runbook (`runbook.md`, `db-failover-runbook.md`).
- **Fails**: none of them. Runbooks kept in a wiki are not visible here: exempt with the
  link as reason.
- **Not applicable**: never.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import practice_rule


@rule(
    "repo.practice.runbooks",
    title="Operational runbooks are kept with the code",
    remediation="""Add a `docs/runbooks/` directory with one page per alert or operation (symptoms,
    checks, mitigation, escalation) and link it from the alerts' `runbook_url`.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts, "runbooks", "runbooks", "no runbooks (runbooks/ directory or *runbook* documents)"
    )
