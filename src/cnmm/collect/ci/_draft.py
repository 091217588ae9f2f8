"""Building Pipeline facts: a mutable draft per pipeline, frozen at the end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cnmm.collect.ci._repo import RepoFiles
from cnmm.collect.ci._yaml import YList, load_documents
from cnmm.collect.ci.commands import Classifier
from cnmm.collect.ci.tools import EPHEMERAL_CLUSTER, Found
from cnmm.collect.files import FileReadError, read_text
from cnmm.collect.manifests import ParseError
from cnmm.facts import FileError
from cnmm.facts.ci import DEPLOY, ActionUse, Activity, Job, Permissions, Pipeline


@dataclass
class JobDraft:
    """Activities of one job; a throwaway cluster in the job turns its deploys into tests."""

    name: str
    line: int | None
    triggers: frozenset[str]
    permissions: Permissions | None = None
    calls: str | None = None
    activities: list[Activity] = field(default_factory=list)
    ephemeral_cluster: bool = False

    def add(
        self,
        found: Iterable[Found],
        path: str,
        base_line: int | None,
        triggers: frozenset[str] | None = None,
        via: tuple[str, ...] = (),
    ) -> None:
        """Record found activities of a step whose script starts at `base_line` (1-based)."""
        for item in found:
            if item.kind == EPHEMERAL_CLUSTER:
                self.ephemeral_cluster = True
                continue
            line = base_line + item.line if base_line is not None else None
            self.activities.append(
                Activity(
                    kind=item.kind,
                    tool=item.tool,
                    detail=item.detail,
                    path=path,
                    line=line,
                    job=self.name,
                    triggers=triggers if triggers is not None else self.triggers,
                    via=(*via, *item.via),
                )
            )

    def finished(self) -> list[Activity]:
        """The job's activities (deploys to a throwaway cluster dropped)."""
        if not self.ephemeral_cluster:
            return list(self.activities)
        return [a for a in self.activities if a.kind != DEPLOY]

    def job(self) -> Job:
        """The frozen Job record."""
        return Job(self.name, self.line, self.triggers, self.permissions, self.calls)


@dataclass
class PipelineDraft:
    """A pipeline being read."""

    system: str
    path: str
    relative_path: str
    line: int | None = 1
    name: str = ""
    document: str | None = None
    triggers: frozenset[str] = frozenset()
    jobs: list[JobDraft] = field(default_factory=list)
    actions: list[ActionUse] = field(default_factory=list)
    permissions: Permissions | None = None
    includes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    is_reusable: bool = False

    def new_job(
        self, name: str, line: int | None, triggers: frozenset[str] | None = None
    ) -> JobDraft:
        """Start a job (triggers default to the pipeline's)."""
        job = JobDraft(name, line, triggers if triggers is not None else self.triggers)
        self.jobs.append(job)
        return job

    def include(self, path: str) -> None:
        """Remember a file read to understand this pipeline."""
        if path not in self.includes and path != self.path:
            self.includes.append(path)

    def freeze(self) -> Pipeline:
        """The immutable Pipeline fact."""
        activities: list[Activity] = []
        seen: set[tuple[object, ...]] = set()
        for job in self.jobs:
            for item in job.finished():
                key = (item.kind, item.tool, item.path, item.line, item.job, item.via)
                if key not in seen:
                    seen.add(key)
                    activities.append(item)
        job_triggers = (
            frozenset().union(*(j.triggers for j in self.jobs)) if self.jobs else (frozenset())
        )
        actions: list[ActionUse] = []
        seen_actions: set[tuple[str, str, int | None]] = set()
        for use in self.actions:
            key2 = (use.uses, use.path, use.line)
            if key2 not in seen_actions:
                seen_actions.add(key2)
                actions.append(use)
        return Pipeline(
            system=self.system,
            path=self.path,
            relative_path=self.relative_path,
            line=self.line,
            name=self.name or self.relative_path,
            triggers=self.triggers | job_triggers,
            jobs=tuple(j.job() for j in self.jobs),
            activities=tuple(activities),
            actions=tuple(actions),
            permissions=self.permissions,
            includes=tuple(self.includes),
            unresolved=tuple(dict.fromkeys(self.unresolved)),
            is_reusable=self.is_reusable,
            document=self.document,
        )


@dataclass
class Context:
    """What every CI reader needs: the repository, the classifier, and where errors go."""

    repo: RepoFiles
    classifier: Classifier
    errors: list[FileError] = field(default_factory=list)

    def error(self, relative: str, reason: str, line: int | None = None) -> None:
        """Record a file-level error (path as the walker gave it, reason for people)."""
        where = f" (line {line})" if line else ""
        self.errors.append(FileError(self.repo.display(relative), f"{reason}{where}"))

    def read(self, relative: str, label: str, report: bool = True) -> str | None:
        """The text of a CI file; None (and an error when `report`) when it cannot be read."""
        path = self.repo.by_relative.get(relative, self.repo.root / relative)
        try:
            return read_text(path, self.repo.max_size)
        except FileReadError as exc:
            if report:
                self.error(relative, f"{label}: {exc.reason}")
            return None

    def load_yaml(
        self, relative: str, label: str, report: bool = True
    ) -> list[tuple[Any, int]] | None:
        """The YAML documents of a CI file; None (and an error when `report`) when unusable."""
        text = self.read(relative, label, report)
        if text is None:
            return None
        try:
            return load_documents(text)
        except ParseError as exc:
            if report:
                self.error(relative, f"{label}: {exc.reason}", exc.line)
            return None


def item_lines(items: Any) -> list[int | None]:
    """For a YAML list of words: the line where each item's text starts (blocks a line later)."""
    if not isinstance(items, list):
        return []
    lines: list[int | None] = []
    for index in range(len(items)):
        line = items.line_of(index) if isinstance(items, YList) else None
        if line is not None and isinstance(items, YList) and index in items.blocks:
            line += 1
        lines.append(line)
    return lines


def add_argv(
    job: JobDraft,
    classifier: Classifier,
    words: list[str],
    lines: list[int | None],
    path: str,
    default: int | None,
) -> None:
    """Classify a container's command line; `sh -c '<script>'` keeps the script's own lines."""
    shells = ("sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash", "/usr/bin/env")
    if words and words[0] in shells and "-c" in words[1:]:
        index = words.index("-c", 1)
        if index + 1 < len(words):
            line = lines[index + 1] if index + 1 < len(lines) else default
            job.add(classifier.script(words[index + 1]), path, line or default)
            return
    job.add(classifier.argv(words), path, (lines[0] if lines else None) or default)
