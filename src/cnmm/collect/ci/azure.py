"""Azure Pipelines: `azure-pipelines*.yml` and pipeline YAML in the usual pipeline folders.

Structure: `stages:` -> `jobs:` (`job:` or `deployment:` with its strategy's steps) ->
`steps:`, or a pipeline of bare `jobs:`/`steps:`; `template:` references (steps, jobs,
stages and `extends:`) are read from the repository (paths relative to the referencing file,
`/` for the root; `@other-repo` templates are unresolved), and `${{ if }}`/`${{ each }}`
insertions are read as if their condition held. A YAML file that other pipelines use as a
template is not counted as a pipeline of its own.

Steps: `script`/`bash`/`pwsh`/`powershell` are shell scripts; tasks are read by name and
inputs: Docker (build, buildAndPush), DotNetCoreCLI (test), VSTest, Maven (goals), Gradle
(tasks), Npm (custom commands), CmdLine/Bash/PowerShell/AzureCLI (inline scripts),
HelmDeploy (install/upgrade), KubernetesManifest (deploy), Kubernetes (apply/set/...),
SnykSecurityScan, dependency-check, Advanced Security CodeQL, Trivy.

Triggers: no `trigger:` means every pushed branch, `trigger: none` none, a branch list
narrows to push (unless it includes `*`), tags -> tag; no `pr:` means pull requests are
validated (the default for GitHub and Bitbucket repositories), `pr: none` disables it;
`schedules:` -> schedule. `condition:` on `Build.Reason`/`Build.SourceBranch` narrows a
stage, job or step.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from cnmm.collect.ci._draft import Context, JobDraft, PipelineDraft
from cnmm.collect.ci._repo import join, normalise
from cnmm.collect.ci._yaml import as_map, line_in, script_start
from cnmm.collect.ci.tools import Found, gradle_activities, maven_activities
from cnmm.facts.ci import (
    BRANCH,
    DEPLOY,
    IMAGE_BUILD,
    PULL_REQUEST,
    PUSH,
    SCHEDULE,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
    Pipeline,
)

SYSTEM = "azure-pipelines"
LABEL = "Azure Pipelines definition"
_FOLDERS = (
    ".azure-pipelines",
    "azure-pipelines",
    ".azuredevops",
    ".ado",
    ".pipelines",
    "eng/pipelines",
    "build/azure-pipelines",
    ".azure",
)
_SHELL_KEYS = ("script", "bash", "pwsh", "powershell")
_PIPELINE_KEYS = frozenset(
    {"trigger", "pr", "stages", "jobs", "steps", "extends", "pool", "schedules", "resources"}
)
_TASKS: dict[str, tuple[str, str]] = {
    "vstest": (TEST, "vstest"),
    "snyksecurityscan": (VULNERABILITY_SCAN, "snyk"),
    "dependency-check-build-task": (VULNERABILITY_SCAN, "dependency-check"),
    "advancedsecurity-codeql-init": (VULNERABILITY_SCAN, "codeql"),
    "advancedsecurity-codeql-analyze": (VULNERABILITY_SCAN, "codeql"),
    "advancedsecurity-dependency-scanning": (VULNERABILITY_SCAN, "advanced-security-dependency"),
    "trivy": (VULNERABILITY_SCAN, "trivy"),
    "containerbuild": (IMAGE_BUILD, "container-build"),
}


def is_candidate(relative: str) -> bool:
    """A file that may hold an Azure Pipelines definition (checked again when read)."""
    lower = relative.lower()
    if not lower.endswith((".yml", ".yaml")):
        return False
    name = lower.rpartition("/")[2]
    if name.startswith("azure-pipelines") or name.endswith(
        (".azure-pipelines.yml", ".azure-pipelines.yaml")
    ):
        return True
    directory = "/" + lower.rpartition("/")[0] + "/"
    return any(f"/{folder}/" in directory for folder in _FOLDERS)


def azure_triggers(doc: Mapping[str, Any]) -> set[str]:
    """Triggers of a pipeline's `trigger:`, `pr:` and `schedules:`."""
    found: set[str] = set()
    trigger = doc.get("trigger", ...)
    if trigger is ...:
        found.add(BRANCH)
    elif isinstance(trigger, list):
        found.add(BRANCH if any(str(b) in ("*", "refs/heads/*") for b in trigger) else PUSH)
    elif isinstance(trigger, Mapping):
        branches = trigger.get("branches")
        include = branches.get("include") if isinstance(branches, Mapping) else None
        tags = trigger.get("tags")
        if include is not None or "tags" not in trigger:
            wide = include is None or any(str(b) in ("*", "refs/heads/*") for b in include or [])
            found.add(BRANCH if wide else PUSH)
        if tags is not None:
            found.add(TAG)
    elif trigger is not None and str(trigger).lower() != "none":
        found.add(BRANCH)
    pr = doc.get("pr", ...)
    if pr is ... or (pr is not None and str(pr).lower() != "none"):
        found.add(PULL_REQUEST)
    if doc.get("schedules"):
        found.add(SCHEDULE)
    return found


def narrow(triggers: frozenset[str], condition: Any) -> frozenset[str]:
    """Triggers left by a `condition:` on the build reason or source branch."""
    if not isinstance(condition, str):
        return triggers
    text = condition.replace('"', "'")
    if re.search(r"\beq\(\s*variables\['Build\.Reason'\]\s*,\s*'PullRequest'", text):
        return triggers & {PULL_REQUEST} or triggers
    result = set(triggers)
    if re.search(r"\bne\(\s*variables\['Build\.Reason'\]\s*,\s*'PullRequest'", text):
        result.discard(PULL_REQUEST)
    if re.search(r"startsWith\(\s*variables\['Build\.SourceBranch'\]\s*,\s*'refs/tags/", text):
        result &= {TAG}
    elif re.search(r"\beq\(\s*variables\['Build\.SourceBranch'\]\s*,\s*'refs/heads/", text):
        result = {PUSH for t in result if t in (BRANCH, PUSH)}
    return frozenset(result)


def _expand(items: Any) -> list[tuple[Any, int | None, Any]]:
    """List items with `${{ if }}`/`${{ each }}` insertions flattened: (item, line, list)."""
    out: list[tuple[Any, int | None, Any]] = []
    if not isinstance(items, list):
        return out
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and len(item) == 1:
            key = next(iter(item))
            if isinstance(key, str) and key.strip().startswith("${{"):
                out.extend(_expand(item[key]))
                continue
        out.append((item, line_in(items, index), items))
    return out


class _Reader:
    def __init__(self, context: Context, candidates: set[str]) -> None:
        self.context = context
        self.repo = context.repo
        self.candidates = candidates
        self.templates_used: set[str] = set()
        self.cache: dict[str, Any] = {}

    def load(self, relative: str, report: bool) -> Any:
        if relative not in self.cache:
            docs = self.context.load_yaml(relative, LABEL, report=report)
            self.cache[relative] = docs[0][0] if docs else None
        return self.cache[relative]

    def template(self, draft: PipelineDraft, reference: str, current: str) -> tuple[Any, str]:
        """Load a referenced template: (document or None, its repository-relative path)."""
        path, _, repository = reference.partition("@")
        if repository and repository != "self":
            draft.unresolved.append(f"template {reference}")
            return None, ""
        if "$" in path:
            draft.unresolved.append(f"template {reference} (uses parameters)")
            return None, ""
        relative = (
            normalise(path) if path.startswith("/") else join(posixpath.dirname(current), path)
        )
        if relative is None or not self.repo.exists(relative):
            draft.unresolved.append(f"template {reference} (not found)")
            return None, ""
        self.templates_used.add(relative)
        draft.include(self.repo.display(relative))
        return self.load(relative, report=True), relative

    def pipeline(self, relative: str, doc: Mapping[str, Any]) -> Pipeline:
        draft = PipelineDraft(
            SYSTEM, self.repo.display(relative), relative, 1, str(doc.get("name") or relative)
        )
        draft.triggers = frozenset(azure_triggers(doc))
        self.body(draft, doc, relative, draft.triggers, 0)
        return draft.freeze()

    def body(
        self, draft: PipelineDraft, doc: Any, current: str, triggers: frozenset[str], depth: int
    ) -> None:
        if not isinstance(doc, Mapping) or depth > 8:
            return
        if isinstance(doc.get("stages"), list):
            self.stages(draft, doc["stages"], current, triggers, depth)
        if isinstance(doc.get("jobs"), list):
            self.jobs(draft, doc["jobs"], current, triggers, depth)
        if isinstance(doc.get("steps"), list):
            job = draft.new_job(str(doc.get("name") or "job"), line_in(doc, "steps"), triggers)
            self.steps(draft, job, doc["steps"], current, depth)
        extends = doc.get("extends")
        if isinstance(extends, Mapping) and isinstance(extends.get("template"), str):
            self.use(draft, extends, current, triggers, depth)

    def use(
        self,
        draft: PipelineDraft,
        holder: Mapping[str, Any],
        current: str,
        triggers: frozenset[str],
        depth: int,
    ) -> None:
        """A `template:` in place of a pipeline, stage or job: its body, then what it is
        given as parameters."""
        template, where = self.template(draft, str(holder["template"]), current)
        if template is not None:
            self.body(draft, template, where, triggers, depth + 1)
        self.parameters(draft, holder.get("parameters"), current, triggers, depth)

    def parameters(
        self, draft: PipelineDraft, value: Any, current: str, triggers: frozenset[str], depth: int
    ) -> None:
        """Steps, jobs and stages passed as template parameters."""
        if depth > 8:
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                if key in ("stages", "jobs", "steps") and isinstance(item, list):
                    self.body(draft, {key: item}, current, triggers, depth + 1)
                else:
                    self.parameters(draft, item, current, triggers, depth + 1)
        elif isinstance(value, list):
            for item in value:
                self.parameters(draft, item, current, triggers, depth + 1)

    def stages(
        self, draft: PipelineDraft, stages: Any, current: str, triggers: frozenset[str], depth: int
    ) -> None:
        for stage, _line, _items in _expand(stages):
            if not isinstance(stage, Mapping):
                continue
            if isinstance(stage.get("template"), str):
                self.use(draft, stage, current, triggers, depth)
                continue
            narrowed = narrow(triggers, stage.get("condition"))
            if isinstance(stage.get("jobs"), list):
                self.jobs(draft, stage["jobs"], current, narrowed, depth)

    def jobs(
        self, draft: PipelineDraft, jobs: Any, current: str, triggers: frozenset[str], depth: int
    ) -> None:
        for body, line, _items in _expand(jobs):
            if not isinstance(body, Mapping):
                continue
            if isinstance(body.get("template"), str):
                self.use(draft, body, current, triggers, depth)
                continue
            name = str(body.get("job") or body.get("deployment") or "job")
            job = draft.new_job(name, line, narrow(triggers, body.get("condition")))
            self.steps(draft, job, body.get("steps"), current, depth)
            strategy = body.get("strategy")
            if isinstance(strategy, Mapping):
                for phase in strategy.values():  # runOnce/rolling/canary -> deploy/... -> steps
                    for hook in phase.values() if isinstance(phase, Mapping) else []:
                        if isinstance(hook, Mapping):
                            self.steps(draft, job, hook.get("steps"), current, depth)

    def steps(
        self, draft: PipelineDraft, job: JobDraft, steps: Any, current: str, depth: int
    ) -> None:
        path = self.repo.display(current)
        classifier = self.context.classifier
        for step, line, _items in _expand(steps):
            if not isinstance(step, Mapping):
                continue
            triggers = narrow(job.triggers, step.get("condition"))
            if isinstance(step.get("template"), str):
                template, where = self.template(draft, str(step["template"]), current)
                if isinstance(template, Mapping) and depth < 8:
                    self.steps(draft, job, template.get("steps"), where, depth + 1)
                self.parameters(draft, step.get("parameters"), current, triggers, depth + 1)
                continue
            if str(step.get("enabled", "true")).lower() == "false":
                continue
            for key in _SHELL_KEYS:
                if isinstance(step.get(key), str):
                    job.add(classifier.script(step[key]), path, script_start(step, key), triggers)
            if isinstance(step.get("task"), str):
                inputs = as_map(step.get("inputs"))
                found, start = self.task(str(step["task"]), inputs or {}, line)
                job.add(found, path, start if start is not None else line, triggers)

    def task(
        self, task: str, inputs: Mapping[str, Any], line: int | None
    ) -> tuple[list[Found], int | None]:
        """Activities of one task and the line its inline script starts at (if any)."""
        name = task.split("@", 1)[0].strip().lower()
        detail = task
        value = {str(k).lower(): v for k, v in inputs.items()}
        classifier = self.context.classifier
        command = str(value.get("command", "")).lower()
        if name in _TASKS:
            kind, tool = _TASKS[name]
            return [Found(kind, tool, detail)], None
        if name == "docker" and command in ("", "build", "buildandpush"):
            return [Found(IMAGE_BUILD, "docker", detail)], None
        if name == "dotnetcorecli" and command == "test":
            return [Found(TEST, "dotnet test", detail)], None
        if name == "maven":
            return maven_activities(str(value.get("goals", "package")).split(), detail), None
        if name == "gradle":
            return gradle_activities(str(value.get("tasks", "build")).split(), detail), None
        if name == "npm" and command == "custom":
            return classifier.argv(["npm", *str(value.get("customcommand", "")).split()]), None
        if name == "helmdeploy" and command in ("upgrade", "install"):
            return [Found(DEPLOY, "helm", detail)], None
        if name == "kubernetesmanifest" and str(value.get("action", "deploy")).lower() in (
            "deploy",
            "patch",
            "scale",
        ):
            return [Found(DEPLOY, "kubectl", detail)], None
        if name == "kubernetes" and command in ("apply", "set", "create", "replace", "patch"):
            return [Found(DEPLOY, "kubectl", detail)], None
        for key in ("script", "inlinescript", "inline"):
            if isinstance(value.get(key), str):
                start = None
                original = next((k for k in inputs if str(k).lower() == key), None)
                if original is not None:
                    start = script_start(inputs, original)
                return classifier.script(value[key]), start
        if isinstance(value.get("filepath"), str) or isinstance(value.get("scriptpath"), str):
            script = str(value.get("filepath") or value.get("scriptpath"))
            return classifier.argv(["bash", script]), None
        return [], None


def read_pipelines(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Every readable Azure pipeline (templates used by other pipelines are not counted)."""
    reader = _Reader(context, set(relatives))
    found: list[tuple[str, Pipeline]] = []
    for relative in relatives:
        named = relative.lower().rpartition("/")[2].startswith("azure-pipelines")
        doc = reader.load(relative, report=named)
        if not isinstance(doc, Mapping) or not (_PIPELINE_KEYS & set(doc)):
            if named and doc is not None:
                context.error(relative, f"{LABEL}: unknown syntax (no stages, jobs or steps)")
            continue
        found.append((relative, reader.pipeline(relative, doc)))
    return [p for relative, p in found if relative not in reader.templates_used]
