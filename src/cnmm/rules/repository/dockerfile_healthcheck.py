"""repo.dockerfile.healthcheck: the image declares a HEALTHCHECK.

A HEALTHCHECK lets Docker, Compose and Swarm tell a running but broken container from a
healthy one. Kubernetes ignores it and uses the pod's probes instead (see
k8s.workload.readiness-probe / liveness-probe): for images that only run on Kubernetes,
exempt this rule in cnmm.yaml with that reason.

- **Passes**: the final stage (or the stage it is built from) has `HEALTHCHECK CMD ...`.
- **Fails**: no HEALTHCHECK, or `HEALTHCHECK NONE` (turned off). A HEALTHCHECK that the
  external base image may define is not visible in the Dockerfile and does not count.
- **Not applicable**: a file without `FROM`.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import Dockerfile, RepositoryFacts
from cnmm.findings import Check, Location, failed, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import dockerfile_rule, dockerfile_subject


def _judge(dockerfile: Dockerfile) -> Check:
    subject = dockerfile_subject(dockerfile)
    line = dockerfile.final_healthcheck_line or dockerfile.stages[-1].line
    where = Location(dockerfile.path, line)
    if dockerfile.final_healthcheck == "cmd":
        return passed(subject, "HEALTHCHECK declared", where)
    if dockerfile.final_healthcheck == "none":
        return failed(subject, "HEALTHCHECK NONE turns the health check off", where)
    return failed(subject, "no HEALTHCHECK in the final stage", where)


@rule(
    "repo.dockerfile.healthcheck",
    title="Dockerfile declares a HEALTHCHECK",
    remediation="""Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>` to
    the final stage; on Kubernetes, define readiness and liveness probes instead and exempt
    the image with that reason.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per Dockerfile."""
    yield from dockerfile_rule(facts, _judge)
