"""Helpers shared by the CI rules (`repo.ci.*`, `repo.policy.tested-in-ci`); no rule lives here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import PurePath

from cnmm.facts.ci import IMAGE_BUILD, MANUAL, RELEASE, TAG, Activity, Pipeline
from cnmm.facts.repository import RepositoryFacts, RepositoryRoot
from cnmm.findings import Check, Location, failed, not_applicable, passed
from cnmm.rules.repository._common import root_subject, shown


def within(path: str, root: str) -> bool:
    """Whether a displayed path lies in the scanned directory `root`."""
    return path == root or PurePath(path).is_relative_to(root)


def roots_with_pipelines(
    facts: RepositoryFacts,
) -> Iterator[tuple[RepositoryRoot, list[Pipeline]]]:
    """Every scanned directory with the pipelines found in it."""
    roots = list(facts.roots) or [
        RepositoryRoot(r) for r in sorted({p.root for p in facts.pipelines})
    ]
    for root in roots:
        yield (
            root,
            [
                p
                for p in facts.pipelines
                if p.root == root.path or (not p.root and within(p.path, root.path))
            ],
        )


def of_kind(pipelines: Iterable[Pipeline], kind: str) -> list[Activity]:
    """Activities of one kind across pipelines."""
    return [a for p in pipelines for a in p.activities if a.kind == kind]


def describe(activities: Sequence[Activity], limit: int = 3) -> str:
    """`pytest (ci.yml:12), go test (Makefile:30 via ci.yml:8)` for messages."""
    items: list[str] = []
    seen: set[tuple[str, str]] = set()
    for item in activities:
        where = f"{PurePath(item.path).name}:{item.line}" if item.line else PurePath(item.path).name
        key = (item.tool, where)
        if key in seen:
            continue
        seen.add(key)
        via = f" via {PurePath(item.via[-1]).name}" if item.via else ""
        items.append(f"{item.tool} ({where}{via})")
    return shown(items, limit)


def location(activities: Sequence[Activity]) -> Location | None:
    """Where the first activity's step is written."""
    return activities[0].location if activities else None


def releases(pipelines: Iterable[Pipeline]) -> bool:
    """Whether the CI ships something: it builds images, or has a job run only for tags or
    releases (a job that runs on every push, tags included, is not a release job)."""
    release_only = {TAG, RELEASE, MANUAL}
    return any(
        p.does(IMAGE_BUILD)
        or any(j.triggers & {TAG, RELEASE} and j.triggers <= release_only for j in p.jobs)
        for p in pipelines
    )


def shipped(kind: str) -> Callable[[RepositoryRoot, list[Pipeline]], str | None]:
    """`presence`'s `applies` for supply-chain steps (SBOM, signing, provenance): judged
    when the CI does `kind` or ships something, not applicable when nothing is shipped."""

    def applies(root: RepositoryRoot, pipelines: list[Pipeline]) -> str | None:
        if of_kind(pipelines, kind) or releases(pipelines):
            return None
        return "the CI builds no images and has no tag/release job: nothing is shipped"

    return applies


def presence(
    facts: RepositoryFacts,
    kind: str,
    what: str,
    missing: str,
    applies: Callable[[RepositoryRoot, list[Pipeline]], str | None] | None = None,
) -> Iterator[Check]:
    """One finding per scanned directory: pass naming the steps that do `kind`.

    Not applicable when the directory has no CI pipeline (repo.ci.present judges that) or
    when `applies` gives a reason.
    """
    for root, pipelines in roots_with_pipelines(facts):
        subject = root_subject(root)
        if not pipelines:
            yield not_applicable(subject, "no CI pipeline found (see repo.ci.present)")
            continue
        reason = applies(root, pipelines) if applies else None
        if reason:
            yield not_applicable(subject, reason)
            continue
        found = of_kind(pipelines, kind)
        if found:
            yield passed(subject, f"{what}: {describe(found)}", location(found))
        else:
            yield failed(
                subject,
                f"{missing} ({len(pipelines)} pipeline(s) read" + _unresolved(pipelines) + ")",
            )


def _unresolved(pipelines: Iterable[Pipeline]) -> str:
    """A note on what could not be followed (remote workflows, shared libraries, ...)."""
    items = sorted({u for p in pipelines for u in p.unresolved})
    return f"; not followed: {shown(items, 3)}" if items else ""


def per_github_workflow(
    facts: RepositoryFacts, judge: Callable[[Pipeline], Check]
) -> Iterator[Check]:
    """One finding per GitHub workflow (`judge`); one not-applicable finding for a scanned
    directory without any."""
    for root, pipelines in roots_with_pipelines(facts):
        workflows = [p for p in pipelines if p.system == "github-actions"]
        if not workflows:
            yield not_applicable(root_subject(root), "no GitHub Actions workflows")
        for workflow in workflows:
            yield judge(workflow)
