"""Helpers shared by the repository rules (no rule lives here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from cnmm.facts.repository import (
    Dockerfile,
    DockerStage,
    IacEvidence,
    ImageReference,
    PolicyFile,
    PracticeEvidence,
    RepositoryFacts,
    RepositoryRoot,
)
from cnmm.findings import (
    Check,
    Location,
    Subject,
    failed,
    not_applicable,
    not_available,
    passed,
)


def root_subject(root: RepositoryRoot | str) -> Subject:
    """`Repository/<scanned path>`."""
    return Subject("Repository", root.path if isinstance(root, RepositoryRoot) else root)


def dockerfile_subject(dockerfile: Dockerfile) -> Subject:
    """`Dockerfile/<path>`."""
    return Subject("Dockerfile", dockerfile.path)


def shown(items: list[str], limit: int = 5) -> str:
    """A short comma-separated list ('a, b, c (+4 more)')."""
    text = ", ".join(items[:limit])
    return text + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def practice_rule(
    facts: RepositoryFacts,
    practice: str,
    what: str,
    missing: str,
    describe: Callable[[list[PracticeEvidence]], str] | None = None,
) -> Iterator[Check]:
    """One finding per scanned directory: pass naming the evidence, fail saying what to add."""
    for root in facts.roots:
        evidence = sorted(facts.practice(practice, root.path), key=lambda p: p.path)
        if evidence:
            detail = describe(evidence) if describe else shown([e.path for e in evidence])
            yield passed(root_subject(root), f"{what}: {detail}", Location(evidence[0].path))
        else:
            yield failed(root_subject(root), missing)


def tools_rule(
    facts: RepositoryFacts,
    evidence: Sequence[IacEvidence | PolicyFile],
    what: str,
    missing: str,
) -> Iterator[Check]:
    """One finding per scanned directory: pass counting the files of each tool found in it
    (`terraform (3 files), pulumi (1 files)`), fail saying what is missing."""
    for root in facts.roots:
        found = [e for e in evidence if e.root == root.path]
        if not found:
            yield failed(root_subject(root), missing)
            continue
        files: dict[str, set[str]] = {}
        for item in found:
            files.setdefault(item.tool, set()).add(item.path)
        counts = ", ".join(f"{tool} ({len(files[tool])} files)" for tool in sorted(files))
        yield passed(
            root_subject(root), f"{what}: {counts}", Location(found[0].path, found[0].line)
        )


def dockerfile_rule(
    facts: RepositoryFacts, judge: Callable[[Dockerfile], Check | None]
) -> Iterator[Check]:
    """One finding per Dockerfile; files without a FROM are not applicable."""
    for dockerfile in facts.dockerfiles:
        if not dockerfile.stages:
            yield not_applicable(
                dockerfile_subject(dockerfile),
                "no FROM instruction: not a buildable Dockerfile"
                + (f" ({'; '.join(dockerfile.problems)})" if dockerfile.problems else ""),
                Location(dockerfile.path),
            )
            continue
        check = judge(dockerfile)
        if check is not None:
            yield check


def judge_base_images(
    dockerfile: Dockerfile,
    is_bad: Callable[[ImageReference], bool],
    problem: str,
    undecided: Callable[[Sequence[DockerStage]], str],
    ok: Callable[[Sequence[DockerStage]], str],
) -> Check:
    """The verdict of a rule on a Dockerfile's external base images: fails naming the bases
    `is_bad` (`problem: names`), else not available when a base is decided by a build
    argument without default (`undecided` names them), not applicable without an external
    base, else passes with `ok` (given the external bases)."""
    subject = dockerfile_subject(dockerfile)
    external = dockerfile.external_stages
    bad = [s for s in external if s.image is not None and is_bad(s.image)]
    if bad:
        names = [f"{s.image.text if s.image else s.base} (line {s.line})" for s in bad]
        return failed(subject, f"{problem}: {shown(names)}", Location(dockerfile.path, bad[0].line))
    if unresolved := dockerfile.unresolved_stages:
        return not_available(
            subject,
            f"base image decided by a build argument without default: {undecided(unresolved)}",
            Location(dockerfile.path, unresolved[0].line),
        )
    if not external:
        return not_applicable(
            subject,
            "no external base image (only scratch or earlier stages)",
            Location(dockerfile.path),
        )
    return passed(subject, ok(external), Location(dockerfile.path, external[0].line))
