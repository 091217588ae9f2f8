"""Tekton: Task, ClusterTask, Pipeline, PipelineRun and TaskRun documents (`tekton.dev`).

Each document is one pipeline (subject `Pipeline/<file>#<Kind>/<name>`). Steps: `script:`
(a shell script unless its shebang names another interpreter), `command:` + `args:`, or
the image's own tool with `args:` (kaniko, buildah, trivy, cosign... images). Pipelines
and PipelineRuns read their tasks: inline `taskSpec`/`pipelineSpec`, `taskRef`/
`pipelineRef` to a Task or Pipeline defined in the repository (followed by name), and
tasks from the Tekton catalog or Konflux bundles referenced by name (resolver `hub`,
`bundles`, `git` `pathInRepo`, or plain `taskRef.name`): buildah, kaniko, buildpacks, s2i,
jib, ko, docker-build (image builds), golang-test (tests), trivy-scanner, clair-scan,
sast-snyk-check (scans), helm-upgrade-*, kubernetes-actions, argocd-task-sync-and-wait
(deploys). Catalog task names are matched exactly, never as substrings.

Triggers: PipelineRuns with Pipelines-as-Code annotations
(`pipelinesascode.tekton.dev/on-event`, `on-cel-expression`) run on pull requests and/or
pushes as they say; everything else is started outside the file (`external`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cnmm.collect.ci._draft import Context, JobDraft, PipelineDraft, add_argv, item_lines
from cnmm.collect.ci._yaml import as_list, as_map, line_in, line_of, script_start
from cnmm.collect.ci.tools import Found, command_name
from cnmm.facts.ci import (
    BRANCH,
    DEPLOY,
    EXTERNAL,
    IMAGE_BUILD,
    PULL_REQUEST,
    PUSH,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
    Pipeline,
)

SYSTEM = "tekton"
KINDS = frozenset({"Task", "ClusterTask", "Pipeline", "PipelineRun", "TaskRun"})
_CATALOG: dict[str, tuple[tuple[str, str], ...]] = {
    "buildah": ((IMAGE_BUILD, "buildah"),),
    "buildah-oci-ta": ((IMAGE_BUILD, "buildah"),),
    "buildah-remote": ((IMAGE_BUILD, "buildah"),),
    "buildah-remote-oci-ta": ((IMAGE_BUILD, "buildah"),),
    "kaniko": ((IMAGE_BUILD, "kaniko"),),
    "buildpacks": ((IMAGE_BUILD, "pack"),),
    "buildpacks-phases": ((IMAGE_BUILD, "pack"),),
    "s2i": ((IMAGE_BUILD, "s2i"),),
    "jib-maven": ((IMAGE_BUILD, "jib"),),
    "jib-gradle": ((IMAGE_BUILD, "jib"),),
    "ko": ((IMAGE_BUILD, "ko"),),
    "docker-build": ((IMAGE_BUILD, "docker"),),
    "golang-test": ((TEST, "go test"),),
    "trivy-scanner": ((VULNERABILITY_SCAN, "trivy"),),
    "clair-scan": ((VULNERABILITY_SCAN, "clair"),),
    "sast-snyk-check": ((VULNERABILITY_SCAN, "snyk"),),
    "sast-snyk-check-oci-ta": ((VULNERABILITY_SCAN, "snyk"),),
    "helm-upgrade-from-source": ((DEPLOY, "helm"),),
    "helm-upgrade-from-repo": ((DEPLOY, "helm"),),
    "kubernetes-actions": ((DEPLOY, "kubectl"),),
    "argocd-task-sync-and-wait": ((DEPLOY, "argocd"),),
}
_SCRIPT_PARAMS = ("script", "SCRIPT")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


def is_tekton(doc: Any) -> bool:
    """A Tekton document of a kind that runs steps."""
    if not isinstance(doc, Mapping):
        return False
    api = str(doc.get("apiVersion", ""))
    return api.startswith("tekton.dev/") and str(doc.get("kind", "")) in KINDS


def _name(doc: Mapping[str, Any]) -> str:
    metadata = as_map(doc.get("metadata"))
    return str((metadata or {}).get("name") or (metadata or {}).get("generateName") or "")


def pac_triggers(doc: Mapping[str, Any]) -> frozenset[str] | None:
    """Triggers from Pipelines-as-Code annotations (None when there are none)."""
    metadata = as_map(doc.get("metadata"))
    annotations = (metadata or {}).get("annotations")
    if not isinstance(annotations, Mapping):
        return None
    event = str(annotations.get("pipelinesascode.tekton.dev/on-event", ""))
    cel = str(annotations.get("pipelinesascode.tekton.dev/on-cel-expression", ""))
    text = event + " " + cel
    found: set[str] = set()
    if "pull_request" in text:
        found.add(PULL_REQUEST)
    if re.search(r"\bpush\b", text):
        found.add(
            PUSH
            if "target_branch" in text
            or annotations.get("pipelinesascode.tekton.dev/on-target-branch")
            else BRANCH
        )
    if "refs/tags" in text:
        found.add(TAG)
    return frozenset(found) if found else None


def _catalog_name(ref: Mapping[str, Any]) -> str | None:
    """The catalog task name of a `taskRef` (plain name, hub/bundles/git resolver params)."""
    params = ref.get("params") if isinstance(ref.get("params"), list) else []
    values = {
        str(p.get("name")): str(p.get("value")) for p in params or [] if isinstance(p, Mapping)
    }
    if ref.get("resolver"):
        if values.get("name"):
            return values["name"]
        path = values.get("pathInRepo", "")
        match = re.search(r"(?:^|/)task/([^/]+)/", path)
        return match.group(1) if match else None
    if isinstance(ref.get("bundle"), str) and ref.get("name"):
        return str(ref["name"])
    return str(ref["name"]) if ref.get("name") else None


class _Reader:
    def __init__(self, context: Context, documents: list[tuple[str, Any, int]]) -> None:
        self.context = context
        self.documents = documents
        self.tasks: dict[str, tuple[str, Any]] = {}
        self.pipelines: dict[str, tuple[str, Any]] = {}
        for relative, doc, _line in documents:
            kind = str(doc.get("kind"))
            if kind in ("Task", "ClusterTask"):
                self.tasks.setdefault(_name(doc), (relative, doc))
            elif kind == "Pipeline":
                self.pipelines.setdefault(_name(doc), (relative, doc))

    def read(self, relative: str, doc: Mapping[str, Any], line: int) -> Pipeline:
        kind = str(doc.get("kind"))
        name = _name(doc)
        path = self.context.repo.display(relative)
        triggers = pac_triggers(doc) or frozenset({EXTERNAL})
        draft = PipelineDraft(
            SYSTEM,
            path,
            relative,
            line,
            name or relative,
            document=f"{kind}/{name}",
            triggers=triggers,
        )
        spec = as_map(doc.get("spec"))
        if kind in ("Task", "ClusterTask"):
            self.task_spec(draft, draft.new_job(name, line, triggers), spec, path, 0)
        elif kind == "TaskRun":
            job = draft.new_job(name, line, triggers)
            self.task_ref_or_spec(draft, job, spec, path, 0)
        elif kind == "Pipeline":
            self.pipeline_spec(draft, spec, path, triggers, 0)
        elif kind == "PipelineRun":
            if isinstance(spec.get("pipelineSpec"), Mapping):
                self.pipeline_spec(draft, spec["pipelineSpec"], path, triggers, 0)
            elif isinstance(spec.get("pipelineRef"), Mapping):
                ref = spec["pipelineRef"]
                target = self.pipelines.get(str(ref.get("name", "")))
                if target is not None:
                    other, body = target
                    other_path = self.context.repo.display(other)
                    draft.include(other_path)
                    inner = as_map(body.get("spec"))
                    self.pipeline_spec(draft, inner, other_path, triggers, 1)
                else:
                    draft.unresolved.append(f"pipelineRef {ref.get('name') or ref.get('resolver')}")
        return draft.freeze()

    def pipeline_spec(
        self,
        draft: PipelineDraft,
        spec: Mapping[str, Any],
        path: str,
        triggers: frozenset[str],
        depth: int,
    ) -> None:
        for key in ("tasks", "finally"):
            tasks = spec.get(key)
            for index, task in enumerate(tasks if isinstance(tasks, list) else []):
                if not isinstance(task, Mapping):
                    continue
                job = draft.new_job(
                    str(task.get("name") or f"task {index + 1}"), line_in(tasks, index), triggers
                )
                self.task_ref_or_spec(draft, job, task, path, depth)

    def task_ref_or_spec(
        self, draft: PipelineDraft, job: JobDraft, body: Mapping[str, Any], path: str, depth: int
    ) -> None:
        if isinstance(body.get("taskSpec"), Mapping):
            self.task_spec(draft, job, body["taskSpec"], path, depth)
            return
        ref = body.get("taskRef")
        if not isinstance(ref, Mapping):
            return
        local = self.tasks.get(str(ref.get("name", ""))) if not ref.get("resolver") else None
        if local is not None and depth < 3:
            other, task = local
            other_path = self.context.repo.display(other)
            draft.include(other_path)
            spec = as_map(task.get("spec"))
            self.task_spec(draft, job, spec, other_path, depth + 1)
            return
        catalog = _catalog_name(ref)
        line = line_of(ref, job.line)
        if catalog == "goreleaser":  # the catalog task runs `goreleaser release` at the root
            job.add(self.context.classifier.argv(["goreleaser", "release"]), path, line)
        elif catalog in _CATALOG:
            job.add(
                [Found(kind, tool, f"task {catalog}") for kind, tool in _CATALOG[catalog]],
                path,
                line,
            )
        elif catalog:
            draft.unresolved.append(f"task {catalog}")
        params = body.get("params") if isinstance(body.get("params"), list) else []
        for param in params or []:
            if (
                isinstance(param, Mapping)
                and param.get("name") in _SCRIPT_PARAMS
                and isinstance(param.get("value"), str)
            ):
                job.add(
                    self.context.classifier.script(param["value"]),
                    path,
                    script_start(param, "value"),
                )

    def task_spec(
        self, draft: PipelineDraft, job: JobDraft, spec: Mapping[str, Any], path: str, depth: int
    ) -> None:
        steps = spec.get("steps")
        classifier = self.context.classifier
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(step, Mapping):
                continue
            line = line_in(steps, index)
            image = str(step.get("image") or "")
            command = [str(c) for c in as_list(step.get("command"))]
            args = [str(a) for a in as_list(step.get("args"))]
            script = step.get("script")
            if isinstance(script, str):
                first = script.lstrip().split("\n", 1)[0]
                shebang = command_name(first.split()[-1]) if first.startswith("#!") else "sh"
                if shebang in _SHELLS:
                    job.add(classifier.script(script), path, script_start(step, "script"))
            elif command:
                lines = item_lines(step.get("command")) + item_lines(step.get("args"))
                add_argv(job, classifier, [*command, *args], lines, path, line)
            elif args or image:
                job.add(classifier.image(image, args), path, line)


def read_documents(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Tekton documents in the candidate files (invalid YAML is left to the manifest reader)."""
    documents: list[tuple[str, Any, int]] = []
    for relative in relatives:
        docs = context.load_yaml(relative, "Tekton", report=False) or []
        documents += [(relative, doc, line) for doc, line in docs if is_tekton(doc)]
    reader = _Reader(context, documents)
    return [reader.read(relative, doc, line) for relative, doc, line in documents]
