"""Argo Workflows: Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow.

Each document is one pipeline (subject `Pipeline/<file>#<Kind>/<name>`); each template is a
job. `container:` templates run `command` + `args` (a `sh -c '<script>'` argument is a shell
script; without a command the image's own tool runs, e.g. kaniko or trivy images);
`script:` templates run their `source` when the command is a shell; `resource:` templates
are not steps (they create objects as part of a workflow's work). CronWorkflows run
on a schedule; other workflows are started outside the file (`external`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cnmm.collect.ci._draft import Context, PipelineDraft, add_argv, item_lines
from cnmm.collect.ci._yaml import as_list, as_map, line_in, line_of, script_start
from cnmm.collect.ci.tools import command_name
from cnmm.facts.ci import EXTERNAL, SCHEDULE, Pipeline

SYSTEM = "argo-workflows"
KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})
_SHELLS = ("sh", "bash", "ash", "dash", "zsh")


def is_workflow(doc: Any) -> bool:
    """An Argo Workflows document."""
    if not isinstance(doc, Mapping):
        return False
    api = str(doc.get("apiVersion", ""))
    return api.startswith("argoproj.io/") and str(doc.get("kind", "")) in KINDS


def _read(context: Context, relative: str, doc: Mapping[str, Any], line: int) -> Pipeline:
    kind = str(doc.get("kind"))
    metadata = as_map(doc.get("metadata"))
    name = str((metadata or {}).get("name") or (metadata or {}).get("generateName") or "")
    triggers = frozenset({SCHEDULE if kind == "CronWorkflow" else EXTERNAL})
    path = context.repo.display(relative)
    draft = PipelineDraft(
        SYSTEM, path, relative, line, name or relative, document=f"{kind}/{name}", triggers=triggers
    )
    spec = as_map(doc.get("spec"))
    if kind == "CronWorkflow" and isinstance(spec.get("workflowSpec"), Mapping):
        spec = spec["workflowSpec"]
    templates = spec.get("templates") if isinstance(spec, Mapping) else None
    classifier = context.classifier
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        if not isinstance(template, Mapping):
            continue
        job = draft.new_job(
            str(template.get("name") or f"template {index + 1}"),
            line_in(templates, index),
            triggers,
        )
        container = template.get("container")
        script = template.get("script")
        if isinstance(container, Mapping):
            command = [str(c) for c in as_list(container.get("command"))]
            args = [str(a) for a in as_list(container.get("args"))]
            where = line_of(container, job.line)
            if command:
                lines = item_lines(container.get("command")) + item_lines(container.get("args"))
                add_argv(job, classifier, [*command, *args], lines, path, where)
            else:
                job.add(classifier.image(str(container.get("image") or ""), args), path, where)
        elif isinstance(script, Mapping) and isinstance(script.get("source"), str):
            command = as_list(script.get("command"))
            if not command or command_name(str(command[0])) in _SHELLS:
                job.add(classifier.script(script["source"]), path, script_start(script, "source"))
    return draft.freeze()


def read_documents(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Argo Workflows documents in the candidate files (bad YAML is the manifest reader's)."""
    found: list[Pipeline] = []
    for relative in relatives:
        for doc, line in context.load_yaml(relative, "Argo Workflows", report=False) or []:
            if is_workflow(doc):
                found.append(_read(context, relative, doc, line))
    return found
