"""repo.ci.token-permissions: GitHub workflows declare least-privilege token permissions.

Every GitHub Actions job gets a `GITHUB_TOKEN`; without a `permissions:` block its scopes
are the repository default, which is often read/write on everything. A compromised step
(a poisoned dependency, a hijacked action) then holds a token that can push code or
publish releases.

One finding per workflow file (subject `Pipeline/<path>`).

- **Passes**: the workflow declares top-level `permissions:` (`read-all`, `{}` or scoped)
  or every job declares its own, and nothing grants `write-all`. Write scopes in the
  top-level block pass only in a single-job workflow (with several jobs they belong on the
  job that needs them).
- **Fails**: `write-all` anywhere; no top-level block and some job without one (named in the
  message); top-level write scopes shared by several jobs.
- **Not applicable**: workflows only run as reusable workflows (`on: workflow_call`):
  their token is the caller's, limited by the caller's permissions; and scanned
  directories without GitHub Actions workflows (one finding for the directory).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.ci import Pipeline
from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, Location, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._ci import per_github_workflow
from cnmm.rules.repository._common import shown


def judge(pipeline: Pipeline) -> Check:
    """The finding for one workflow."""
    subject = pipeline.subject
    top = pipeline.permissions
    where = Location(pipeline.path, top.line if top else pipeline.line)
    if pipeline.is_reusable:
        return not_applicable(
            subject,
            "reusable workflow (on: workflow_call): it runs with the caller's token permissions",
            where,
        )
    write_all = [
        j.name for j in pipeline.jobs if j.permissions and j.permissions.grant == "write-all"
    ]
    if top is not None and top.grant == "write-all":
        write_all.insert(0, "workflow")
    if write_all:
        return failed(subject, f"permissions: write-all in {shown(write_all)}", where)
    if top is not None:
        if top.writes and len(pipeline.jobs) > 1:
            return failed(
                subject,
                f"top-level permissions grant write to {', '.join(top.writes)}"
                f" for all {len(pipeline.jobs)} jobs",
                where,
            )
        grant = (
            top.grant
            if top.grant != "scoped"
            else ("scoped" + (f", write: {', '.join(top.writes)}" if top.writes else ", read only"))
        )
        return passed(subject, f"top-level permissions declared ({grant})", where)
    missing = [j for j in pipeline.jobs if j.permissions is None]
    if not pipeline.jobs or missing:
        names = [j.name for j in missing]
        return failed(
            subject,
            "no top-level permissions and jobs without their own: "
            + (shown(names) if names else "(no jobs)"),
            Location(pipeline.path, missing[0].line if missing else pipeline.line),
        )
    return passed(subject, f"every job ({len(pipeline.jobs)}) declares its permissions", where)


@rule(
    "repo.ci.token-permissions",
    title="GitHub workflows declare least-privilege token permissions",
    remediation="""Add `permissions: contents: read` (or `permissions: {}`) at the top of the
    workflow and grant write scopes only on the jobs that need them, e.g.
    `permissions: {contents: write}` on the release job.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per GitHub workflow (one not-applicable finding for a directory without)."""
    yield from per_github_workflow(facts, judge)
