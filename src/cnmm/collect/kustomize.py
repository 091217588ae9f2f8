"""Rendering Kustomize directories with `kubectl kustomize` (or `kustomize build`).

Only *root* kustomizations are rendered: those no other kustomization in the scan uses as a
resource, base or component (rendering every base again would judge its objects twice and
cost time), and never a `kind: Component` (it cannot be built alone). Roots render in
parallel, each with a timeout; a failure is reported per directory with kustomize's own
message, and the plain files are still read.

Each root is built through a throw-away kustomization that only adds
`buildMetadata: [originAnnotations]`, so every rendered object says which file it came from
(`config.kubernetes.io/origin`, removed again on arrival): rendered objects point at their
source file rather than at the kustomization, even through name prefixes and overlays.

Two things keep the builds cheap. They read a copy of the trees in which CRD schemas are
stripped (`prepare_mirror`; the plain-file parse writes it). And a root that only lists
resources, through bases that do the same, is not built at all: kustomize would output its
files' objects unchanged, so they are taken from the parse (`resources_only_files`), unless
kustomize could object to something in them (then it is built after all).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cnmm.collect.files import MANIFEST_SUFFIXES
from cnmm.facts.kubernetes import KubeObject

if TYPE_CHECKING:
    from cnmm.collect.manifests import FileParse

TIMEOUT_SECONDS = 60
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
COMPONENT_KIND = "Component"
# kubectl logs failures through klog: `E1125 08:17:03.042850  22511 run.go:72] "command
# failed" err="..."`; only the quoted error is for people.
_KLOG = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err="(.*)"$')
_PATCH_KEYS = ("patchesStrategicMerge", "patchesJson6902", "patches")
_PLUGIN_KEYS = ("generators", "transformers", "validators")
_KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
_RESOURCES_ONLY_KEYS = frozenset({"apiVersion", "kind", "resources", "bases"})
_INCLUDE_KEYS = ("resources", "bases", "components")  # what a kustomization builds on


def find_renderer() -> list[str] | None:
    """The command that renders a kustomization directory, or None when none is installed."""
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    return None


def _local(directory: Path, ref: Any) -> Path | None:
    if not isinstance(ref, str) or "://" in ref or ref.startswith(("github.com/", "git@")):
        return None
    return (directory / ref).resolve()


def patch_files(directory: Path, doc: Mapping[str, Any]) -> set[Path]:
    """Files a kustomization uses as patches: partial objects, not cluster objects."""
    found: set[Path] = set()
    for key in _PATCH_KEYS:
        for item in doc.get(key) or []:
            ref = item.get("path") if isinstance(item, Mapping) else item
            if (path := _local(directory, ref)) is not None:
                found.add(path)
    return found


def plugin_config_files(directory: Path, doc: Mapping[str, Any]) -> set[Path]:
    """Files a kustomization names under generators, transformers or validators: plugin and
    KRM function configurations, which kustomize consumes and never outputs (even one shaped
    like a ConfigMap is no cluster object). Directories there are left alone."""
    found: set[Path] = set()
    for key in _PLUGIN_KEYS:
        for ref in doc.get(key) or []:
            # Inline configurations (YAML text) are not paths.
            if isinstance(ref, str) and "\n" not in ref:
                path = _local(directory, ref)
                if path is not None and path.is_file():
                    found.add(path)
    return found


def _listed(doc: Mapping[str, Any], keys: Sequence[str] = _INCLUDE_KEYS) -> list[Any]:
    """The entries a kustomization lists under `keys` (resources, bases, components)."""
    return [ref for key in keys for ref in doc.get(key) or []]


def _references(directory: Path, doc: Mapping[str, Any]) -> set[Path]:
    return {path for ref in _listed(doc) if (path := _local(directory, ref)) is not None}


def roots(kustomizations: Mapping[Path, Mapping[str, Any]]) -> list[Path]:
    """Kustomization directories that no other scanned kustomization refers to (Components,
    which only make sense inside another kustomization, are never roots)."""
    referenced: set[Path] = set()
    for directory, doc in kustomizations.items():
        referenced |= _references(directory, doc)
    return [
        d
        for d in kustomizations
        if d.resolve() not in referenced and kustomizations[d].get("kind") != COMPONENT_KIND
    ]


def _doc_of(
    directory: Path, resolved: Path, kustomizations: Mapping[Path, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The kustomization of a directory, whether the mapping's keys are resolved or not."""
    doc = kustomizations.get(directory)
    if doc is None:
        doc = kustomizations.get(resolved)
    if doc is None:
        doc = next((d for k, d in kustomizations.items() if k.resolve() == resolved), None)
    return doc


def resources_only_files(
    directory: Path,
    kustomizations: Mapping[Path, Mapping[str, Any]],
    _seen: set[Path] | None = None,
) -> list[Path] | None:
    """The manifest files a kustomization outputs unchanged, resolved and in order, when it
    only lists `resources` (files, or directories whose kustomizations do the same).

    None as soon as anything could change an object (a namespace, labels, patches,
    generators, components, ...) or is not a scanned local file: only kustomize can say
    what such a kustomization outputs. For the rest, kustomize's output is the objects of
    these files as they are, so `render_all` takes them from the plain-file parse instead of
    starting a build (most of a small build's cost is starting kubectl).
    """
    seen = set() if _seen is None else _seen
    key = directory.resolve()
    doc = _doc_of(directory, key, kustomizations)
    if doc is None or key in seen or not set(doc) <= _RESOURCES_ONLY_KEYS:
        return None
    if doc.get("apiVersion", _KUSTOMIZE_API) != _KUSTOMIZE_API:
        return None
    if doc.get("kind", "Kustomization") != "Kustomization":
        return None
    file = find_kustomization(directory)
    if file is None or file.is_symlink():  # kustomize does not read a linked kustomization
        return None
    refs = _listed(doc, ("resources", "bases"))
    if not refs or not all(isinstance(r, str) for r in refs):
        return None
    seen.add(key)
    files: list[Path] = []
    for ref in refs:
        path = _local(directory, ref)
        if path is None:
            return None
        if path.is_file() and path.suffix in MANIFEST_SUFFIXES:
            # kustomize refuses files (links followed) outside the kustomization's directory.
            if key not in path.parents:
                return None
            files.append(path)
        elif path.is_dir() and (inner := resources_only_files(path, kustomizations, seen)):
            files.extend(inner)
        else:
            return None
    return files


def _run(command: list[str], directory: Path | str) -> tuple[str | None, str | None]:
    """(stdout, None) or (None, reason) for one kustomize build."""
    try:
        done = subprocess.run(
            [*command, str(directory)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            # kustomize allocates a lot: a lazier garbage collector saves about a quarter of
            # its CPU time for at most ~170 MB per build (benchmarks/README.md). The soft
            # limit keeps a big tree (11 MB of CRDs: 440 MB at GOGC=400) near 340 MB.
            env={"GOGC": "400", "GOMEMLIMIT": "300MiB", **os.environ, "GIT_TERMINAL_PROMPT": "0"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT_SECONDS} s"
    except OSError as exc:
        return None, f"cannot run {command[0]}: {exc.strerror or exc}"
    if done.returncode != 0:
        return None, clean_error(done.stderr, done.returncode)
    return done.stdout, None


def clean_error(stderr: str, returncode: int) -> str:
    """kustomize's message without klog's prefix (last line; at most 500 characters)."""
    text = stderr.strip()
    if not text:
        return f"exit code {returncode}"
    if (start := text.find('"command failed" err=<')) >= 0:
        # klog's multi-line form: err=<\n\t...\n >
        last = " ".join(text[start + 22 :].rstrip().removesuffix(">").split())
    else:
        last = text.splitlines()[-1].strip()
        if match := _KLOG.match(last):
            last = match.group(1).replace('\\"', '"')
    last = last.removeprefix("Error: ")
    # Nested kustomize errors put the context first and the cause last: keep both ends.
    return last if len(last) <= 500 else f"{last[:200]} ... {last[-290:]}"


def find_kustomization(directory: Path) -> Path | None:
    """The kustomization file of a directory, if it has one."""
    return next((directory / n for n in KUSTOMIZATION_FILES if (directory / n).is_file()), None)


def kustomization_file(directory: Path) -> Path:
    """The kustomization file of a directory (the directory itself when none is found)."""
    return find_kustomization(directory) or directory


def _generator_files(doc: Mapping[str, Any]) -> list[str]:
    files: list[str] = []
    for key in ("configMapGenerator", "secretGenerator"):
        for gen in doc.get(key) or []:
            if not isinstance(gen, Mapping):
                continue
            for item in gen.get("files") or []:
                files.append(str(item).rpartition("=")[2])  # "key=path" or "path"
            files.extend(str(e) for e in gen.get("envs") or [])
            if isinstance(gen.get("env"), str):
                files.append(gen["env"])
    return files


def missing_input(
    directory: Path, kustomizations: Mapping[Path, Mapping[str, Any]], seen: set[Path] | None = None
) -> str | None:
    """A local file a kustomization (or one it builds on, when scanned) needs but that does not
    exist: kustomize would fail on it, so the build is not started. None when all are there
    (or cannot be known: references outside the scan are left to kustomize)."""
    seen = set() if seen is None else seen
    key = directory.resolve()
    if key in seen:
        return None
    seen.add(key)
    doc = _doc_of(directory, key, kustomizations)
    if doc is None:
        return None
    if doc.get("helmCharts") or doc.get("helmChartInflationGenerator"):
        # kubectl refuses these without --enable-helm, which runs helm and can download
        # charts: a scan does neither. The chart directory, when scanned, renders as a chart.
        return (
            "helmCharts: Kustomize's Helm inflation is not run (it needs --enable-helm and "
            f"may download charts) (in {kustomization_file(directory)})"
        )
    plugins = [r for k in _PLUGIN_KEYS for r in doc.get(k) or [] if isinstance(r, str)]
    wanted = [
        *_generator_files(doc),
        *(str(p) for p in _patch_paths(doc)),
        *(r for k in ("configurations", "crds") for r in doc.get(k) or [] if isinstance(r, str)),
        *(r for r in plugins if "\n" not in r),
    ]
    for ref in wanted:
        path = _local(directory, ref)
        if path is not None and not path.exists():
            return f"{ref}: no such file (needed by {kustomization_file(directory)})"
        if path is not None and (reason := _outside(directory, ref, path)):
            return reason
    if external := _external_plugin(directory, plugins):
        # kustomize loads these only with --enable-alpha-plugins, and they run containers,
        # executables or scripts: a scan runs none of them.
        return (
            f"{external}: an external plugin or KRM function, which kustomize runs only with "
            f"--enable-alpha-plugins and a scan does not run (in {kustomization_file(directory)})"
        )
    for ref in _listed(doc):
        if not isinstance(ref, str):
            continue
        path = _local(directory, ref)
        if path is None:
            # A scan reads what is on disk: it does not fetch remote bases over the network.
            return (
                f"{ref}: remote resource, not fetched (needed by {kustomization_file(directory)})"
            )
        if not path.exists():
            return f"{ref}: no such file or directory (needed by {kustomization_file(directory)})"
        if reason := _outside(directory, ref, path):
            return reason
        if not path.is_dir():
            continue
        # A base is named in reasons the way the scanned paths are (relative when they are),
        # not by its resolved absolute path; resolved only when a link makes the two differ.
        shown = Path(os.path.normpath(directory / ref))
        if reason := missing_input(
            shown if shown.resolve() == path else path, kustomizations, seen
        ):
            return reason
    return None


def _outside(directory: Path, ref: str, path: Path) -> str | None:
    """Why kustomize refuses the file `ref` (resolved: `path`) of the kustomization in
    `directory`: its default load restrictor loads no file (links followed) from outside the
    kustomization's directory; a directory outside is a base and is allowed. None if fine."""
    if path.is_dir() or path.is_relative_to(directory.resolve()):
        return None
    linked = not os.path.normpath(ref).startswith("..") and not os.path.isabs(ref)
    return (
        f"{ref}: {'a link to ' if linked else ''}a file outside the kustomization's "
        "directory, which kustomize refuses "
        "(only `--load-restrictor LoadRestrictionsNone` builds allow it) "
        f"(needed by {kustomization_file(directory)})"
    )


def _external_plugin(directory: Path, refs: Sequence[str]) -> str | None:
    """The first generator/transformer/validator configuration that is not one of kustomize's
    own (`apiVersion: builtin`), named by its reference and kind; None when all are builtin or
    cannot be read (kustomize then says what is wrong)."""
    for ref in refs:
        if "\n" in ref:
            text, name = ref, "inline configuration"
        else:
            path = _local(directory, ref)
            if path is None or not path.is_file():
                continue  # a directory of configurations, or remote: left to kustomize
            try:
                text, name = path.read_text(encoding="utf-8"), ref
            except (OSError, UnicodeDecodeError):
                continue
        try:
            loaded = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
            docs = [d for d in loaded if isinstance(d, Mapping)]
        except yaml.YAMLError:
            continue
        for doc in docs:
            if doc.get("apiVersion") != "builtin":
                return f"{name} (kind {doc.get('kind')})"
    return None


def _patch_paths(doc: Mapping[str, Any]) -> list[str]:
    paths: list[str] = []
    for key in _PATCH_KEYS:
        for item in doc.get(key) or []:
            ref = item.get("path") if isinstance(item, Mapping) else item
            # Inline patches (YAML text) are not paths.
            if isinstance(ref, str) and "\n" not in ref:
                paths.append(ref)
    return paths


HEAVY_BYTES = 64 * 1024  # manifests larger than this are checked for CRD schemas to strip


@dataclass(frozen=True)
class Mirror:
    """A hard-linked copy of the scanned trees in which large CRD files have their OpenAPI
    schemas stripped (`cnmm.collect.manifests.strip_crd_schemas`): kustomize then builds
    them many times faster (it spends most of its time on those schemas; the benchmark's
    largest build went from 2.2 s to 0.13 s). Nothing cnmm reads from a build changes."""

    pairs: tuple[tuple[Path, Path], ...]  # (original root, its copy), resolved

    def copy_of(self, path: Path) -> Path | None:
        """Where `path` lives in the copy (None when it is outside the mirrored trees)."""
        resolved = path.resolve()
        for original, copy in self.pairs:
            if resolved == original or original in resolved.parents:
                return copy / resolved.relative_to(original)
        return None

    def original_of(self, path: str) -> str:
        """The original of a path inside the copy (other paths unchanged)."""
        for original, copy in self.pairs:
            if path == str(copy) or path.startswith(f"{copy}{os.sep}"):
                return str(original) + path[len(str(copy)) :]
        return path


def prepare_mirror(
    roots: list[Path], directories: list[Path], dest: Path, parsed: Sequence[Path] = ()
) -> tuple[Mirror, dict[Path, Path]]:
    """Lay out a copy of `directories` (the walked ones, under the scan `roots`) in `dest`:
    every file hard-linked, except the large manifests among `parsed` (the files the scan
    parses anyway). Those are returned (file -> where its copy goes) for the parse to write
    (`cnmm.collect.manifests.parse_file`): it strips their CRD schemas once for both uses.
    """
    pairs = tuple((root.resolve(), dest / str(i)) for i, root in enumerate(roots) if root.is_dir())
    wanted: dict[Path, dict[str, Path]] = {}
    for path in parsed:
        wanted.setdefault(path.parent, {})[path.name] = path
    deferred: dict[Path, Path] = {}
    for directory in directories:
        resolved = directory.resolve()
        base = next(((o, c) for o, c in pairs if resolved == o or o in resolved.parents), None)
        if base is None:
            continue
        target = base[1] / resolved.relative_to(base[0])
        target.mkdir(parents=True, exist_ok=True)
        mine = wanted.get(directory, {})
        with os.scandir(resolved) as entries:
            for entry in entries:
                if not entry.is_file():
                    continue
                copy = target / entry.name
                if entry.name in mine and entry.stat().st_size > HEAVY_BYTES:
                    deferred[mine[entry.name]] = copy
                    continue
                link_or_copy(Path(entry.path), copy)
    return Mirror(pairs), deferred


def link_or_copy(source: Path, copy: Path) -> None:
    """Hard-link `source` at `copy`, or copy it where links cannot be made."""
    try:
        os.link(source, copy)
    except OSError:  # another filesystem, or links not allowed
        shutil.copyfile(source, copy)


def write_light_copy(source: Path, copy: Path, text: str, light: str) -> None:
    """Leave a file's copy in a mirror: its CRD-stripped text, or a link when nothing was
    stripped (`light is text`)."""
    if light is text:
        link_or_copy(source, copy)
    else:
        copy.write_text(light, encoding="utf-8", errors="surrogateescape")


def render(
    command: list[str], directory: Path, mirror: Mirror | None = None
) -> tuple[list[KubeObject], str | None]:
    """Render one directory; (objects, None) or ([], reason).

    Objects carry the absolute path of their source file (or of the kustomization that
    generated them) and no line: `cnmm.collect.manifests.merge_rendered` adds the line.
    With a `mirror`, the stripped copy is built first; if that fails, the original is.
    """
    label = str(kustomization_file(directory))
    copy = mirror.copy_of(directory) if mirror is not None else None
    if copy is not None and mirror is not None:
        objects = _render_with_origins(command, copy, label)
        if objects is not None:
            return [replace(o, path=mirror.original_of(o.path)) for o in objects], None
    # The original, with origins (when the copy failed: a patch into a schema). Building it
    # plain first would build a big tree twice whenever it succeeds.
    objects = _render_with_origins(command, directory.resolve(), label)
    if objects is not None:
        return objects, None
    # Build the directory itself: kustomize's message then names the user's files (and a
    # kustomize too old for buildMetadata still renders, without origins).
    out, reason = _run(command, directory)
    if out is None:
        return [], reason
    try:
        return parse_rendered(out, label), None
    except yaml.YAMLError as exc:
        return [], f"unreadable output: {exc}"


def _render_with_origins(command: list[str], target: Path, label: str) -> list[KubeObject] | None:
    """Build `target` through a wrapper that asks for origin annotations; None on failure."""
    with tempfile.TemporaryDirectory(prefix="cnmm-kustomize-") as wrapper:
        relative = os.path.relpath(target, wrapper)
        Path(wrapper, "kustomization.yaml").write_text(
            f"resources: [{json.dumps(relative)}]\nbuildMetadata: [originAnnotations]\n",
            encoding="utf-8",
        )
        out, _reason = _run(command, wrapper)
        if out is None:
            return None
        try:
            return parse_rendered(out, label, Path(wrapper))
        except yaml.YAMLError:
            return None


_CRD_HEAD = re.compile(r"^kind: CustomResourceDefinition$", re.M)


def _origin(doc: Any, base: Path | None) -> str | None:
    """The absolute source file named by a `config.kubernetes.io/origin` annotation (which is
    then removed from the object), or None."""
    if base is None or not isinstance(doc, dict):
        return None
    annotations = (doc.get("metadata") or {}).get("annotations")
    if not isinstance(annotations, dict) or ORIGIN_ANNOTATION not in annotations:
        return None
    raw = annotations.pop(ORIGIN_ANNOTATION)
    if not annotations:
        doc["metadata"].pop("annotations")
    try:
        origin = yaml.load(str(raw), Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(origin, dict):
        return None
    ref = origin.get("path") or origin.get("configuredIn")
    if not isinstance(ref, str) or "://" in ref or origin.get("repo"):
        return None  # remote bases: no local file to point at
    return os.path.normpath(base / ref)


def parse_rendered(text: str, path: str, base: Path | None = None) -> list[KubeObject]:
    """Objects in kustomize output, which kustomize itself has already parsed and validated.

    Kustomize writes each object with sorted keys, so a CRD's bulky `spec.versions` (its
    schemas) comes last and is cut off: only its group and names matter here. Objects point
    at their origin file when the output has origin annotations relative to `base`, else at
    `path` (the kustomization file); they have no line of their own.
    """
    from cnmm.collect.manifests import objects_from_document

    objects: list[KubeObject] = []
    for chunk in text.split("\n---\n"):
        if _CRD_HEAD.search(chunk):
            chunk = chunk.split("\n  versions:\n", 1)[0]
        doc = yaml.load(chunk, Loader=yaml.CSafeLoader)
        source = _origin(doc, base) or path
        found, _tools = objects_from_document(doc, source, None, "kustomize")
        objects.extend(found)
    return objects


def _input_bytes(
    directory: Path,
    kustomizations: Mapping[Path, Mapping[str, Any]],
    _seen: set[Path] | None = None,
) -> int:
    """Roughly how much a build reads: the sizes of the files its kustomizations list."""
    seen = set() if _seen is None else _seen
    key = directory.resolve()
    doc = _doc_of(directory, key, kustomizations)
    if doc is None or key in seen:
        return 0
    seen.add(key)
    total = 0
    for ref in _listed(doc):
        path = _local(directory, ref)
        if path is None:
            continue
        if path.is_dir():
            total += _input_bytes(path, kustomizations, seen)
        else:
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def _as_rendered(files: list[Path], parsed: Mapping[str, FileParse]) -> list[KubeObject] | None:
    """The objects kustomize would output for a resources-only kustomization made of `files`
    (see `resources_only_files`), from their plain-file parse; None when kustomize could
    disagree (a file not parsed or unreadable, a document that is no object, an object
    without a name, the same object twice): then kustomize itself is asked."""
    objects: list[KubeObject] = []
    seen: set[tuple[str, str, str | None, str]] = set()
    for path in files:
        parse = parsed.get(str(path))
        if parse is None or parse.error or parse.tool_configs or parse.other_documents:
            return None
        for obj in parse.objects:
            metadata = obj.body.get("metadata")
            if not isinstance(metadata, Mapping) or not metadata.get("name"):
                return None
            key = (obj.group, obj.kind, obj.namespace, obj.name)
            if key in seen:
                return None
            seen.add(key)
            objects.append(replace(obj, path=str(path), line=None, origin="kustomize"))
    return objects


def render_all(
    kustomizations: Mapping[Path, Mapping[str, Any]],
    workers: int | None = None,
    command: Sequence[str] | str | None = "auto",
    mirror: Mirror | None = None,
    parsed: Mapping[str, FileParse] | None = None,
) -> tuple[list[KubeObject], dict[str, Any]]:
    """Render every root kustomization; objects and a status for `renderers.kustomize`.

    `command` is the renderer to use ("auto": `find_renderer()`; None: none is available);
    `mirror` a stripped copy of the scanned trees to build from (see `prepare_mirror`);
    `parsed` the plain-file parses by resolved path, from which resources-only roots are
    served without a build (see `resources_only_files`).
    """
    if not kustomizations:
        return [], {"status": "not-needed", "directories": []}
    found_command = find_renderer() if command == "auto" else command
    if found_command is None or isinstance(found_command, str):
        return [], {
            "status": "not-available",
            "reason": "neither kubectl nor kustomize is on PATH; plain files were still read",
            "directories": [
                {"path": str(d), "status": "not-available", "objects": 0}
                for d in roots(kustomizations)
            ],
        }
    command = list(found_command)
    targets = roots(kustomizations)
    objects: list[KubeObject] = []
    directories: list[dict[str, Any]] = []

    index = {d.resolve(): doc for d, doc in kustomizations.items()}
    results: dict[Path, tuple[list[KubeObject], str | None]] = {}
    served_roots: set[Path] = set()
    builds: list[tuple[int, Path]] = []
    for directory in targets:
        if reason := missing_input(directory, index):
            results[directory] = [], reason
        elif (
            parsed is not None
            and (files := resources_only_files(directory, index))
            and (served := _as_rendered(files, parsed)) is not None
        ):
            results[directory] = served, None
            served_roots.add(directory)
        else:
            builds.append((_input_bytes(directory, index), directory))
    # The largest builds first, so that no long build starts last while a core idles.
    builds.sort(key=lambda item: -item[0])
    with ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1)) as pool:
        ordered = [d for _size, d in builds]
        for directory, outcome in zip(
            ordered, pool.map(lambda d: render(command, d, mirror), ordered), strict=True
        ):
            results[directory] = outcome
    for directory in targets:
        found, reason = results[directory]
        objects.extend(found)
        entry: dict[str, Any] = {"path": str(directory), "objects": len(found)}
        entry["status"] = "rendered" if reason is None else "failed"
        if reason:
            entry["reason"] = reason
        if directory in served_roots:
            entry["via"] = "plain files: resources only, nothing to build"
        directories.append(entry)
    failed = sum(1 for d in directories if d["status"] == "failed")
    return objects, {
        "status": "ok" if not failed else ("partial" if failed < len(directories) else "failed"),
        "tool": f"{Path(command[0]).name} {command[1]}",
        "rendered": len(directories) - failed,
        "failed": failed,
        "directories": directories,
    }
