"""repo.practice.service-catalog: the service is registered in a catalog (Backstage).

A catalog entry makes ownership, dependencies, documentation and APIs of a service
discoverable in the developer portal.

- **Passes**: a `catalog-info.yaml`/`.yml` anywhere in the scanned directory, or any YAML
  document with a `backstage.io/*` apiVersion (Component, API, System, Resource, Group,
  Location, ...).
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
    "repo.practice.service-catalog",
    title="The service is registered in a catalog (Backstage)",
    remediation="""Add a `catalog-info.yaml` (kind Component) naming the owner, system,
    lifecycle and the APIs the service provides, and register it in Backstage.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from practice_rule(
        facts,
        "service-catalog",
        "Backstage catalog entities",
        "no Backstage catalog-info.yaml or backstage.io entities",
    )
