"""Kubernetes objects from YAML/JSON files, Kustomize directories and Helm charts.

Parsing is defensive: every document is composed with libyaml (`yaml.CSafeLoader`) and the
node graph is bounded (node count including alias expansion, nesting depth) *before* any
Python object is built, so alias bombs and deeply nested files become file errors instead of
eating memory or crashing. Duplicate mapping keys are errors too (the API server rejects them).

Documents that configure tools rather than the cluster (Kustomization/Component, skaffold,
kind, Backstage entities, CLI test files, kubeconfigs, component configs) are recognised and
not counted as cluster objects; Kustomize patch files are partial objects and skipped too,
and so are files that policy tests only assert (`cnmm.collect.testfiles`).
`*List` kinds are expanded into their items. Files under a Helm chart's `templates/` are not
read as plain files: they are rendered (see `cnmm.collect.helm`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from cnmm.collect import testfiles
from cnmm.collect.files import (
    DEFAULT_MAX_FILE_SIZE,
    FileReadError,
    Walk,
    WalkOptions,
    read_text,
    walk,
)
from cnmm.collect.paths import forget_resolved, real_path, resolved
from cnmm.facts import FileError
from cnmm.facts.kubernetes import KubeObject
from cnmm.yamlsource import nesting_refused, yaml_problem

MAX_NODES = 2_000_000  # per file, counting every alias expansion
MAX_DEPTH = 500  # Kubernetes objects, even CRD schemas, stay far below this
# Above this many bracket characters (or such long indentation) a file gets an exact depth
# check with the event parser before composing: libyaml's composer recurses in C and deep
# enough nesting would crash the process instead of raising.
_BRACKET_BUDGET = MAX_DEPTH
_DEEP_INDENT = re.compile(r"(?m)^[ \t?-]{" + str(MAX_DEPTH) + "}")
HELM_CHART_FILE = "Chart.yaml"
PARALLEL_MIN_FILES = 200  # below this a process pool costs more than it saves
PARALLEL_MIN_BYTES = 8 * 1024 * 1024

# apiVersion groups (or exact apiVersions) of documents that configure tools, not clusters.
TOOL_CONFIG_GROUPS = (
    "kustomize.config.k8s.io", "skaffold", "kind.x-k8s.io", "backstage.io",
    "scaffolder.backstage.io", "cli.kyverno.io", "chainsaw.kyverno.io", "kuttl.dev",
    "kpt.dev", "config.kubernetes.io", "kubeadm.k8s.io", "k3d.io", "ctlptl.dev",
    "kubelet.config.k8s.io", "kubeproxy.config.k8s.io", "kubescheduler.config.k8s.io",
    "apiserver.config.k8s.io", "audit.k8s.io", "builtin", "tilt.dev", "garden.io",
    "clusterctl.cluster.x-k8s.io", "client.authentication.k8s.io", "plugin.fluxcd.io",
    "scorecard.operatorframework.io",
    # gator (Gatekeeper's CLI): test suites and policy catalogs; AdmissionReview is only ever
    # a webhook request (gator reads it as test input), never an object stored in a cluster.
    "test.gatekeeper.sh", "gator.gatekeeper.sh", "admission.k8s.io",
    # Crossplane package metadata (crossplane.yaml): read by `crossplane xpkg build`, never
    # created in a cluster (the package's Configuration/Provider in pkg.crossplane.io is).
    "meta.pkg.crossplane.io",
    # Tanka environments (spec.json): read by `tk` to find the cluster and namespace to
    # deploy to, never applied.
    "tanka.dev",
)  # fmt: skip
# (group, kind) of tool documents in groups that also hold cluster objects: an Argo CD plugin
# configuration is read by the plugin's sidecar, it is not a custom resource; kapp reads its
# `Config` from among the resources it deploys and never applies it. Envoy Gateway's
# `EnvoyGateway` is its controller's configuration file (`--config-path`, no CRD), unlike the
# group's policies and EnvoyProxy, which are custom resources.
TOOL_CONFIG_KINDS = frozenset(
    {
        ("argoproj.io", "ConfigManagementPlugin"),
        ("kapp.k14s.io", "Config"),
        ("gateway.envoyproxy.io", "EnvoyGateway"),
    }
)
# Kubernetes kinds are CamelCase names; anything else (`kind: ksonnet.io/app`) is not an object.
_KIND_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# An apiVersion without a group names the core group, whose versions are Kubernetes versions
# (v1; v1beta3 and the like before 1.0): `apiVersion: not-valid` is no object (kind's test
# data), `apiVersion: v1beta1` on a made-up kind still is one.
_CORE_VERSION = re.compile(r"v[0-9]+(?:(?:alpha|beta)[0-9]+)?")


_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(yaml.CSafeLoader):
    """CSafeLoader that also accepts the YAML 1.1 value key `=` (found in real CRDs)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """A plain string is its node's value: most scalars of a manifest are, and PyYAML's
        generic construction of each costs a sixth of the parse."""
        if node.__class__ is yaml.ScalarNode and node.tag == _STR_TAG:
            return node.value
        return super().construct_object(node, deep)


_Loader.add_constructor(
    "tag:yaml.org,2002:value",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def _untagged(loader: yaml.CSafeLoader, node: yaml.Node) -> Any:
    """A node with an application tag (`!ENV`, `!Ref`, `!reference`) as if it had none: such
    files (mkdocs, CloudFormation, GitLab CI) are valid YAML, not unreadable input."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor(None, _untagged)  # None: every tag without a constructor of its own


class ParseError(Exception):
    """A file that cannot be parsed safely; `line` is 1-based when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def is_tool_config(api_version: str, kind: str) -> bool:
    """Whether a document configures a tool (kustomize, skaffold, kind, ...), not a cluster."""
    group = api_version.rpartition("/")[0] if "/" in api_version else api_version
    # The core group has no such kinds: `v1 Config` is a kubeconfig, `v1 Policy` the legacy
    # kube-scheduler policy file (--policy-config-file).
    if api_version == "v1" and kind in ("Config", "Policy"):
        return True
    if group.startswith("skaffold") or (group, kind) in TOOL_CONFIG_KINDS:
        return True
    return any(group == g or group.endswith("." + g) for g in TOOL_CONFIG_GROUPS)


def _check_depth(text: str) -> None:
    """Exact nesting depth with the (non-recursive) event parser; ParseError when too deep."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _bound(root: yaml.Node, unique_keys: bool = True) -> None:
    """Count nodes (every alias expansion counts) and depth; reject duplicate keys when
    `unique_keys` (scalar keys are checked here, not counted)."""
    count = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ParseError(
                f"more than {MAX_NODES} nodes after alias expansion (alias bomb?)",
                root.start_mark.line + 1,
            )
        if depth > MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] | None = set() if unique_keys else None
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    stack.append((key, depth + 1))
                elif seen is not None:
                    if key.value in seen and key.value != "<<":
                        raise ParseError(f"duplicate key {key.value!r}", key.start_mark.line + 1)
                    seen.add(key.value)
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def parse_documents(
    text: str, loader: type[yaml.CSafeLoader] = _Loader, unique_keys: bool = True
) -> list[tuple[Any, int]]:
    """Every document of a YAML/JSON stream with its 1-based start line, guarded.

    `loader` decides how documents are built (CI files use one that keeps line numbers);
    the guards are the same whatever builds them. `unique_keys=False` lets a later key win.
    """
    if text.count("[") + text.count("{") > _BRACKET_BUDGET or _DEEP_INDENT.search(text) is not None:
        try:
            _check_depth(text)
        except yaml.MarkedYAMLError as exc:
            raise _yaml_error(exc, text) from None
    composer = loader(text)
    docs: list[tuple[Any, int]] = []
    try:
        while composer.check_node():
            node = composer.get_node()
            if node is None:
                continue
            _bound(node, unique_keys)
            docs.append((composer.construct_document(node), node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        composer.dispose()
    return docs


# A Go template comment (`{{/*`, `{{- /*`) may close lines later: its opening is enough.
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{\{-?\s*/\*")


def _shortened(tag: str, most: int = 40) -> str:
    """A template tag as an error quotes it: a cut one ends in `...`, so that it does not
    read as the whole tag (`{{ .x | join "` of `{{ .x | join "," }}`)."""
    return tag if len(tag) <= most else tag[: most - 3] + "..."


def _yaml_error(exc: yaml.MarkedYAMLError, text: str) -> ParseError:
    reason, line = yaml_problem(exc)
    if nesting_refused(exc):
        # libyaml's scanner refuses 1000 open levels before our event count reaches ours.
        return ParseError(f"nesting deeper than {MAX_DEPTH} levels", line)
    if "unhashable key" in str(exc.problem):
        # `namespace: {{ .ns }}` reads as a mapping used as a key: a template, not YAML.
        return ParseError(
            "invalid YAML: a mapping or list used as a key (an unrendered template "
            "placeholder such as {{ ... }}?)",
            line,
        )
    # Jinja/Liquid (`{% raw %}` in documentation snippets) or Go template control lines
    # (`{{- if ... }}`) where YAML fails: say so rather than only what the parser saw.
    marks = [m for m in (exc.context_mark, exc.problem_mark) if m is not None]
    lines = text.split("\n")  # libyaml's lines (a lone \r aside)
    for number in sorted({m.line for m in marks}):
        tag = _TEMPLATE_TAG.search(lines[number]) if number < len(lines) else None
        if tag:
            return ParseError(
                f"invalid YAML: line {number + 1} holds an unrendered template tag "
                f"({_shortened(tag.group())}); {reason.removeprefix('invalid YAML: ')}",
                line,
            )
    return ParseError(reason, line)


@dataclass(frozen=True)
class FileParse:
    """The result of reading one file: objects, tool-config documents, or an error."""

    path: str
    objects: tuple[KubeObject, ...] = ()
    tool_configs: tuple[str, ...] = ()  # "apiVersion kind" of each tool document
    error: str | None = None
    other_documents: int = 0  # documents that are neither (kustomize would refuse them)
    # Real paths that test documents here use as expected states / send to a cluster
    # (see cnmm.collect.testfiles).
    expected_files: tuple[str, ...] = ()
    sent_files: tuple[str, ...] = ()
    # Images a build tool configured here builds and tags at deploy time (skaffold
    # `build.artifacts[].image`): a manifest naming one untagged is filled in then.
    built_images: tuple[str, ...] = ()


def skaffold_artifacts(doc: Mapping[str, Any]) -> list[str]:
    """The image names a skaffold configuration builds (`build.artifacts[].image`, in its
    profiles too); skaffold replaces references to them in manifests with the built tag."""
    if not str(doc.get("apiVersion", "")).startswith("skaffold/"):
        return []
    builds = [doc.get("build")]
    builds += [p.get("build") for p in doc.get("profiles") or [] if isinstance(p, Mapping)]
    names: list[str] = []
    for build in builds:
        artifacts = build.get("artifacts") if isinstance(build, Mapping) else None
        for artifact in artifacts if isinstance(artifacts, list) else []:
            image = artifact.get("image") if isinstance(artifact, Mapping) else None
            if isinstance(image, str) and image:
                names.append(image)
    return names


def objects_from_document(
    doc: Any, path: str, line: int | None, origin: str
) -> tuple[list[KubeObject], list[str]]:
    """Kubernetes objects in one parsed document (expanding `*List`), plus tool-config docs."""
    if not isinstance(doc, Mapping):
        return [], []
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return [], []
    if not _KIND_NAME.fullmatch(kind):
        return [], []
    if "/" not in api_version and not _CORE_VERSION.fullmatch(api_version):
        return [], []
    if is_tool_config(api_version, kind):
        return [], [f"{api_version} {kind}"]
    items = doc.get("items")
    # `items:` left empty (null) is an empty list to kubectl, not an object of kind *List.
    if kind.endswith("List") and (isinstance(items, list) or (items is None and "items" in doc)):
        objects: list[KubeObject] = []
        tools: list[str] = []
        for item in items or []:
            found, tool = objects_from_document(item, path, line, origin)
            objects.extend(found)
            tools.extend(tool)
        return objects, tools
    metadata = doc.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    name = metadata.get("name") or metadata.get("generateName") or ""
    namespace = metadata.get("namespace")
    return [
        KubeObject(
            api_version=api_version,
            kind=kind,
            name=str(name),
            namespace=str(namespace) if namespace else None,
            body=doc,
            path=path,
            line=line,
            origin=origin,
        )
    ], []


# The key is found by its name first, then its line checked for what may precede it
# (spaces, a list dash): a pattern anchored at every line start scans 45 times slower.
_SCHEMA_KEY = re.compile(r"(?m)openAPIV3Schema:[ \t]*(?:#.*)?$")
_SCHEMA_KEY_LEAD = re.compile(r"( *)(- )?")
_CRD_KIND = re.compile(r"(?m)^kind:[ \t]*['\"]?CustomResourceDefinition['\"]?[ \t]*(?:#.*)?$")


@functools.lru_cache(maxsize=64)
def _block_end(deeper: int) -> re.Pattern[str]:
    """The newline after which a block indented `deeper` columns ends: one starting a line
    that is neither indented that far nor blank or comment-only. (Searching for it is many
    times faster than matching the block line by line.)"""
    return re.compile(r"\n(?![ ]{" + str(deeper) + r"}|[ \t]*(?:#|\n|\Z))")


def strip_crd_schemas(text: str) -> str:
    """The text with the block under every `openAPIV3Schema:` key of a CRD replaced by `{}`
    and blank lines (so every line keeps its number), or the text itself when it has none.

    CRD OpenAPI schemas are most of the bytes of real repositories (91% of the benchmark
    corpus) and no fact reads them: not building Python objects for them is what makes a
    scan cheaper than merely loading the YAML. Only block-style schemas of files declaring a
    CustomResourceDefinition are touched; anything that then fails to parse is parsed again
    whole (see `parse_text`). Syntax errors inside a schema block are therefore not reported.
    """
    if "openAPIV3Schema" not in text or _CRD_KIND.search(text) is None:
        return text
    out: list[str] = []
    position = 0
    for match in _SCHEMA_KEY.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        lead = _SCHEMA_KEY_LEAD.fullmatch(text, line_start, match.start())
        if lead is None or line_start < position:
            continue  # not a key of its own, or nested inside a block already blanked
        # "  - openAPIV3Schema:" opens a list item: its children sit two columns further in.
        deeper = len(lead.group(1)) + (2 if lead.group(2) else 0) + 1
        # Lines indented deeper than the key, or blank / comment-only lines, belong to it:
        # the block ends at the first newline that starts any other line.
        end = _block_end(deeper).search(text, match.end())
        stop = end.start() if end else len(text)
        out.append(text[position : match.end()])
        out.append(" {}" + "\n" * text.count("\n", match.end(), stop))
        position = stop
    out.append(text[position:])
    return "".join(out)


def _located(exc: ParseError) -> str:
    """`reason (line N)`, as file errors show a parse problem."""
    return f"{exc.reason} (line {exc.line})" if exc.line else exc.reason


def parse_text(
    text: str,
    path: str,
    origin: str = "file",
    unique_keys: bool = True,
) -> FileParse:
    """Objects in a YAML/JSON text; parse problems become the FileParse's error.
    `unique_keys=False` lets a later duplicate key win (as Helm reads its own output)."""
    light = strip_crd_schemas(text)
    try:
        docs = parse_documents(light, unique_keys=unique_keys)
    except ParseError as exc:
        if light is not text:
            return parse_text_whole(text, path, origin, unique_keys)
        if (json_docs := json_documents(text, exc)) is not None:
            return _objects_of(json_docs, path, origin)
        return FileParse(path, error=_located(exc))
    return _objects_of(docs, path, origin)


def parse_text_whole(
    text: str, path: str, origin: str = "file", unique_keys: bool = True
) -> FileParse:
    """`parse_text` without skipping CRD schemas."""
    try:
        docs = parse_documents(text, unique_keys=unique_keys)
    except ParseError as exc:
        if (json_docs := json_documents(text, exc)) is not None:
            return _objects_of(json_docs, path, origin)
        return FileParse(path, error=_located(exc))
    return _objects_of(docs, path, origin)


# A JSON string (kept as it is), a comment, or a comma that only a closing bracket follows.
_JSON_COMMENT = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/', re.S)
_JSON_TRAILING_COMMA = re.compile(r'"(?:\\.|[^"\\\n])*"|,(?=\s*[\]}])')
_JSON_VALUE = re.compile(r"\S")  # where the next value starts


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("duplicate key")
    return found


def json_documents(text: str, problem: ParseError) -> list[tuple[Any, int]] | None:
    """The documents of JSON that is not YAML, or None: a stream of JSON values one after
    another (kubectl reads those) or JSON with comments and trailing commas (JSONC, as in
    devcontainer.json and tsconfig.json). Only tried when YAML found a syntax error in a
    text that starts like JSON; the YAML problem stands when this reading fails too."""
    # devcontainer.json files often open with a `//` comment before the first brace.
    if not problem.reason.startswith("invalid YAML") or not text.lstrip().startswith(
        ("{", "[", "//", "/*")
    ):
        return None

    def blank(match: re.Match[str]) -> str:  # comments go, their line breaks stay
        token = match.group(0)
        return token if token.startswith('"') else "\n" * token.count("\n")

    clean = _JSON_COMMENT.sub(blank, text)
    if not clean.lstrip().startswith(("{", "[")):
        return None
    clean = _JSON_TRAILING_COMMA.sub(lambda m: m.group(0) if m.group(0) != "," else "", clean)
    decoder = json.JSONDecoder(object_pairs_hook=_unique_pairs)
    docs: list[tuple[Any, int]] = []
    position, line = 0, 1
    try:
        while (start := _JSON_VALUE.search(clean, position)) is not None:
            line += clean.count("\n", position, start.start())
            doc, position = decoder.raw_decode(clean, start.start())
            docs.append((doc, line))
            line += clean.count("\n", start.start(), position)
    except (ValueError, RecursionError):
        return None
    return docs


def _objects_of(docs: list[tuple[Any, int]], path: str, origin: str) -> FileParse:
    objects: list[KubeObject] = []
    tools: list[str] = []
    other = 0
    expected: list[str] = []
    sent: list[str] = []
    built: list[str] = []
    for doc, line in docs:
        found, tool = objects_from_document(doc, path, line, origin)
        objects.extend(found)
        tools.extend(tool)
        other += doc is not None and not found and not tool
        if tool and isinstance(doc, Mapping):
            exp, snt = testfiles.references(doc, path)
            expected.extend(exp)
            sent.extend(snt)
            built.extend(skaffold_artifacts(doc))
    return FileParse(path, tuple(objects), tuple(tools), other_documents=other,
                     expected_files=tuple(expected), sent_files=tuple(sent),
                     built_images=tuple(built))  # fmt: skip


def parse_file(path: Path, max_size: int) -> FileParse:
    """Read and parse one file (never raises for bad input)."""
    try:
        text = read_text(path, max_size)
    except FileReadError as exc:
        return FileParse(str(path), error=exc.reason)
    return parse_text(text, str(path))


def _parse_chunk(args: tuple[list[str], int]) -> list[FileParse]:
    paths, max_size = args
    return [parse_file(Path(p), max_size) for p in paths]


def parse_files(
    paths: list[Path],
    max_size: int,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[FileParse]:
    """Parse many files, on every core when there are enough of them to pay for it."""
    cores = workers if workers is not None else (os.cpu_count() or 1)
    sample = paths[: PARALLEL_MIN_FILES * 4]
    sampled_bytes = 0
    for p in sample:
        with contextlib.suppress(OSError):
            sampled_bytes += p.stat().st_size
    # Thousands of small files are as much work as a few large ones: extrapolate the sample.
    total_bytes = sampled_bytes * len(paths) // max(1, len(sample))
    if cores < 2 or len(paths) < PARALLEL_MIN_FILES or total_bytes < PARALLEL_MIN_BYTES:
        results = []
        for p in paths:
            results.append(parse_file(p, max_size))
            if progress:
                progress(1)
        return results
    # Chunks keep the pickling overhead low; order is preserved by map().
    size = max(16, len(paths) // (cores * 8))
    chunks = [[str(p) for p in paths[i : i + size]] for i in range(0, len(paths), size)]
    results = []
    with ProcessPoolExecutor(max_workers=cores) as pool:
        for chunk_result in pool.map(_parse_chunk, [(c, max_size) for c in chunks]):
            results.extend(chunk_result)
            if progress:
                progress(len(chunk_result))
    return results


@dataclass
class ManifestCollection:
    """Objects from plain files plus what renderers produced, and everything that went wrong."""

    objects: list[KubeObject] = field(default_factory=list)  # plain files
    rendered: list[KubeObject] = field(default_factory=list)  # Helm/Kustomize output
    errors: list[FileError] = field(default_factory=list)
    tool_configs: dict[str, list[str]] = field(default_factory=dict)  # path -> docs
    built_images: set[str] = field(default_factory=set)  # see FileParse.built_images
    helm_charts: list[str] = field(default_factory=list)
    kustomizations: list[str] = field(default_factory=list)
    renderers: dict[str, dict[str, Any]] = field(default_factory=dict)
    files_read: int = 0


@dataclass(frozen=True)
class ManifestOptions:
    """What to read and render."""

    walk: WalkOptions = field(default_factory=WalkOptions)
    values: tuple[str, ...] = ()  # Helm values files (FILE or CHART_DIR=FILE)
    render: bool = True
    workers: int | None = None
    # Renderers to use; "auto" finds them (PATH, installed packages). None / ("", reason):
    # treat that renderer as not available.
    kustomize_command: tuple[str, ...] | str | None = "auto"
    helm_renderer: tuple[str, str | None] | str = "auto"


def _under_chart_templates(path: Path, charts: set[Path]) -> bool:
    """Whether `path` lies in the templates/ of the chart nearest above it."""
    if not charts:
        return False
    # Strings, not Paths: this runs for every walked file.
    names = {str(c) for c in charts}
    child, parent = str(path), os.path.dirname(str(path))
    while parent != child:
        if os.path.basename(child) == "templates" and parent in names:
            return child != str(path)
        if parent in names:
            return False
        child, parent = parent, os.path.dirname(parent)
    return False


def _chart_file_template(path: Path, charts: set[Path], max_size: int) -> bool:
    """Whether a file that is no valid YAML lies in a chart directory and holds template
    actions: a template the chart reads with `.Files.Get` and renders with `tpl` (CRDs
    kept under `conf/`, scrape configs), rendered with the chart, not an unreadable file."""
    if not any(parent in charts for parent in path.parents):
        return False
    try:
        return "{{" in read_text(path, max_size)
    except FileReadError:
        return False


def collect_manifests(
    paths: list[Path],
    options: ManifestOptions | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> ManifestCollection:
    """Read every manifest under `paths`, render Kustomize/Helm, and report what failed."""
    return start_manifests(paths, options, progress).result()


def start_manifests(
    paths: list[Path],
    options: ManifestOptions | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> Future[ManifestCollection]:
    """`collect_manifests` that returns once the plain files are parsed: the Kustomize builds
    (separate processes) go on in the background, so the caller can do other work (the
    repository collection) on the core they leave idle. Call `.result()` for the collection.
    """
    from cnmm.collect import helm, kustomize

    options = options or ManifestOptions()
    forget_resolved()  # links may have changed since the last scan
    found: Walk = walk(paths, options.walk)
    result = ManifestCollection(errors=list(found.errors))

    chart_dirs = [d for d in found.directories if (d / HELM_CHART_FILE).is_file()]
    all_charts = set(chart_dirs)
    # Subcharts (under another chart's charts/) are rendered with their parent.
    charts = [c for c in chart_dirs if not any(p in all_charts for p in c.parents)]
    kustomizations = {
        d: file for d in found.directories if (file := kustomize.find_kustomization(d)) is not None
    }
    result.helm_charts = [str(c) for c in charts]

    patch_files: set[Path] = set()
    kustomize_files: dict[Path, Mapping[str, Any]] = {}
    for directory, file in list(kustomizations.items()):
        doc, error = _kustomization(file, options.walk.max_file_size)
        if _is_cluster_object(doc):
            # A Flux `Kustomization` (or any object) saved as kustomization.yaml is a
            # manifest like any other, and its directory no Kustomize directory.
            del kustomizations[directory]
            continue
        kustomize_files[directory] = doc
        patch_files |= kustomize.patch_files(directory, doc)
        patch_files |= kustomize.plugin_config_files(directory, doc)
        if error:
            result.errors.append(FileError(str(file), error))
    result.kustomizations = [str(k) for k in kustomizations]
    kustomization_files = set(kustomizations.values())

    patch_names = {p.name for p in patch_files}
    files = [
        f
        for f in found.files
        if not _under_chart_templates(f, all_charts)
        and f not in kustomization_files
        # Only a file named like a patch file can be one: most need no resolving.
        and not (f.name in patch_names and resolved(f) in patch_files)
    ]

    def tick(n: int) -> None:
        if progress:
            progress("read", n, len(files))

    k_command = None
    if options.render and kustomize_files:
        found_command = (
            kustomize.find_renderer()
            if options.kustomize_command == "auto"
            else options.kustomize_command
        )
        k_command = None if isinstance(found_command, str) else found_command
    # Helm and the Kustomize builds run in the background while this thread parses the
    # plain files: builds read a copy of the trees with CRD schemas stripped (see
    # kustomize.prepare_mirror), and need the parse only to tell where their objects come
    # from (see kustomize.render_all).
    max_size = options.walk.max_file_size
    background = ThreadPoolExecutor(max_workers=2)
    parsed: Future[Mapping[str, FileParse]] = Future()
    try:
        with contextlib.ExitStack() as stack:
            if options.render:
                h_renderer = (
                    None if isinstance(options.helm_renderer, str) else options.helm_renderer
                )
                h_future = background.submit(helm.render_all, charts, options.values, h_renderer)
                mirror_dir = (
                    Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cnmm-mirror-")))
                    if k_command
                    else None
                )

                def mirror(needed: Collection[Path]) -> kustomize.Mirror | None:
                    if mirror_dir is None:
                        return None
                    try:
                        return kustomize.prepare_mirror(
                            paths, found.directories, mirror_dir, files, max_size, needed
                        )
                    except OSError:
                        return None  # no room for the copy: build the originals

                def build() -> tuple[list[KubeObject], dict[str, Any]]:
                    return kustomize.render_all(kustomize_files, None, k_command, mirror, parsed)

                k_future = background.submit(build)
            parses = parse_files(files, max_size, tick, options.workers)
            parsed.set_result({real_path(p.path): p for p in parses} if k_command else {})
            for parse in parses:
                result.files_read += 1
                if parse.error:
                    if not _chart_file_template(Path(parse.path), all_charts, max_size):
                        result.errors.append(FileError(parse.path, parse.error))
                    continue
                result.objects.extend(parse.objects)
                if parse.tool_configs:
                    result.tool_configs[parse.path] = list(parse.tool_configs)
                result.built_images.update(parse.built_images)
            # Files that tests only assert (expected states) are not objects to deploy.
            tests: list[tuple[Iterable[str], Iterable[str]]] = [
                (p.expected_files, p.sent_files) for p in parses
            ]
            tests.append((testfiles.conventional_expectations(str(f) for f in files), ()))
            if expected := testfiles.expectation_files(tests):
                drop = {p.path for p in parses if real_path(p.path) in expected}
                result.objects = [o for o in result.objects if o.path not in drop]
            if not options.render:
                done: Future[ManifestCollection] = Future()
                done.set_result(result)
                return done
            owned = stack.pop_all()  # render() removes the mirror once the builds are over

        def render() -> ManifestCollection:
            with owned:
                if progress:
                    progress("render", 0, None)
                k_objects, k_status = k_future.result()
                h_objects, h_status = h_future.result()
            result.rendered.extend(k_objects)
            result.rendered.extend(h_objects)
            result.renderers = {"kustomize": k_status, "helm": h_status}
            return result

        return background.submit(render)
    finally:
        if not parsed.done():
            parsed.set_result({})  # the parse failed: builds must not wait for it forever
        background.shutdown(wait=False)  # its threads end when their work is done


def _is_cluster_object(doc: Mapping[str, Any]) -> bool:
    """Whether a kustomization file's document is a cluster object rather than Kustomize's
    configuration (which has no apiVersion, or a kustomize.config.k8s.io one)."""
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    return (
        isinstance(api_version, str)
        and isinstance(kind, str)
        and bool(api_version)
        and not is_tool_config(api_version, kind)
    )


def _kustomization(path: Path, max_size: int) -> tuple[Mapping[str, Any], str | None]:
    """A kustomization file's first mapping ({} when unusable) and why it is unusable."""
    try:
        docs = parse_documents(read_text(path, max_size))
    except FileReadError as exc:
        return {}, exc.reason
    except ParseError as exc:
        return {}, _located(exc)
    return next((doc for doc, _line in docs if isinstance(doc, Mapping)), {}), None


def identity(obj: KubeObject) -> tuple[str, str, str | None, str]:
    """What names an object in a cluster: group, kind, namespace, name."""
    return (obj.group, obj.kind, obj.namespace, obj.name)


@dataclass(frozen=True)
class Merged:
    """The objects rules judge, and the objects the inventory counts.

    `judged`: every plain object, replaced by its renderings when Kustomize roots render it
    (one per distinct namespace/name: overlays into two namespaces are two deployments),
    plus rendered objects that come from no plain file (Helm output, generators).
    `inventory`: one entry per source object (a plain object in its first rendering, or a
    rendered object without a plain source), so a base rendered by three overlays counts once
    (even when the base lies outside the scanned paths: that file is then read here).
    """

    judged: list[KubeObject]
    inventory: list[KubeObject]


def _source_of(rendered: KubeObject, plain_at: Mapping[str, list[KubeObject]]) -> KubeObject | None:
    """The plain object a Kustomize-rendered object was made from (same file, group, kind;
    the same name, the name inside a prefix/suffix, or else the file's only such object),
    if it was read."""
    candidates = [
        o
        for o in plain_at.get(rendered.path, ())
        if (o.group, o.kind) == (rendered.group, rendered.kind)
    ]
    # One file may hold the same kind and name in several namespaces (a RoleBinding per
    # namespace): kustomize keeps an explicit namespace unless a transformer sets one for
    # all (and then such a file cannot build), so the namespace tells them apart.
    exact = [o for o in candidates if o.name == rendered.name]
    if exact:
        return next((o for o in exact if o.namespace == rendered.namespace), exact[0])
    inside = [o for o in candidates if o.name and o.name in rendered.name]
    if inside:
        same = [o for o in inside if o.namespace == rendered.namespace] or inside
        return max(same, key=lambda o: len(o.name))
    # A patch or replacement may rename the object outright; the origin annotation names
    # only the file, so a file's one object of this kind is still unambiguously its source.
    return candidates[0] if len(candidates) == 1 else None


def _display_path(absolute: str, known: Mapping[str, str]) -> str:
    if absolute in known:
        return known[absolute]
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith("..") else relative


def merge_rendered(plain: list[KubeObject], rendered: list[KubeObject]) -> Merged:
    """Plain and rendered objects -> what rules judge and what the inventory counts.

    Kustomize output names each object's source file (origin annotations, see
    `cnmm.collect.kustomize`): a rendered object made from a plain object keeps that
    object's file and line, with its rendered body (images, namespace, patches applied).
    Helm output points at its template and is added as it is.
    """
    if not rendered:
        same = list(plain)
        return Merged(same, same)
    plain_at: dict[str, list[KubeObject]] = {}
    known: dict[str, str] = {}
    if any(r.origin == "kustomize" for r in rendered):
        for obj in plain:
            absolute = real_path(obj.path)
            plain_at.setdefault(absolute, []).append(obj)
            known[absolute] = obj.path
    variants: dict[int, list[KubeObject]] = {}
    unsourced: list[KubeObject] = []
    # Files kustomize read but the scan did not (a base outside the scanned paths): their
    # objects are not counted, but they tell which renderings share one source.
    unread: dict[str, list[KubeObject]] = {}
    outside_source: dict[int, int] = {}  # id(rendered object) -> id(its source there)
    for obj in rendered:
        source = _source_of(obj, plain_at) if obj.origin == "kustomize" else None
        if source is None:
            if obj.origin == "kustomize" and os.path.isabs(obj.path):
                if obj.path not in plain_at and obj.path not in unread:
                    unread[obj.path] = list(
                        parse_file(Path(obj.path), DEFAULT_MAX_FILE_SIZE).objects
                    )
                outside = _source_of(obj, unread)
                obj = replace(obj, path=_display_path(obj.path, known))
                if outside is not None:
                    outside_source[id(obj)] = id(outside)
            unsourced.append(obj)
            continue
        variants.setdefault(id(source), []).append(replace(obj, path=source.path, line=source.line))
    judged: list[KubeObject] = []
    inventory: list[KubeObject] = []
    for obj in plain:
        forms = variants.get(id(obj))
        if not forms:
            judged.append(obj)
            inventory.append(obj)
            continue
        inventory.append(forms[0])
        # Two overlays rendering this source into one namespace deploy one object; another
        # source with the same kind and name (an unrelated app elsewhere) is another object.
        seen: set[tuple[str, str, str | None, str]] = set()
        for form in forms:
            if identity(form) not in seen:
                seen.add(identity(form))
                judged.append(form)
    # Likewise per source file: a generated ConfigMap rendered by two overlays is one.
    unsourced_seen: set[tuple[str, tuple[str, str, str | None, str]]] = set()
    counted: set[int] = set()
    for obj in unsourced:
        if (obj.path, identity(obj)) not in unsourced_seen:
            unsourced_seen.add((obj.path, identity(obj)))
            judged.append(obj)
            # The renderings of one object in an unread file count once, like those of a
            # plain object.
            key = outside_source.get(id(obj))
            if key is None or key not in counted:
                inventory.append(obj)
            if key is not None:
                counted.add(key)
    return Merged(judged, inventory)
