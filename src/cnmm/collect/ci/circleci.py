"""CircleCI: `.circleci/config.yml` (and other `.circleci/*.yml` configs with jobs).

Steps: `run:` (a string or `command:`), reusable `commands:` of the same file (inlined), and
orb steps or orb jobs of a few well-known orbs (`circleci/node` test, `circleci/python`
test, `circleci/go` test, `circleci/docker` build/publish, `circleci/aws-ecr` build,
`snyk/snyk` scan, `circleci/kubernetes` and `circleci/helm` deploys), matched by the orb's
source in `orbs:` and the command name.

Triggers: a job listed in a workflow runs for every pushed branch unless its `filters:`
restrict `branches:` (`only:` some -> push; `ignore: /.*/` with `tags:` -> tag only);
scheduled workflows (`triggers: - schedule:`) add schedule. Jobs in no workflow (legacy
2.0 configs run the `build` job) count as every branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cnmm.collect.ci._draft import Context, JobDraft, PipelineDraft
from cnmm.collect.ci._yaml import as_map, line_in, script_start
from cnmm.collect.ci.tools import Found
from cnmm.facts.ci import (
    BRANCH,
    DEPLOY,
    IMAGE_BUILD,
    PUSH,
    SCHEDULE,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
    Pipeline,
)

SYSTEM = "circleci"
LABEL = "CircleCI configuration"
_ORB_STEPS: dict[tuple[str, str], tuple[str, str]] = {
    ("circleci/node", "test"): (TEST, "npm test"),
    ("circleci/python", "test"): (TEST, "pytest"),
    ("circleci/go", "test"): (TEST, "go test"),
    ("circleci/docker", "build"): (IMAGE_BUILD, "docker"),
    ("circleci/docker", "publish"): (IMAGE_BUILD, "docker"),
    ("circleci/aws-ecr", "build-and-push-image"): (IMAGE_BUILD, "docker"),
    ("circleci/aws-ecr", "build_and_push_image"): (IMAGE_BUILD, "docker"),
    ("circleci/aws-ecr", "build-image"): (IMAGE_BUILD, "docker"),
    ("circleci/gcp-gcr", "build-image"): (IMAGE_BUILD, "docker"),
    ("circleci/gcp-gcr", "build-and-push-image"): (IMAGE_BUILD, "docker"),
    ("snyk/snyk", "scan"): (VULNERABILITY_SCAN, "snyk"),
    ("circleci/kubernetes", "create-or-update-resource"): (DEPLOY, "kubectl"),
    ("circleci/helm", "upgrade-helm-chart"): (DEPLOY, "helm"),
    ("circleci/helm", "install-helm-chart"): (DEPLOY, "helm"),
    ("circleci/gcp-gke", "rollout-image"): (DEPLOY, "kubectl"),
    ("circleci/gcp-gke", "publish-and-rollout-image"): (DEPLOY, "kubectl"),
    ("anchore/anchore-engine", "analyze_local_image"): (VULNERABILITY_SCAN, "anchore"),
}


def is_config(relative: str, is_git_root: Any) -> bool:
    """`.circleci/*.yml` at the root (or at the root of a nested git repository)."""
    parts = relative.split("/")
    if len(parts) < 2 or parts[-2] != ".circleci" or not parts[-1].endswith((".yml", ".yaml")):
        return False
    return bool(is_git_root("/".join(parts[:-2])))


def _filters(entry: Any) -> set[str]:
    """Triggers of one workflow job entry, from its `filters:`."""
    config = entry if isinstance(entry, Mapping) else {}
    filters = as_map(config.get("filters"))
    branches = as_map(filters.get("branches"))
    tags = as_map(filters.get("tags"))
    found: set[str] = set()
    ignored = branches.get("ignore")
    if not (isinstance(ignored, str) and ignored.strip() in ("/.*/", "/.+/")):
        found.add(PUSH if "only" in branches else BRANCH)
    if tags.get("only") is not None:
        found.add(TAG)
    return found


class _Reader:
    def __init__(self, context: Context, relative: str, doc: Mapping[str, Any]) -> None:
        self.context = context
        self.doc = doc
        self.draft = PipelineDraft(SYSTEM, context.repo.display(relative), relative, 1, relative)
        orbs = as_map(doc.get("orbs"))
        self.orbs = {
            str(alias): str(source).split("@", 1)[0].lower()
            for alias, source in (orbs or {}).items()
            if isinstance(source, str)
        }
        commands = doc.get("commands")
        self.commands = commands if isinstance(commands, Mapping) else {}

    def read(self) -> Pipeline:
        jobs = as_map(self.doc.get("jobs"))
        workflows = self.doc.get("workflows")
        triggers: dict[str, set[str]] = {}
        for workflow in workflows.values() if isinstance(workflows, Mapping) else []:
            if not isinstance(workflow, Mapping):
                continue
            scheduled = any(
                isinstance(t, Mapping) and "schedule" in t for t in workflow.get("triggers") or []
            )
            entries = workflow.get("jobs") or []
            for position, entry in enumerate(entries if isinstance(entries, list) else []):
                job_name = next(iter(entry)) if isinstance(entry, Mapping) else str(entry)
                config = as_map(entry).get(job_name)
                found = {SCHEDULE} if scheduled else _filters(config)
                triggers.setdefault(str(job_name), set()).update(found)
                if str(job_name) not in jobs and "/" in str(job_name):
                    self.orb_job(str(job_name), frozenset(found), line_in(entries, position))
        for name, body in (jobs or {}).items():
            if not isinstance(body, Mapping):
                continue
            job_triggers = frozenset(triggers.get(str(name), {BRANCH} if not triggers else set()))
            if not job_triggers:
                continue  # defined but not run by any workflow
            job = self.draft.new_job(
                str(name), body.line if hasattr(body, "line") else None, job_triggers
            )
            self.steps(job, body.get("steps"), 0)
        return self.draft.freeze()

    def orb_job(self, name: str, triggers: frozenset[str], line: int | None) -> None:
        alias, _, command = name.partition("/")
        what = _ORB_STEPS.get((self.orbs.get(alias, ""), command))
        if what:
            job = self.draft.new_job(name, line, triggers)
            job.add([Found(what[0], what[1], name)], self.draft.path, line)

    def steps(self, job: JobDraft, steps: Any, depth: int) -> None:
        if not isinstance(steps, list) or depth > 5:
            return
        classifier = self.context.classifier
        for index, step in enumerate(steps):
            line = line_in(steps, index)
            name, body = (
                next(iter(step.items())) if isinstance(step, Mapping) and step else (step, None)
            )
            name = str(name)
            if name == "run":
                if isinstance(body, str):
                    job.add(classifier.script(body), self.draft.path, script_start(step, "run"))
                elif isinstance(body, Mapping) and isinstance(body.get("command"), str):
                    job.add(
                        classifier.script(body["command"]),
                        self.draft.path,
                        script_start(body, "command"),
                    )
            elif name in self.commands and isinstance(self.commands[name], Mapping):
                self.steps(job, self.commands[name].get("steps"), depth + 1)
            elif "/" in name:
                alias, _, command = name.partition("/")
                what = _ORB_STEPS.get((self.orbs.get(alias, ""), command))
                if what:
                    job.add([Found(what[0], what[1], name)], self.draft.path, line)
                elif alias not in self.orbs:
                    continue
                else:
                    self.draft.unresolved.append(f"orb step {name}")


def read_configs(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Every readable CircleCI configuration as a Pipeline."""
    found: list[Pipeline] = []
    for relative in relatives:
        docs = context.load_yaml(relative, LABEL)
        if docs is None:
            continue
        doc = docs[0][0] if docs else None
        if not isinstance(doc, Mapping) or not (
            isinstance(doc.get("jobs"), Mapping) or isinstance(doc.get("workflows"), Mapping)
        ):
            if relative.rsplit("/", 1)[-1] in ("config.yml", "config.yaml"):
                context.error(relative, f"{LABEL}: unknown syntax (no `jobs:` or `workflows:`)")
            continue
        found.append(_Reader(context, relative, doc).read())
    return found
