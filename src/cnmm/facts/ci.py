"""CI/CD pipeline facts: what a repository's pipelines run, and when.

A `Pipeline` is one pipeline definition (a GitHub Actions workflow file, a `.gitlab-ci.yml`
with its local includes, a Jenkinsfile, a Tekton or Argo Workflows document, ...). Its
`activities` are the things it was seen to do (run tests, build images, scan, ...), each
tied to the file and line of the step that does it and to the events that trigger it.
Nothing here judges; rules in `cnmm.rules.repository.ci_*` do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnmm.findings import Location, Subject

SYSTEMS = (
    "github-actions",
    "gitlab-ci",
    "jenkins",
    "tekton",
    "azure-pipelines",
    "circleci",
    "google-cloud-build",
    "argo-workflows",
)

# Activity kinds.
TEST = "test"
IMAGE_BUILD = "image-build"
VULNERABILITY_SCAN = "vulnerability-scan"
SBOM = "sbom"
SIGNING = "signing"
PROVENANCE = "provenance"
DEPLOY = "deploy"
POLICY_TEST = "policy-test"
ACTIVITY_KINDS = (
    TEST,
    IMAGE_BUILD,
    VULNERABILITY_SCAN,
    SBOM,
    SIGNING,
    PROVENANCE,
    DEPLOY,
    POLICY_TEST,
)

# Triggers: what makes a job run.
PULL_REQUEST = "pull_request"  # pull/merge requests, merge queues
BRANCH = "branch"  # a push to any branch (so also the branches of pull requests)
PUSH = "push"  # a push to selected branches only (typically the default branch)
TAG = "tag"
RELEASE = "release"
SCHEDULE = "schedule"
MANUAL = "manual"
EXTERNAL = "external"  # decided outside the file (Cloud Build triggers, Tekton listeners, ...)
OTHER = "other"  # issue comments, workflow_run, ...
PRE_MERGE = frozenset({PULL_REQUEST, BRANCH})  # triggers that test a change before it merges


@dataclass(frozen=True)
class Activity:
    """One thing a pipeline does, found in a real command or step.

    `tool` is a canonical name (`pytest`, `go test`, `docker`, `trivy`, `cosign`...);
    `detail` the command or action as written (shortened); `path`/`line` where the step is
    written (a composite action or included template may differ from the pipeline file);
    `via` the files the command was followed through (a Makefile target, a script, a
    goreleaser configuration), as `path:line`.
    """

    kind: str
    tool: str
    detail: str
    path: str
    line: int | None
    job: str
    triggers: frozenset[str]
    via: tuple[str, ...] = ()

    @property
    def location(self) -> Location:
        """Where the step is written."""
        return Location(self.path, self.line)

    @property
    def pre_merge(self) -> bool:
        """Whether it runs for changes before they merge (pull requests or every branch)."""
        return bool(self.triggers & PRE_MERGE)


@dataclass(frozen=True)
class ActionUse:
    """A GitHub Actions `uses:` reference (step action or reusable workflow).

    `kind`: "action", "workflow" (reusable workflow), "docker" (`docker://` image) or
    "local" (`./path`). `pinned`: a full 40-hex commit SHA (or an image digest).
    `first_party`: owned by GitHub (`actions/*`, `github/*`), or local.
    """

    uses: str
    kind: str
    owner: str
    ref: str
    pinned: bool
    first_party: bool
    path: str
    line: int | None


@dataclass(frozen=True)
class Permissions:
    """A GitHub `permissions:` block, summarised.

    `grant`: "read-all", "write-all", "none" (`{}`), or "scoped" (a mapping of scopes);
    `writes`: the scopes granted write access.
    """

    grant: str
    writes: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Job:
    """One job (GitHub/GitLab/CircleCI job, Jenkins stage, Tekton task, ...)."""

    name: str
    line: int | None
    triggers: frozenset[str]
    permissions: Permissions | None = None  # GitHub only: None when not declared
    calls: str | None = None  # a reusable workflow it calls instead of running steps


@dataclass(frozen=True)
class Pipeline:
    """One pipeline definition and what it does.

    `path` is the file as given to the collector (the subject name), `relative_path` the
    same file relative to the scanned directory `root`, `line` where the definition starts.
    `triggers` is the union of its jobs' triggers. `includes` are the other files read to
    understand it (local includes, templates, composite actions, Makefiles,
    scripts); `unresolved` names what could not be followed (remote includes, shared
    libraries), so a missing activity can be explained.
    """

    system: str
    path: str
    relative_path: str
    line: int | None
    name: str
    root: str = ""  # the scanned directory it belongs to, as the collector was given it
    triggers: frozenset[str] = frozenset()
    jobs: tuple[Job, ...] = ()
    activities: tuple[Activity, ...] = ()
    actions: tuple[ActionUse, ...] = ()
    permissions: Permissions | None = None  # GitHub workflow top-level block
    includes: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    is_reusable: bool = field(default=False)  # a GitHub workflow only run by `workflow_call`
    document: str | None = None  # "Kind/name" when a file holds several (Tekton, Argo)

    @property
    def subject(self) -> Subject:
        """Finding subject: `Pipeline/<path>` (plus `#Kind/name` for Tekton and Argo)."""
        return Subject("Pipeline", f"{self.path}#{self.document}" if self.document else self.path)

    @property
    def location(self) -> Location:
        """Where the definition starts."""
        return Location(self.path, self.line)

    def of_kind(self, kind: str) -> tuple[Activity, ...]:
        """The activities of one kind (e.g. `TEST`)."""
        return tuple(a for a in self.activities if a.kind == kind)

    def does(self, kind: str) -> bool:
        """Whether any activity of that kind was found."""
        return any(a.kind == kind for a in self.activities)
