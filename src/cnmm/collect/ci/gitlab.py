"""GitLab CI: `.gitlab-ci.yml` with its local includes, `extends:`, `!reference` and defaults.

What is followed: `include:` entries that are local files (strings without a scheme,
`local:` with `*`/`**` globs, nested includes), `extends:` chains (deep merge, the job's own
keys win), `!reference [job, key]` tags, `default:`/top-level `before_script`/`after_script`,
and child pipelines (`trigger: include: local:`). Remote, project and component includes
cannot be read offline and are listed in `unresolved`; GitLab's own security templates and
components (SAST, Dependency Scanning, Container Scanning, DAST, Auto DevOps, Jobs/Build,
Jobs/Test, Jobs/Deploy) are recognised by name because their content is fixed.

Jobs are top-level mappings that are not keywords and do not start with `.` (hidden jobs
are templates). Triggers come from `rules:` (`if:` on `$CI_PIPELINE_SOURCE`,
`$CI_COMMIT_TAG`, `$CI_COMMIT_BRANCH`, `$CI_MERGE_REQUEST_*`; `when: never` rules add
nothing), `only:`/`except:`, and `workflow: rules:`. A job without rules runs in branch
pipelines for every pushed branch, which is how GitLab tests merge request branches by
default, so it counts as running before merge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cnmm.collect.ci._draft import Context, JobDraft, PipelineDraft
from cnmm.collect.ci._repo import normalise
from cnmm.collect.ci._yaml import Reference, YList, YMap, as_map, key_line
from cnmm.collect.ci.commands import expand_variables, literal_variables
from cnmm.collect.ci.tools import Found
from cnmm.facts.ci import (
    BRANCH,
    DEPLOY,
    IMAGE_BUILD,
    MANUAL,
    OTHER,
    PROVENANCE,
    PULL_REQUEST,
    PUSH,
    SCHEDULE,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
    Pipeline,
)

SYSTEM = "gitlab-ci"
LABEL = "GitLab CI configuration"
MAX_INCLUDES = 100
KEYWORDS = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "types",
        "spec",
    }
)
DEFAULT_TRIGGERS = frozenset({BRANCH, TAG, SCHEDULE, MANUAL})
_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "sast": ((VULNERABILITY_SCAN, "gitlab-sast"),),
    "dependency-scanning": ((VULNERABILITY_SCAN, "gitlab-dependency-scanning"),),
    "container-scanning": ((VULNERABILITY_SCAN, "gitlab-container-scanning"),),
    "dast": ((VULNERABILITY_SCAN, "gitlab-dast"),),
    "dast-api": ((VULNERABILITY_SCAN, "gitlab-dast"),),
    "auto-devops": (
        (TEST, "gitlab-auto-devops"),
        (IMAGE_BUILD, "gitlab-auto-devops"),
        (VULNERABILITY_SCAN, "gitlab-sast"),
        (VULNERABILITY_SCAN, "gitlab-dependency-scanning"),
        (VULNERABILITY_SCAN, "gitlab-container-scanning"),
        (DEPLOY, "gitlab-auto-devops"),
    ),
    "jobs/build": ((IMAGE_BUILD, "gitlab-auto-build"),),
    "jobs/test": ((TEST, "gitlab-auto-test"),),
    "jobs/deploy": ((DEPLOY, "gitlab-auto-deploy"),),
}


def is_pipeline(relative: str, is_git_root: Any) -> bool:
    """`.gitlab-ci.yml` at the root (or at the root of a nested git repository)."""
    directory, _, name = relative.rpartition("/")
    return name in (".gitlab-ci.yml", ".gitlab-ci.yaml") and bool(is_git_root(directory))


def _stamp(value: Any, source: str) -> None:
    """Remember which file every mapping and list came from (for line numbers after merges)."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, YMap):
            item.source = item.source or source
            stack.extend(item.values())
        elif isinstance(item, YList):
            item.source = item.source or source
            stack.extend(item)


def merge(base: Any, over: Any) -> Any:
    """GitLab's deep merge: mappings merge key by key, anything else is replaced."""
    if not (isinstance(base, Mapping) and isinstance(over, Mapping)):
        return over
    out = YMap()
    out.line = getattr(over, "line", 0) or getattr(base, "line", 0)
    out.source = getattr(over, "source", "") or getattr(base, "source", "")
    for part in (base, over):
        lines = getattr(part, "lines", {})
        blocks: set[Any] = getattr(part, "blocks", set())
        sources = getattr(part, "key_sources", {})
        for key, value in part.items():
            out[key] = merge(out[key], value) if key in out and part is over else value
            if key in lines:
                out.lines[key] = lines[key]
            if key in getattr(part, "key_lines", {}):
                out.key_lines[key] = part.key_lines[key]  # type: ignore[attr-defined]
            out.key_sources[key] = sources.get(key, getattr(part, "source", ""))
            if key in blocks:
                out.blocks.add(key)
            else:
                out.blocks.discard(key)
    return out


class _Config:
    """One GitLab configuration: the merged documents of the file and its local includes."""

    def __init__(self, context: Context, draft: PipelineDraft) -> None:
        self.context = context
        self.draft = draft
        self.data: Any = YMap()
        self.templates: list[tuple[str, str, int | None, str]] = []  # (name, what, line, file)
        self.count = 0

    def load(self, relative: str, depth: int = 0, report: bool = True) -> Any:
        """Merge a file (after its own includes) into the configuration."""
        docs = self.context.load_yaml(relative, LABEL, report=report)
        if docs is None:
            return None
        data: Any = None
        for doc, _line in docs:
            if isinstance(doc, Mapping) and set(doc) != {"spec"}:
                data = doc if data is None else merge(data, doc)
        if data is None:
            if report:
                self.context.error(relative, f"{LABEL}: unknown syntax (not a mapping of jobs)")
            return None
        _stamp(data, self.context.repo.display(relative))
        self.includes(data.get("include"), relative, depth, data)
        self.data = merge(self.data, _without_include(data))
        return data

    def includes(self, value: Any, relative: str, depth: int, holder: Any) -> None:
        if value is None or depth > 10:
            return
        entries = value if isinstance(value, list) else [value]
        line_base = getattr(holder, "lines", {}).get("include")
        for index, entry in enumerate(entries):
            line = (
                entry.line
                if isinstance(entry, YMap)
                else (value.line_of(index) if isinstance(value, YList) else line_base)
            )
            if isinstance(entry, str):
                if "://" in entry:
                    self.draft.unresolved.append(f"remote include {entry}")
                else:
                    self.local(entry, depth, line)
            elif isinstance(entry, Mapping):
                if isinstance(entry.get("local"), str):
                    self.local(str(entry["local"]), depth, line)
                elif isinstance(entry.get("template"), str):
                    self.template(str(entry["template"]), line, relative)
                elif isinstance(entry.get("component"), str):
                    self.component(str(entry["component"]), line, relative)
                elif "project" in entry:
                    self.draft.unresolved.append(
                        f"project include {entry.get('project')}:{entry.get('file')}"
                    )
                elif "remote" in entry:
                    self.draft.unresolved.append(f"remote include {entry.get('remote')}")

    def local(self, pattern: str, depth: int, line: int | None) -> None:
        repo = self.context.repo
        pattern = pattern.strip()
        if "$" in pattern:
            self.draft.unresolved.append(f"include {pattern} (uses variables)")
            return
        if any(c in pattern for c in "*?["):
            matches = repo.glob(pattern)
        else:
            target = normalise(pattern)
            matches = [target] if target is not None and repo.exists(target) else []
            if not matches:
                self.draft.unresolved.append(f"include {pattern} (not found)")
        for match in matches:
            self.count += 1
            if self.count > MAX_INCLUDES:
                self.draft.unresolved.append(f"include {match} (more than {MAX_INCLUDES} files)")
                return
            self.draft.include(repo.display(match))
            self.load(match, depth + 1)

    def template(self, name: str, line: int | None, relative: str) -> None:
        key = name.lower().removesuffix(".gitlab-ci.yml").removesuffix(".latest")
        short = key.rsplit("/", 1)[-1]
        what = key if key in _TEMPLATES else short if short in _TEMPLATES else None
        if what is None:
            self.draft.unresolved.append(f"template {name}")
            return
        self.templates.append((name, what, line, self.context.repo.display(relative)))

    def component(self, reference: str, line: int | None, relative: str) -> None:
        path = reference.split("@", 1)[0].rstrip("/")
        name = path.rsplit("/", 1)[-1].lower()
        if "/components/" in f"/{path}/" and name in _TEMPLATES:
            self.templates.append((reference, name, line, self.context.repo.display(relative)))
        else:
            self.draft.unresolved.append(f"component {reference}")


def _without_include(data: Mapping[str, Any]) -> Any:
    out = YMap()
    out.line = getattr(data, "line", 0)
    out.source = getattr(data, "source", "")
    for key, value in data.items():
        if key == "include":
            continue
        out[key] = value
        if key in getattr(data, "lines", {}):
            out.lines[key] = data.lines[key]  # type: ignore[attr-defined]
        if key in getattr(data, "key_lines", {}):
            out.key_lines[key] = data.key_lines[key]  # type: ignore[attr-defined]
        out.key_sources[key] = getattr(data, "key_sources", {}).get(key, out.source)
    return out


def rule_triggers(condition: str) -> set[str]:
    """Pipelines in which an `if:` expression can be true."""
    found: set[str] = set()
    text = condition
    if re.search(r"\$CI_PIPELINE_SOURCE\s*==\s*['\"]merge_request_event['\"]", text) or re.search(
        r"(?<![!])\$CI_MERGE_REQUEST_(IID|ID|SOURCE_BRANCH_NAME|TARGET_BRANCH_NAME|LABELS)\b"
        r"(?!\s*==\s*(null|['\"]['\"]))(?!\s*!=)",
        text,
    ):
        found.add(PULL_REQUEST)
    for source, trigger in (
        ("push", BRANCH),
        ("schedule", SCHEDULE),
        ("web", MANUAL),
        ("api", MANUAL),
        ("trigger", OTHER),
        ("pipeline", OTHER),
        ("parent_pipeline", OTHER),
    ):
        if re.search(rf"\$CI_PIPELINE_SOURCE\s*==\s*['\"]{source}['\"]", text):
            found.add(trigger)
    if re.search(r"(?<![!])\$CI_COMMIT_TAG\b(?!\s*==\s*(null|['\"]['\"]))(?!\s*!=)", text):
        found.add(TAG)
    if re.search(r"\$CI_COMMIT_(BRANCH|REF_NAME)\s*(==|=~)\s*(\$CI_DEFAULT_BRANCH|['\"/])", text):
        found.add(PUSH)
    elif re.search(r"\$CI_COMMIT_(BRANCH|REF_NAME)\s*!=", text) or re.search(
        r"(?<![!])\$CI_COMMIT_BRANCH\b(?!\s*(==|=~|!=))(?!\s*==\s*null)", text
    ):
        found.add(BRANCH)
    if not found:
        found = set(DEFAULT_TRIGGERS) | {PULL_REQUEST}  # an unknown condition may match anything
    return found


def rules_triggers(rules: Any) -> set[str]:
    """Triggers of a `rules:` list (rules with `when: never` contribute nothing)."""
    found: set[str] = set()
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping) or str(rule.get("when", "")).lower() == "never":
            continue
        condition = rule.get("if")
        found |= (
            rule_triggers(condition)
            if isinstance(condition, str)
            else (set(DEFAULT_TRIGGERS) | {PULL_REQUEST})
        )
    return found


_REFS = {
    "merge_requests": {PULL_REQUEST},
    "tags": {TAG},
    "branches": {BRANCH},
    "schedules": {SCHEDULE},
    "web": {MANUAL},
    "api": {MANUAL},
    "triggers": {OTHER},
    "pipelines": {OTHER},
    "external": {OTHER},
    "pushes": {BRANCH, TAG},
    "external_pull_requests": {PULL_REQUEST},
    "chat": {MANUAL},
}


def _refs(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        value = value.get("refs", [])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def only_triggers(only: Any, excepted: Any) -> set[str]:
    """Triggers of `only:`/`except:`."""
    found: set[str] = set(DEFAULT_TRIGGERS)
    if only is not None:
        found = set()
        for ref in _refs(only):
            found |= _REFS.get(ref, {PUSH})
    for ref in _refs(excepted):
        if ref in _REFS:
            found -= _REFS[ref]
    return found


def meet(job: set[str], workflow: set[str]) -> set[str]:
    """Job triggers allowed by workflow rules; a default job runs in every allowed pipeline."""
    out = job & workflow
    if BRANCH in job:
        out |= workflow & {PUSH, PULL_REQUEST}
    if BRANCH in workflow:
        out |= job & {PUSH, PULL_REQUEST}
    return out


class _Pipeline:
    def __init__(self, context: Context, relative: str) -> None:
        self.context = context
        path = context.repo.display(relative)
        self.draft = PipelineDraft(SYSTEM, path, relative, 1, relative)
        self.config = _Config(context, self.draft)

    def read(self) -> Pipeline | None:
        if self.config.load(self.draft.relative_path) is None:
            return None
        data = self.config.data
        workflow = data.get("workflow")
        wf_rules = workflow.get("rules") if isinstance(workflow, Mapping) else None
        allowed = rules_triggers(wf_rules) if isinstance(wf_rules, list) else None
        self.jobs(data, allowed, None)
        for name, what, line, path in self.config.templates:
            job = self.draft.new_job(
                f"template {name}",
                line,
                DEFAULT_TRIGGERS | {PULL_REQUEST}
                if what in ("sast", "dependency-scanning", "auto-devops")
                else DEFAULT_TRIGGERS,
            )
            job.add(
                [Found(kind, tool, f"include {name}") for kind, tool in _TEMPLATES[what]],
                path,
                line,
            )
        return self.draft.freeze()

    def jobs(
        self,
        data: Mapping[str, Any],
        allowed: set[str] | None,
        inherited: frozenset[str] | None,
        depth: int = 0,
    ) -> None:
        default = as_map(data.get("default"))
        globals_ = {k: data[k] for k in ("before_script", "after_script") if k in data}
        generate_metadata = _provenance_variable(data.get("variables"))
        for name, body in data.items():
            if not isinstance(name, str) or name in KEYWORDS or name.startswith("."):
                continue
            if not isinstance(body, Mapping):
                continue
            job = self.resolve(data, name, body)
            if inherited is not None:
                triggers = set(inherited)
            elif "rules" in job:
                triggers = rules_triggers(job.get("rules"))
            else:
                triggers = only_triggers(job.get("only"), job.get("except"))
            if allowed is not None and inherited is None:
                triggers = meet(triggers, allowed)
            if str(job.get("when", "")).lower() == "never":
                continue
            line = key_line(data, name, body.line if isinstance(body, YMap) else None)
            draft = self.draft.new_job(name, line, frozenset(triggers))
            trigger = job.get("trigger")
            if trigger is not None:
                self.child(trigger, draft.triggers, depth)
                continue
            for key in ("before_script", "script", "after_script"):
                value = job.get(key, default.get(key) if key != "script" else None)
                if value is None and key != "script":
                    value = globals_.get(key)
                holder = job if key in job else default if key in default else data
                variables = literal_variables(data.get("variables"), job.get("variables"))
                self.scripts(draft, value, holder, key, variables)
            if (generate_metadata or _provenance_variable(job.get("variables"))) and job.get(
                "artifacts"
            ):
                draft.add(
                    [Found(PROVENANCE, "gitlab-runner", "RUNNER_GENERATE_ARTIFACTS_METADATA")],
                    getattr(body, "source", "") or self.draft.path,
                    draft.line,
                )

    def child(self, trigger: Any, triggers: frozenset[str], depth: int) -> None:
        include = trigger.get("include") if isinstance(trigger, Mapping) else None
        if include is None or depth > 3:
            if isinstance(trigger, Mapping) and trigger.get("project"):
                self.draft.unresolved.append(f"downstream project {trigger.get('project')}")
            return
        entries = include if isinstance(include, list) else [include]
        for entry in entries:
            local = (
                entry
                if isinstance(entry, str)
                else (entry.get("local") if isinstance(entry, Mapping) else None)
            )
            target = normalise(str(local)) if isinstance(local, str) else None
            if target is None or not self.context.repo.exists(target):
                self.draft.unresolved.append(f"child pipeline {entry}")
                continue
            child = _Config(self.context, self.draft)
            if child.load(target) is None:
                continue
            self.draft.include(self.context.repo.display(target))
            self.jobs(child.data, None, triggers, depth + 1)

    def resolve(self, data: Mapping[str, Any], name: str, body: Any, depth: int = 0) -> Any:
        """The job after `extends:` (bases first, the job's own keys win)."""
        extends = body.get("extends") if isinstance(body, Mapping) else None
        if extends is None or depth > 10:
            return body
        merged: Any = YMap()
        for base in extends if isinstance(extends, list) else [extends]:
            parent = data.get(base) if isinstance(base, str) else None
            if isinstance(parent, Mapping):
                merged = merge(merged, self.resolve(data, str(base), parent, depth + 1))
            else:
                self.draft.unresolved.append(f"extends {base} (not found)")
        return merge(merged, body)

    def scripts(
        self, job: JobDraft, value: Any, holder: Any, key: str, variables: dict[str, str]
    ) -> None:
        for text, path, line in self.lines(value, holder, key, 0):
            job.add(self.context.classifier.script(expand_variables(text, variables)), path, line)

    def lines(
        self, value: Any, holder: Any, key: Any, depth: int
    ) -> list[tuple[str, str, int | None]]:
        """Script lines with the file and line each is written at (references resolved)."""
        if depth > 10:
            return []
        if isinstance(value, str):
            source = getattr(holder, "key_sources", {}).get(key) or getattr(holder, "source", "")
            line = holder.lines.get(key) if isinstance(holder, YMap) else None
            if line is not None and key in getattr(holder, "blocks", set()):
                line += 1
            return [(value, source or self.draft.path, line)]
        out: list[tuple[str, str, int | None]] = []
        if isinstance(value, Reference):
            target: Any = self.config.data
            for part in value:
                target = target.get(part) if isinstance(target, Mapping) else None
            return self.lines(target, None, None, depth + 1) if target is not None else out
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    line = value.line_of(index) if isinstance(value, YList) else None
                    if line is not None and isinstance(value, YList) and index in value.blocks:
                        line += 1
                    source = getattr(value, "source", "") or self.draft.path
                    out.append((item, source, line))
                else:
                    out.extend(self.lines(item, value, index, depth + 1))
        return out


def _provenance_variable(variables: Any) -> bool:
    if not isinstance(variables, Mapping):
        return False
    value = variables.get("RUNNER_GENERATE_ARTIFACTS_METADATA")
    if isinstance(value, Mapping):
        value = value.get("value")
    return str(value).strip().lower() == "true"


def read_pipelines(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Every readable `.gitlab-ci.yml` as a Pipeline."""
    found: list[Pipeline] = []
    for relative in relatives:
        pipeline = _Pipeline(context, relative).read()
        if pipeline is not None:
            found.append(pipeline)
    return found
