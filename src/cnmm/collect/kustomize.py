"""Rendering Kustomize directories with `kubectl kustomize` (or `kustomize build`).

Only *root* kustomizations are rendered: those no other kustomization in the scan uses as a
resource, base or component (rendering every base again would judge its objects twice and
cost time), and never a `kind: Component` (it cannot be built alone). Roots render in
parallel, each with a timeout; a failure is reported per directory with kustomize's own
message, and the plain files are still read.

Each root is built through a throw-away kustomization that asks for accumulation order
(`sortOptions: {order: fifo}`): the scan, which has parsed the files, then knows which file
each rendered object comes from (`ordered_sources`), so objects point at their source file
rather than at the kustomization, even through name prefixes and overlays. When order cannot
tell, the root is built again asking for `buildMetadata: [originAnnotations]`, and each
object's `config.kubernetes.io/origin` (removed again on arrival) says so.

What keeps the builds cheap: they read a copy of the directories they need in which CRD
schemas are stripped (`prepare_mirror`), made while the plain files are parsed; they name a
light copy of kustomize's built-in schema (`cnmm.collect.kustomize_schema`); origin
annotations, a quarter of a build, are rarely asked for. And a root that only lists
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
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cnmm.collect.files import (
    DEFAULT_MAX_FILE_SIZE,
    MANIFEST_SUFFIXES,
    FileReadError,
    is_within,
    read_text,
)
from cnmm.collect.kustomize_schema import light_schema_file
from cnmm.collect.paths import resolved
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
    return resolved(os.path.join(directory, ref))  # no Path made: this runs thousands of times


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
        if resolved(d) not in referenced and kustomizations[d].get("kind") != COMPONENT_KIND
    ]


def _doc_of(
    directory: Path, real: Path, kustomizations: Mapping[Path, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The kustomization of a directory (`real`: resolved), whether the mapping's keys are
    resolved or not."""
    doc = kustomizations.get(directory)
    if doc is None:
        doc = kustomizations.get(real)
    if doc is None:
        doc = next((d for k, d in kustomizations.items() if resolved(k) == real), None)
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
    key = resolved(directory)
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
            # kustomize allocates a lot and most builds are short: Go's collector then runs
            # only when the heap nears the soft limit (no build of the benchmark gets there;
            # a big tree, 11 MB of CRDs, stays near 340 MB as with GOGC=400), which saves
            # about 7% of kubectl's CPU time over GOGC=400 (benchmarks/README.md).
            env={"GOGC": "off", "GOMEMLIMIT": "300MiB", **os.environ, "GIT_TERMINAL_PROMPT": "0"},
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
    key = resolved(directory)
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
            shown if resolved(shown) == path else path, kustomizations, seen
        ):
            return reason
    return None


def _outside(directory: Path, ref: str, path: Path) -> str | None:
    """Why kustomize refuses the file `ref` (resolved: `path`) of the kustomization in
    `directory`: its default load restrictor loads no file (links followed) from outside the
    kustomization's directory; a directory outside is a base and is allowed. None if fine."""
    if path.is_dir() or path.is_relative_to(resolved(directory)):
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
        real = resolved(path)
        for original, copy in self.pairs:
            if real == original or original in real.parents:
                return copy / real.relative_to(original)
        return None

    def original_of(self, path: str) -> str:
        """The original of a path inside the copy (other paths unchanged)."""
        for original, copy in self.pairs:
            if path == str(copy) or path.startswith(f"{copy}{os.sep}"):
                return str(original) + path[len(str(copy)) :]
        return path


def prepare_mirror(
    roots: list[Path],
    directories: list[Path],
    dest: Path,
    parsed: Collection[Path] = (),
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    needed: Collection[Path] | None = None,
) -> Mirror:
    """Lay out a copy of `directories` (the walked ones, under the scan `roots`) in `dest`:
    every file hard-linked, except the large manifests among `parsed` (the files the scan
    parses), whose copies have their CRD schemas stripped. Stripping is cheap (a few tens
    of milliseconds for the benchmark's 28 MB of CRDs), so the copy is made before the
    parse and builds need not wait for it. With `needed` (resolved kustomization
    directories), only the trees under them are copied: kustomize reads no file outside a
    kustomization's directory, and other directories are bases of their own.
    """
    from cnmm.collect.manifests import strip_crd_schemas

    pairs = tuple((resolved(root), dest / str(i)) for i, root in enumerate(roots) if root.is_dir())
    wanted: dict[Path, set[str]] = {}
    for path in parsed:
        wanted.setdefault(path.parent, set()).add(path.name)
    inside = None if needed is None else tuple(str(n) for n in needed)
    for directory in directories:
        real = resolved(directory)
        if inside is not None and not is_within(str(real), inside):
            continue
        base = next(((o, c) for o, c in pairs if real == o or o in real.parents), None)
        if base is None:
            continue
        target = base[1] / real.relative_to(base[0])
        target.mkdir(parents=True, exist_ok=True)
        mine = wanted.get(directory, set())
        with os.scandir(real) as entries:
            for entry in entries:
                if not entry.is_file():
                    continue
                source, copy = Path(entry.path), target / entry.name
                if entry.name in mine and entry.stat().st_size > HEAVY_BYTES:
                    try:
                        text = read_text(source, max_size)
                    except FileReadError:
                        link_or_copy(source, copy)  # kustomize says what is wrong with it
                        continue
                    write_light_copy(source, copy, text, strip_crd_schemas(text))
                else:
                    link_or_copy(source, copy)
    return Mirror(pairs)


def kustomization_directories(
    directory: Path, kustomizations: Mapping[Path, Mapping[str, Any]], found: set[Path]
) -> set[Path]:
    """Add to `found` the resolved directories of a kustomization and of every one it builds
    on (resources, bases, components that are directories); return `found`."""
    key = resolved(directory)
    if key in found:
        return found
    found.add(key)
    doc = _doc_of(directory, key, kustomizations) or {}
    for ref in _listed(doc):
        path = _local(key, ref)
        if path is not None and path.is_dir():
            kustomization_directories(path, kustomizations, found)
    return found


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


Source = tuple[str, str, str]  # (kind, name as written, source file) of one output object


def ordered_sources(
    directory: Path,
    kustomizations: Mapping[Path, Mapping[str, Any]],
    parsed: Mapping[str, FileParse] | None,
    _inside: frozenset[Path] = frozenset(),
) -> list[Source] | None:
    """Kind, name and source file of every object a kustomization outputs, in the order
    kustomize accumulates them: what a build with `sortOptions: {order: fifo}` prints.

    Kustomize accumulates each kustomization's `resources` (then `bases`) in order, a
    file's objects as written and a directory's output as a whole, then the objects its
    ConfigMap and Secret generators make (configured in the kustomization file), then its
    components, each the same way. None when the scan cannot tell (a file it did not parse
    or not as kustomize does, a generator merging into an object of a base, a plugin):
    then kustomize's origin annotations are asked instead (see `render`). With `parsed`
    None, only the kustomizations are checked (and the list leaves out the files).
    """
    key = resolved(directory)
    doc = _doc_of(directory, key, kustomizations)
    file = find_kustomization(key)
    if doc is None or key in _inside or file is None or file.is_symlink():
        return None
    if any(doc.get(k) for k in ("generators", "helmCharts", "helmChartInflationGenerator")):
        return None
    inside = _inside | {key}
    sources: list[Source] = []
    for ref in [*(doc.get("resources") or []), *(doc.get("bases") or [])]:
        path = _local(key, ref)
        if path is None:
            return None
        if path.is_dir():
            inner = ordered_sources(path, kustomizations, parsed, inside)
            if inner is None:
                return None
            sources.extend(inner)
            continue
        if parsed is None:
            continue
        parse = parsed.get(str(path))
        if parse is None or parse.error or parse.tool_configs or parse.other_documents:
            return None
        sources.extend((o.kind, o.name, str(path)) for o in parse.objects)
    for field, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for generator in doc.get(field) or []:
            if not isinstance(generator, Mapping):
                return None
            if generator.get("behavior", "create") != "create":
                return None  # merged into an object of a base: which file is its origin?
            sources.append((kind, str(generator.get("name") or ""), str(file)))
    for ref in doc.get("components") or []:
        path = _local(key, ref)
        inner = None if path is None else ordered_sources(path, kustomizations, parsed, inside)
        if inner is None:
            return None
        sources.extend(inner)
    return sources


def render(
    command: list[str],
    directory: Path,
    mirror: Mirror | None = None,
    schema: Path | None = None,
    sources: Sequence[Source] | Callable[[], Sequence[Source] | None] | None = None,
) -> tuple[list[KubeObject], str | None]:
    """Render one directory; (objects, None) or ([], reason).

    Objects carry the absolute path of their source file (or of the kustomization that
    generated them) and no line: `cnmm.collect.manifests.merge_rendered` adds the line.
    With a `mirror`, the stripped copy is built first; if that fails, the original is.
    `schema`: the renderer's light schema to build with (`cnmm.collect.kustomize_schema`).
    `sources`: what the build is expected to output, in order (`ordered_sources`, or a
    function that tells it once the files are parsed): each
    object's file is then known without origin annotations, which cost kustomize about a
    quarter of its time; when the output does not match them, the build is made again
    with the annotations.
    """
    label = str(kustomization_file(directory))
    copy = mirror.copy_of(directory) if mirror is not None else None
    # The original is built when the copy fails (a patch into a schema it stripped).
    for target in (copy, resolved(directory)):
        if target is None:
            continue
        objects: list[KubeObject] | None = None
        if sources is not None:
            out = _build(command, target, schema, origins=False)
            if out is None:
                continue  # the same input fails with annotations too
            expected = sources() if callable(sources) else sources
            objects = None if expected is None else _in_order(out, expected)
        if objects is None:
            objects = _render_with_origins(command, target, label, schema)
        if objects is not None:
            if target is copy and mirror is not None:
                objects = [replace(o, path=mirror.original_of(o.path)) for o in objects]
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


_SCHEMA_NAME = "cnmm-kustomize-schema.json"


def _build(
    command: list[str],
    target: Path,
    schema: Path | None,
    origins: bool,
    wrapper: Path | None = None,
) -> str | None:
    """kustomize's output for `target`, built through a throw-away kustomization that asks
    for origin annotations (`origins`) or else for accumulation order, and names the light
    `schema` when there is one; None on failure. The wrapper is made in `wrapper` (a new
    temporary directory when None)."""
    if wrapper is None:
        with tempfile.TemporaryDirectory(prefix="cnmm-kustomize-") as made:
            return _build(command, target, schema, origins, Path(made))
    relative = os.path.relpath(target, wrapper)
    text = f"resources: [{json.dumps(relative)}]\n"
    text += "buildMetadata: [originAnnotations]\n" if origins else "sortOptions: {order: fifo}\n"
    if schema is not None:
        # kustomize loads the schema only from inside the wrapper's directory. Should the
        # cached file be gone (a cache cleaned meanwhile), the built-in schema does.
        try:
            link_or_copy(schema, wrapper / _SCHEMA_NAME)
            text += f"openapi:\n  path: {_SCHEMA_NAME}\n"
        except OSError:
            pass
    (wrapper / "kustomization.yaml").write_text(text, encoding="utf-8")
    out, _reason = _run(command, wrapper)
    return out


def _render_with_origins(
    command: list[str], target: Path, label: str, schema: Path | None = None
) -> list[KubeObject] | None:
    """Build `target` with origin annotations (see `_build`); None on failure."""
    with tempfile.TemporaryDirectory(prefix="cnmm-kustomize-") as wrapper:
        out = _build(command, target, schema, True, Path(wrapper))
        if out is None:
            return None
        try:
            return parse_rendered(out, label, Path(wrapper))
        except yaml.YAMLError:
            return None


def _in_order(text: str, sources: Sequence[Source]) -> list[KubeObject] | None:
    """Objects of a build in accumulation order, each pointing at its file in `sources`;
    None when that cannot be told for certain.

    Each output document must be the expected kind, with the expected name inside its own
    (kustomize adds prefixes, suffixes and hashes). Nothing can add objects that `sources`
    does not list, so when as many come out as expected they correspond one to one, and a
    name that does not match was renamed by a patch, unless it appears in another document
    of that kind. Objects a patch deletes leave gaps: the documents are then matched in
    order, skipping deleted entries, unless a skipped entry from another file could have
    been the one matched.
    """
    from cnmm.collect.manifests import objects_from_document

    documents = list(_rendered_documents(text))
    names: list[str] = []
    for doc in documents:
        metadata = doc.get("metadata") if isinstance(doc, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(name, str):
            return None
        names.append(name)
    if len(documents) == len(sources):
        # Nothing was deleted, so the order is one to one. A name that does not match was
        # renamed (a patch, a replacement), unless it is found elsewhere: then the order
        # is not what was expected.
        for index, (doc, (kind, name, _path)) in enumerate(zip(documents, sources, strict=True)):
            if doc.get("kind") != kind:
                return None
            if name not in names[index] and any(
                _matches(other, names[at], sources[index])
                for at, other in enumerate(documents)
                if at != index
            ):
                return None
        matched: list[Source] | None = list(sources)
    else:
        matched = _matched_with_gaps(documents, names, sources)
    if matched is None:
        return None
    objects: list[KubeObject] = []
    for doc, (_kind, _name, path) in zip(documents, matched, strict=True):
        found, _tools = objects_from_document(doc, path, None, "kustomize")
        objects.extend(found)
    return objects


def _matched_with_gaps(
    documents: Sequence[Mapping[str, Any]], names: Sequence[str], sources: Sequence[Source]
) -> list[Source] | None:
    """The source of each document when some expected objects were deleted: in order,
    skipping the deleted; None when that is not certain (see `_in_order`)."""
    if len(documents) > len(sources):
        return None  # more than expected: the accumulation was not what was expected
    matched: list[Source] = []
    skipped: list[Source] = []
    position = 0
    for doc, name in zip(documents, names, strict=True):
        while position < len(sources) and not _matches(doc, name, sources[position]):
            skipped.append(sources[position])
            position += 1
        if position == len(sources):
            return None
        matched.append(sources[position])
        position += 1
    skipped.extend(sources[position:])
    for deleted in skipped:
        for doc, name, source in zip(documents, names, matched, strict=True):
            if source[2] != deleted[2] and _matches(doc, name, deleted):
                return None  # the deleted one may be this document's source
    return matched


def _matches(doc: Mapping[str, Any], name: str, source: Source) -> bool:
    return doc.get("kind") == source[0] and source[1] in name


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


def _rendered_documents(text: str) -> Iterator[Any]:
    """The documents of kustomize output, which kustomize itself has already parsed and
    validated. Kustomize writes each object with sorted keys, so a CRD's bulky
    `spec.versions` (its schemas) comes last and is cut off: only its group and names
    matter here."""
    if not text.strip():
        return
    for chunk in text.split("\n---\n"):
        if _CRD_HEAD.search(chunk):
            chunk = chunk.split("\n  versions:\n", 1)[0]
        yield yaml.load(chunk, Loader=yaml.CSafeLoader)


def parse_rendered(text: str, path: str, base: Path | None = None) -> list[KubeObject]:
    """Objects in kustomize output (see `_rendered_documents`). They point at their origin
    file when the output has origin annotations relative to `base`, else at `path` (the
    kustomization file); they have no line of their own.
    """
    from cnmm.collect.manifests import objects_from_document

    objects: list[KubeObject] = []
    for doc in _rendered_documents(text):
        source = _origin(doc, base) or path
        found, _tools = objects_from_document(doc, source, None, "kustomize")
        objects.extend(found)
    return objects


def _input_bytes(directory: Path, kustomizations: Mapping[Path, Mapping[str, Any]]) -> int:
    """Roughly how much a build reads: the sizes of the files its kustomizations list."""
    total = 0
    for folder in kustomization_directories(directory, kustomizations, set()):
        for ref in _listed(_doc_of(folder, folder, kustomizations) or {}):
            path = _local(folder, ref)
            if path is not None and not path.is_dir():
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
    mirror: Mirror | Callable[[Collection[Path]], Mirror | None] | None = None,
    parsed: Mapping[str, FileParse] | Future[Mapping[str, FileParse]] | None = None,
    schema: Path | str | None = "auto",
) -> tuple[list[KubeObject], dict[str, Any]]:
    """Render every root kustomization; objects and a status for `renderers.kustomize`.

    `command` is the renderer to use ("auto": `find_renderer()`; None: none is available);
    `mirror` a stripped copy of the scanned trees to build from (see `prepare_mirror`), or
    a function that makes it for the kustomization directories the builds need (called
    once they are planned, and only if there are any);
    `parsed` the plain-file parses by resolved path (or a future of them, so that builds
    start while the files are still being parsed): resources-only roots are served from
    them without a build (see `resources_only_files`), and they tell which file each
    built object comes from (see `ordered_sources`); `schema` the light schema to build
    with ("auto": the renderer's own, `kustomize_schema.light_schema_file`; None: the
    built-in one).
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
    index = {resolved(d): doc for d, doc in kustomizations.items()}

    def parses() -> Mapping[str, FileParse]:
        return parsed.result() if isinstance(parsed, Future) else parsed or {}

    results: dict[Path, tuple[list[KubeObject], str | None]] = {}
    served_roots: set[Path] = set()
    builds: list[tuple[int, Path]] = []
    resources_only: list[Path] = []  # served from the parse, once it is there
    for directory in targets:
        if reason := missing_input(directory, index):
            results[directory] = [], reason
        elif parsed is not None and resources_only_files(directory, index):
            resources_only.append(directory)
        else:
            builds.append((_input_bytes(directory, index), directory))
    # The largest builds first, so that no long build starts last while a core idles.
    builds.sort(key=lambda item: -item[0])
    light: Path | None = None
    if (builds or resources_only) and schema == "auto":
        # A kustomization naming its own schema must keep it: the wrapper's would win.
        if not any("openapi" in doc for doc in kustomizations.values()):
            light = light_schema_file(command)
    elif isinstance(schema, Path):
        light = schema

    def sources_of(directory: Path) -> Callable[[], list[Source] | None] | None:
        # Whether order can tell (the structure); the files are checked once parsed.
        if parsed is None or ordered_sources(directory, index, None) is None:
            return None
        return lambda: ordered_sources(directory, index, parses())

    copy: Mirror | None = mirror if isinstance(mirror, Mirror) else None
    if callable(mirror) and builds:
        needed: set[Path] = set()
        for _size, directory in builds:
            kustomization_directories(directory, index, needed)
        # Resources-only roots are served from the parse; one that must be built after
        # all (rare) builds from the original files.
        copy = mirror(needed)

    def build(directory: Path) -> tuple[list[KubeObject], str | None]:
        return render(command, directory, copy, light, sources_of(directory))

    with ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1)) as pool:
        started = {d: pool.submit(build, d) for _size, d in builds}
        for directory in resources_only:
            files = resources_only_files(directory, index) or []
            served = _as_rendered(files, parses())
            if served is None:
                started[directory] = pool.submit(build, directory)  # kustomize must say
            else:
                results[directory] = served, None
                served_roots.add(directory)
        for directory, future in started.items():
            results[directory] = future.result()
    objects: list[KubeObject] = []
    directories: list[dict[str, Any]] = []
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
