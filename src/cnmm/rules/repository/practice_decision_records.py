"""repo.practice.decision-records: architecture decisions and designs are written down.

Decision records keep the why of the architecture next to the code, so it survives
people moving on and can be revisited deliberately.

- **Passes**: documents (`.md`, `.rst`, `.adoc`, `.txt`, `.org`) in a directory named for
  decision records (`adr`, `adrs`, `decisions`, `decision-records`,
  `architecture-decisions`, ...) or design documents (`design`, `design-docs`, `rfcs`,
  `proposals`, `enhancements`, `keps`) anywhere in the tree; files named `ADR-0001...`; an
  `.adr-dir` file (adr-tools); an `ARCHITECTURE.md` or `DESIGN.md` at the root.
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
    "repo.practice.decision-records",
    title="Architecture decisions and designs are written down",
    remediation="""Record significant decisions as short ADRs in `docs/adr/` (context, decision,
    consequences), one numbered file per decision.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts,
        "decision-records",
        "decision records / design documents",
        "no architecture decision records or design documents",
    )
