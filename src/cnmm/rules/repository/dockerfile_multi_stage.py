"""repo.dockerfile.multi-stage: the Dockerfile separates building from the shipped image.

With several stages, compilers, package caches and build secrets stay in the build stages
and the final image carries only what runs.

- **Passes**: the Dockerfile has two or more `FROM` stages.
- **Fails**: one stage that runs build commands (`RUN`).
- **Not applicable**: one stage without any `RUN` — it only copies files built elsewhere
  (GoReleaser, ko-style or CI-built binaries), so there is nothing to split — or a file
  without `FROM`.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import Dockerfile, RepositoryFacts
from cnmm.findings import Check, Location, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import dockerfile_rule, dockerfile_subject


def _judge(dockerfile: Dockerfile) -> Check:
    subject = dockerfile_subject(dockerfile)
    stages = dockerfile.stages
    where = Location(dockerfile.path, stages[-1].line)
    if len(stages) > 1:
        return passed(subject, f"{len(stages)} stages", where)
    if stages[0].runs == 0:
        return not_applicable(
            subject, "single stage without RUN: it only packages files built elsewhere", where
        )
    return failed(
        subject,
        f"single stage with {stages[0].runs} RUN instruction(s): build "
        "tools end up in the shipped image",
        where,
    )


@rule(
    "repo.dockerfile.multi-stage",
    title="Dockerfile uses a multi-stage build",
    remediation="""Build in a first stage (`FROM golang:1.22 AS build`) and copy only the
    result into a small final stage (`COPY --from=build ...`), such as distroless or scratch.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per Dockerfile."""
    yield from dockerfile_rule(facts, _judge)
