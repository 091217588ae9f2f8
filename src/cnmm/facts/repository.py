"""Repository facts: what the repository collector observed, before any judgement.

`cnmm.collect.repository.collect_repository` builds one `RepositoryFacts` for every directory
scanned: CI pipelines (`cnmm.facts.ci.Pipeline`, built by the CI collector), Dockerfiles
parsed into stages, Terraform/OpenTofu and other infrastructure as code, policy-as-code
files, repository practices (update bots, CODEOWNERS, ...) and delivery history read from
git. Paths are shown as the user gave the scanned directory, joined with the path inside it.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cnmm.facts.ci import Pipeline

# --------------------------------------------------------------------------- scanned roots


@dataclass(frozen=True)
class RepositoryRoot:
    """One scanned directory: `path` as displayed, `git_root` when it is in a git work tree."""

    path: str
    files: int = 0
    git_root: str | None = None


# --------------------------------------------------------------------------- Dockerfiles

# What a stage builds on: another image, an earlier stage, nothing, or a reference whose
# build arguments have no default (so the image is only known at build time).
BASE_EXTERNAL = "external"
BASE_STAGE = "stage"
BASE_SCRATCH = "scratch"
BASE_UNRESOLVED = "unresolved"

# Final-stage user states.
USER_NON_ROOT = "non-root"
USER_ROOT = "root"
USER_UNSET = "unset"  # no USER anywhere in the chain: the base image's default (usually root)
USER_UNKNOWN = "unknown"  # USER names a variable that cannot be resolved


@dataclass(frozen=True)
class ImageReference:
    """An image reference split into parts (`tag`/`digest` None when absent)."""

    text: str
    name: str
    tag: str | None = None
    digest: str | None = None

    @property
    def latest_or_untagged(self) -> bool:
        """True when neither a digest nor a tag other than `latest` pins the image."""
        return self.digest is None and self.tag in (None, "latest")


@dataclass(frozen=True)
class DockerStage:
    """One `FROM` section of a Dockerfile.

    `base` is the reference as written; `image` is the resolved external image (ARG defaults
    substituted) when `kind` is "external". `parent` is the index of the stage this one builds
    on when `kind` is "stage". `user` is the last USER of this stage, resolved (None when the
    stage has no USER); `user_raw` is how it was written.
    """

    index: int
    line: int
    base: str
    kind: str
    name: str | None = None
    image: ImageReference | None = None
    parent: int | None = None
    platform: str | None = None
    user: str | None = None
    user_raw: str | None = None
    user_line: int | None = None
    user_resolved: bool = True
    healthcheck: str | None = None  # "cmd" or "none" (HEALTHCHECK NONE); None when absent
    healthcheck_line: int | None = None
    runs: int = 0  # RUN instructions


@dataclass(frozen=True)
class DockerSetting:
    """An ENV or ARG entry; `value` None for an ARG without default. `stage` None = global."""

    instruction: str
    name: str
    value: str | None
    line: int
    stage: int | None = None


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile/Containerfile with its final-stage facts already resolved.

    `final_user_state` is one of non-root, root, unset (no USER in the final stage or the
    stages it builds on), unknown (a variable that cannot be resolved); `final_user_note`
    says how it was decided. `problems` lists what the parser could not understand.
    """

    path: str
    stages: tuple[DockerStage, ...] = ()
    settings: tuple[DockerSetting, ...] = ()
    copy_from_images: tuple[tuple[str, int], ...] = ()
    final_user: str | None = None
    final_user_state: str = USER_UNSET
    final_user_line: int | None = None
    final_user_note: str = ""
    final_healthcheck: str | None = None
    final_healthcheck_line: int | None = None
    problems: tuple[str, ...] = ()

    @property
    def final_stage(self) -> DockerStage | None:
        """The stage `docker build` builds without `--target` (the last one)."""
        return self.stages[-1] if self.stages else None

    @property
    def external_stages(self) -> tuple[DockerStage, ...]:
        """Stages built on an image from a registry (not scratch, not an earlier stage)."""
        return tuple(s for s in self.stages if s.kind == BASE_EXTERNAL)

    @property
    def unresolved_stages(self) -> tuple[DockerStage, ...]:
        """Stages whose base image depends on a build argument without a default."""
        return tuple(s for s in self.stages if s.kind == BASE_UNRESOLVED)

    @property
    def final_user_non_root(self) -> bool | None:
        """True/False for the final stage's user; None when it cannot be told."""
        if self.final_user_state == USER_UNKNOWN or not self.stages:
            return None
        return self.final_user_state == USER_NON_ROOT

    @property
    def base_pinned_by_digest(self) -> bool | None:
        """Every external base pinned by digest (`scratch` and stages need no pin, so a
        Dockerfile without external base is true); None when a base is only known at build
        time and no other base is unpinned, or the file has no FROM."""
        external = self.external_stages
        if any(s.image is not None and s.image.digest is None for s in external):
            return False
        if self.unresolved_stages or not self.stages:
            return None
        return True


# --------------------------------------------------------------------------- Terraform & IaC


@dataclass(frozen=True)
class TerraformModuleCall:
    """A `module` block (or a Terragrunt `terraform { source }`) and how its source is pinned.

    `source_kind`: local, registry, git, mercurial, archive, unknown. `pinned` is None for
    local modules (nothing to pin); `pin_note` explains the judgement.
    """

    path: str
    line: int
    name: str
    source: str
    source_kind: str
    version: str | None = None
    ref: str | None = None
    pinned: bool | None = None
    pin_note: str = ""
    via: str = "terraform"  # or "terragrunt"
    example: bool = False  # under examples/, tests/, fixtures/ ... of the scanned root


@dataclass(frozen=True)
class TerraformProvider:
    """A provider a Terraform directory uses, with the version constraint declared for it.

    `declared`: required_providers, provider-block (legacy `version` in a provider block),
    or used (only implied by resources, data sources or provider configurations).
    """

    name: str
    path: str
    line: int
    source: str | None = None
    version: str | None = None
    declared: str = "required_providers"


@dataclass(frozen=True)
class TerraformBackend:
    """Where a configuration keeps state: a `backend "<type>"`, a `cloud` block ("cloud"),
    or a Terragrunt `remote_state` (via "terragrunt")."""

    type: str
    path: str
    line: int
    via: str = "terraform"

    @property
    def remote(self) -> bool:
        """A backend other than the local file."""
        return self.type != "local"


@dataclass(frozen=True)
class TerraformDirectory:
    """One Terraform/OpenTofu module directory (the unit Terraform reads together).

    `role`: "root" (has a backend or provider configuration: a deployable configuration),
    "module" (reusable module), "example" (under examples/tests/fixtures).
    """

    path: str
    files: tuple[str, ...]
    role: str
    providers: tuple[TerraformProvider, ...] = ()
    backends: tuple[TerraformBackend, ...] = ()
    lock_file: str | None = None
    line: int = 1


@dataclass(frozen=True)
class TerraformFacts:
    """Terraform/OpenTofu (and Terragrunt) configuration found in the scan."""

    directories: tuple[TerraformDirectory, ...] = ()
    modules: tuple[TerraformModuleCall, ...] = ()
    terragrunt_backends: tuple[TerraformBackend, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        """Any Terraform/OpenTofu/Terragrunt file at all."""
        return bool(self.files)


@dataclass(frozen=True)
class IacEvidence:
    """A file showing an infrastructure-as-code tool in use.

    `tool`: terraform, opentofu, terragrunt, pulumi, crossplane, cloudformation, cdk, bicep.
    """

    tool: str
    path: str
    root: str
    line: int | None = None
    kind: str | None = None


# --------------------------------------------------------------------------- policy as code

POLICY_TOOLS = (
    "kyverno",
    "gatekeeper",
    "rego",
    "conftest",
    "validating-admission-policy",
    "mutating-admission-policy",
    "kubewarden",
    "sentinel",
)


@dataclass(frozen=True)
class PolicyFile:
    """A policy-as-code file: `tool` from POLICY_TOOLS; `test` when it tests policies
    (`*_test.rego`, Kyverno CLI tests, gator suites). `kind` is the object kind for YAML."""

    path: str
    tool: str
    root: str = ""
    kind: str | None = None
    line: int | None = None
    test: bool = False


# --------------------------------------------------------------------------- practices

PRACTICES = (
    "dependency-updates",
    "codeowners",
    "security-policy",
    "contributing",
    "decision-records",
    "runbooks",
    "service-catalog",
    "pre-commit",
)


@dataclass(frozen=True)
class PracticeEvidence:
    """A file or directory showing a practice (one of PRACTICES) in `root`.

    `tool` names the variant: dependabot/renovate, pre-commit/husky/lefthook, adr/design-docs,
    backstage, github/gitlab/prow for code owners, ...
    """

    practice: str
    path: str
    root: str
    tool: str = ""


# --------------------------------------------------------------------------- delivery history


@dataclass(frozen=True)
class Release:
    """A release tag: `time` is the tagger date (annotated) or commit date (lightweight)."""

    tag: str
    commit: str
    time: int
    prerelease: bool = False


@dataclass(frozen=True)
class Revert:
    """A commit that reverts another (a change-failure proxy)."""

    commit: str
    subject: str
    time: int


@dataclass(frozen=True)
class DeliveryHistory:
    """Delivery figures read from git for one scanned directory, over [since, until].

    All counts cover commits reachable from HEAD (touching `pathspec` when the scanned
    directory is below the work-tree root). `lead_times` are seconds from a commit to the
    first release tag containing it, for commits of the window that are released.
    These are proxies for the DORA measures, not the measures themselves.
    """

    root: str
    git_root: str
    since: int
    until: int
    pathspec: str | None = None
    branch: str | None = None  # None on a detached HEAD
    commits: int = 0
    merges: int | None = 0  # None when not measured (subdirectory scans)
    authors: int = 0
    releases: tuple[Release, ...] = ()
    pre_releases: int = 0
    tag_prefix: str | None = None  # release tags were filtered to this prefix
    lead_times: tuple[int, ...] = ()
    unreleased: int = 0
    reverts: tuple[Revert, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def window_days(self) -> float:
        """Length of the window in days (at least one)."""
        return max((self.until - self.since) / 86400, 1.0)

    @property
    def releases_per_week(self) -> float:
        """Release tags per week over the window."""
        return len(self.releases) / (self.window_days / 7)

    @property
    def commits_per_week(self) -> float:
        """Non-merge commits per week over the window."""
        return self.commits / (self.window_days / 7)

    @property
    def merges_per_week(self) -> float | None:
        """Merge commits per week (None when not measured)."""
        return None if self.merges is None else self.merges / (self.window_days / 7)

    @property
    def lead_time_median(self) -> float | None:
        """Median commit-to-release lead time in seconds (None without released commits)."""
        return float(statistics.median(self.lead_times)) if self.lead_times else None

    @property
    def lead_time_p90(self) -> float | None:
        """90th percentile (nearest rank) of the lead time in seconds."""
        if not self.lead_times:
            return None
        ordered = sorted(self.lead_times)
        rank = max(1, -(-9 * len(ordered) // 10))  # ceil(0.9 n)
        return float(ordered[rank - 1])

    @property
    def revert_rate(self) -> float | None:
        """Reverts / non-merge commits (None without commits)."""
        return len(self.reverts) / self.commits if self.commits else None

    @property
    def median_days_between_releases(self) -> float | None:
        """Median gap between consecutive releases in days (None with fewer than two)."""
        times = sorted(r.time for r in self.releases)
        gaps = [(b - a) / 86400 for a, b in itertools.pairwise(times)]
        return float(statistics.median(gaps)) if gaps else None


# --------------------------------------------------------------------------- all together


@dataclass(frozen=True)
class RepositoryFacts:
    """Everything the repository collector observed in the scanned directories.

    `roots` are the scanned directories, or — for a directory of clones — the git work trees
    found in it (a directory holding `.git`); every path belongs to the deepest root that
    contains it (`root_of`).

    `unavailable` maps what could not be looked at to why: `history:<root>` (not a git
    repository, shallow clone, git not installed, ...), `root:<path>` (not a directory).
    """

    roots: tuple[RepositoryRoot, ...] = ()
    pipelines: tuple[Pipeline, ...] = ()
    dockerfiles: tuple[Dockerfile, ...] = ()
    terraform: TerraformFacts = field(default_factory=TerraformFacts)
    iac: tuple[IacEvidence, ...] = ()
    policy_files: tuple[PolicyFile, ...] = ()
    practices: tuple[PracticeEvidence, ...] = ()
    delivery: tuple[DeliveryHistory, ...] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)

    def root_of(self, path: str) -> RepositoryRoot | None:
        """The (deepest) repository root a displayed path lies in, e.g. a pipeline's file."""
        best: RepositoryRoot | None = None
        for root in self.roots:
            inside = (root.path in (".", "") and not path.startswith(("/", "../"))) or (
                path == root.path or path.startswith(root.path.rstrip("/") + "/")
            )
            if inside and (best is None or len(root.path) > len(best.path)):
                best = root
        return best

    def practice(self, name: str, root: str | None = None) -> tuple[PracticeEvidence, ...]:
        """Evidence of one practice (optionally within one scanned root)."""
        return tuple(
            p for p in self.practices if p.practice == name and (root is None or p.root == root)
        )
