"""GitHub Actions: `.github/workflows/*.yml` at the repository root.

Per workflow: triggers from `on:` (`pull_request`/`pull_request_target`/`merge_group` ->
pull_request; `push` -> every branch unless `branches:` narrows it to some (then push) or
only `tags:` are listed (then tag); `schedule`, `workflow_dispatch`, `release`...), narrowed
per job and step by `if:` conditions on `github.event_name`/`github.ref`; `if: false`
disables a job or step. Steps: `run:` scripts (in `working-directory:`), `uses:` actions
(see `cnmm.collect.ci.actions`), local composite actions (`uses: ./path`, read and inlined)
and `docker://` images. A job that `uses:` a local reusable workflow passes its triggers to
that workflow (`on: workflow_call`), so tests in a called workflow count for the caller's
pull requests. Every `uses:` is recorded with whether it is pinned to a full commit SHA, and
the token `permissions:` of the workflow and of each job are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from cnmm.collect.ci._draft import Context, JobDraft, PipelineDraft
from cnmm.collect.ci._repo import join, normalise
from cnmm.collect.ci._yaml import as_map, key_line, line_in, line_of, script_start
from cnmm.collect.ci.actions import action_found
from cnmm.collect.ci.commands import expand_variables, literal_variables
from cnmm.facts.ci import (
    BRANCH,
    MANUAL,
    OTHER,
    PULL_REQUEST,
    PUSH,
    RELEASE,
    SCHEDULE,
    TAG,
    ActionUse,
    Permissions,
    Pipeline,
)

SYSTEM = "github-actions"
LABEL = "GitHub Actions workflow"
CALLED = "workflow_call"  # placeholder trigger, replaced by the callers' triggers
_SHA = re.compile(r"^[0-9a-f]{40}$")
_EVENT = re.compile(r"github\.event_name\s*(==|!=)\s*['\"]([A-Za-z_]+)['\"]")
_FALSE = re.compile(r"^\s*(\$\{\{\s*)?false(\s*\}\})?\s*$", re.IGNORECASE)
_EVENT_TRIGGERS = {
    "pull_request": {PULL_REQUEST},
    "pull_request_target": {PULL_REQUEST},
    "merge_group": {PULL_REQUEST},
    "push": {BRANCH, PUSH, TAG},
    "schedule": {SCHEDULE},
    "workflow_dispatch": {MANUAL},
    "repository_dispatch": {MANUAL},
    "release": {RELEASE},
}
_NOT_SHELL = ("python", "node")  # `shell:` values whose `run:` is not a shell script


def is_workflow(relative: str, is_git_root: Callable[[str], bool]) -> bool:
    """`.github/workflows/<file>.yml` at the root (or at the root of a nested git repository)."""
    parts = relative.split("/")
    if len(parts) < 3 or parts[-3] != ".github" or parts[-2] != "workflows":
        return False
    if not parts[-1].lower().endswith((".yml", ".yaml")):
        return False
    return len(parts) == 3 or is_git_root("/".join(parts[:-3]))


def workflow_triggers(on: Any) -> set[str]:
    """The triggers of an `on:` value."""
    if isinstance(on, str):
        events: dict[str, Any] = {on: None}
    elif isinstance(on, list):
        events = {str(e): None for e in on}
    elif isinstance(on, Mapping):
        events = {str(k): v for k, v in on.items()}
    else:
        return set()
    found: set[str] = set()
    for event, config in events.items():
        if event == "push":
            found |= _push_triggers(config)
        elif event == CALLED:
            found.add(CALLED)
        elif event in _EVENT_TRIGGERS:
            found |= _EVENT_TRIGGERS[event]
        else:
            found.add(OTHER)
    return found


def _push_triggers(config: Any) -> set[str]:
    if not isinstance(config, Mapping) or not config:
        return {BRANCH, TAG}
    branches = config.get("branches")
    has_branches = "branches" in config or "branches-ignore" in config
    has_tags = "tags" in config or "tags-ignore" in config
    found: set[str] = set()
    if has_branches or not has_tags:
        wide = (
            "branches-ignore" in config
            or not isinstance(branches, list)
            or any(str(b) in ("*", "**") for b in branches)
        )
        found.add(BRANCH if wide else PUSH)
    if has_tags or not has_branches:
        found.add(TAG)
    return found


def narrow(triggers: frozenset[str], condition: Any) -> frozenset[str]:
    """Triggers left by an `if:` that tests the event name or the ref."""
    if not isinstance(condition, str):
        return triggers
    result = set(triggers)
    matches = _EVENT.findall(condition)
    allowed: set[str] = set()
    for op, event in matches:
        if op == "==":
            allowed |= _EVENT_TRIGGERS.get(event, {OTHER})
    if allowed:
        result = {t for t in result if t in allowed or t == CALLED}
    else:
        for op, event in matches:
            if op == "!=":
                result -= _EVENT_TRIGGERS.get(event, set())
    if "||" not in condition:
        if re.search(r"github\.ref\s*==\s*['\"]refs/heads/", condition):
            result = {PUSH if t == BRANCH else t for t in result if t in (BRANCH, PUSH, CALLED)}
        elif re.search(r"startsWith\(\s*github\.ref\s*,\s*['\"]refs/tags/", condition):
            result = {t for t in result if t in (TAG, RELEASE, CALLED)}
    return frozenset(result)


def disabled(condition: Any) -> bool:
    """`if: false` (or `${{ false }}`)."""
    return condition is False or (isinstance(condition, str) and bool(_FALSE.match(condition)))


def permissions_of(value: Any, line: int | None) -> Permissions:
    """Summarise a `permissions:` value."""
    if isinstance(value, str):
        grant = value.strip().lower()
        return Permissions(grant if grant in ("read-all", "write-all") else "scoped", (), line)
    if isinstance(value, Mapping):
        if not value:
            return Permissions("none", (), line)
        writes = tuple(sorted(str(k) for k, v in value.items() if str(v).lower() == "write"))
        return Permissions("scoped", writes, line)
    return Permissions("scoped", (), line)


def action_use(uses: str, path: str, line: int | None) -> ActionUse:
    """Describe a `uses:` reference."""
    text = uses.strip()
    if text.startswith(("./", "../")) or text == ".":
        return ActionUse(text, "local", "", "", True, True, path, line)
    if text.startswith("docker://"):
        image = text[len("docker://") :]
        return ActionUse(
            text,
            "docker",
            "",
            image.rpartition("@")[2] if "@" in image else "",
            "@sha256:" in image,
            False,
            path,
            line,
        )
    name, _, ref = text.partition("@")
    owner = name.split("/", 1)[0].lower()
    kind = "workflow" if "/.github/workflows/" in name else "action"
    return ActionUse(
        text, kind, owner, ref, bool(_SHA.match(ref)), owner in ("actions", "github"), path, line
    )


class _Reader:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.repo = context.repo
        self.composites: dict[str, Any] = {}

    def read(self, relative: str) -> tuple[PipelineDraft, list[tuple[str, str]]] | None:
        docs = self.context.load_yaml(relative, LABEL)
        if docs is None:
            return None
        doc = docs[0][0] if docs else None
        if not isinstance(doc, Mapping) or not isinstance(doc.get("jobs"), Mapping):
            self.context.error(
                relative, f"{LABEL}: unknown syntax (no `jobs:` mapping)", line_of(doc, 1)
            )
            return None
        path = self.repo.display(relative)
        on = doc.get("on", doc.get(True))
        triggers = frozenset(workflow_triggers(on))
        draft = PipelineDraft(
            SYSTEM, path, relative, 1, str(doc.get("name") or relative), triggers=triggers
        )
        draft.is_reusable = triggers == {CALLED}
        if "permissions" in doc:
            draft.permissions = permissions_of(doc["permissions"], line_in(doc, "permissions"))
        workdir = _default_workdir(doc)
        calls: list[tuple[str, str]] = []
        for job_id, job in doc["jobs"].items():
            if not isinstance(job, Mapping) or disabled(job.get("if")):
                continue
            name = str(job_id)
            job_draft = draft.new_job(
                name, key_line(doc["jobs"], job_id), narrow(triggers, job.get("if"))
            )
            if "permissions" in job:
                job_draft.permissions = permissions_of(
                    job["permissions"], line_in(job, "permissions")
                )
            uses = job.get("uses")
            if isinstance(uses, str):
                self._job_call(draft, job_draft, job, uses, relative, calls)
                continue
            job_workdir = _default_workdir(job) or workdir
            job_env = literal_variables(doc.get("env"), job.get("env"))
            for index, step in enumerate(job.get("steps") or []):
                if isinstance(step, Mapping):
                    line = line_in(job.get("steps"), index)
                    self._step(draft, job_draft, step, line, path, job_workdir, 0, job_env)
        return draft, calls

    def _job_call(
        self,
        draft: PipelineDraft,
        job: JobDraft,
        body: Mapping[str, Any],
        uses: str,
        relative: str,
        calls: list[tuple[str, str]],
    ) -> None:
        line = line_in(body, "uses")
        draft.actions.append(action_use(uses, draft.path, line))
        if uses.startswith("./"):
            target = normalise(uses.split("@", 1)[0])
            if target:
                job.calls = target
                calls.append((job.name, target))
            return
        inputs = as_map(body.get("with"))
        job.add(action_found(self.context.classifier, uses, inputs or {}), draft.path, line)
        draft.unresolved.append(f"reusable workflow {uses}")

    def _step(
        self,
        draft: PipelineDraft,
        job: JobDraft,
        step: Mapping[str, Any],
        line: int | None,
        path: str,
        workdir: str,
        depth: int,
        env: dict[str, str] | None = None,
    ) -> None:
        if disabled(step.get("if")):
            return
        env = {**(env or {}), **literal_variables(step.get("env"))}
        triggers = narrow(job.triggers, step.get("if"))
        classifier = self.context.classifier
        uses = step.get("uses")
        inputs = as_map(step.get("with"))
        if isinstance(uses, str):
            use_line = line_in(step, "uses", line)
            draft.actions.append(action_use(uses, path, use_line))
            if uses.startswith("./"):
                self._composite(draft, job, uses, triggers, depth, env)
            elif uses.startswith("docker://"):
                args = inputs.get("args", "") if inputs else ""
                image = uses[len("docker://") :]
                job.add(classifier.image(image, str(args).split()), path, use_line, triggers)
            else:
                job.add(
                    action_found(classifier, uses, inputs or {}, workdir), path, use_line, triggers
                )
        run = step.get("run")
        if isinstance(run, str):
            shell = str(step.get("shell") or "")
            if any(shell.startswith(s) for s in _NOT_SHELL):
                return
            directory = workdir
            if isinstance(step.get("working-directory"), str):
                directory = join(workdir, str(step["working-directory"])) or ""
            start = script_start(step, "run")
            found = classifier.script(expand_variables(run, env), directory)
            job.add(found, path, start, triggers)

    def _composite(
        self,
        draft: PipelineDraft,
        job: JobDraft,
        uses: str,
        triggers: frozenset[str],
        depth: int,
        env: dict[str, str],
    ) -> None:
        directory = normalise(uses.split("@", 1)[0])
        if directory is None or depth > 3:
            return
        for name in ("action.yml", "action.yaml"):
            relative = join(directory, name)
            if relative and self.repo.exists(relative):
                break
        else:
            draft.unresolved.append(f"local action {uses} (no action.yml)")
            return
        if relative not in self.composites:
            docs = self.context.load_yaml(relative, "GitHub composite action", report=True)
            self.composites[relative] = docs[0][0] if docs else None
        doc = self.composites[relative]
        runs = doc.get("runs") if isinstance(doc, Mapping) else None
        if not isinstance(runs, Mapping) or str(runs.get("using", "")).lower() != "composite":
            return
        path = self.repo.display(relative)
        draft.include(path)
        steps = runs.get("steps") or []
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, Mapping):
                inner = JobDraft(job.name, job.line, triggers)
                self._step(draft, inner, step, line_in(steps, index), path, "", depth + 1, env)
                job.activities.extend(inner.activities)
                job.ephemeral_cluster |= inner.ephemeral_cluster


def _default_workdir(body: Mapping[str, Any]) -> str:
    defaults = body.get("defaults")
    run = defaults.get("run") if isinstance(defaults, Mapping) else None
    directory = run.get("working-directory") if isinstance(run, Mapping) else None
    return (normalise(str(directory)) or "") if isinstance(directory, str) else ""


def read_workflows(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Every readable workflow as a Pipeline (broken ones become errors in the context)."""
    reader = _Reader(context)
    drafts: dict[str, PipelineDraft] = {}
    calls: dict[str, list[tuple[str, str]]] = {}
    for relative in relatives:
        result = reader.read(relative)
        if result is not None:
            drafts[relative], calls[relative] = result
    _resolve_calls(drafts, calls)
    return [d.freeze() for d in drafts.values()]


def _resolve_calls(
    drafts: dict[str, PipelineDraft], calls: dict[str, list[tuple[str, str]]]
) -> None:
    """Replace the `workflow_call` placeholder by the triggers of the jobs that call it."""
    callers: dict[str, list[frozenset[str]]] = {}
    for caller, items in calls.items():
        jobs = {j.name: j for j in drafts[caller].jobs}
        for job_name, target in items:
            if target in drafts and job_name in jobs:
                callers.setdefault(target, []).append(jobs[job_name].triggers)
            elif job_name in jobs:
                drafts[caller].unresolved.append(f"reusable workflow ./{target} (not found)")
    resolved: dict[str, frozenset[str]] = {}

    def effective(relative: str, seen: frozenset[str]) -> frozenset[str]:
        if relative in resolved:
            return resolved[relative]
        incoming: set[str] = set()
        for caller_triggers in callers.get(relative, []):
            incoming |= caller_triggers
        if CALLED in incoming:  # the caller is itself called: follow it up
            incoming.discard(CALLED)
            for caller, items in calls.items():
                if caller not in seen and any(t == relative for _, t in items):
                    incoming |= effective(caller, seen | {relative})
        resolved[relative] = frozenset(incoming)
        return resolved[relative]

    for relative, draft in drafts.items():
        if not any(CALLED in j.triggers for j in draft.jobs) and CALLED not in draft.triggers:
            continue
        incoming = effective(relative, frozenset({relative}))

        def swap(triggers: frozenset[str], incoming: frozenset[str] = incoming) -> frozenset[str]:
            return (triggers - {CALLED}) | incoming if CALLED in triggers else triggers

        draft.triggers = swap(draft.triggers)
        for job in draft.jobs:
            job.triggers = swap(job.triggers)
            job.activities = [replace(a, triggers=swap(a.triggers)) for a in job.activities]
