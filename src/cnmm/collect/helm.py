"""Rendering Helm charts: `helm template` when on PATH, else the `helm-python-sdk` package.

Each chart renders with its default values plus every `--values` file that applies to it
(`--values FILE` applies to all charts, `--values CHART_DIR=FILE` to one). Rendered objects
point at their template file (from Helm's `# Source:` header) and, where the template makes
it unambiguous, at the line of its `kind:` (the template's lines are not the output's lines).
Charts whose templates need values the defaults do not give fail, per chart, with Helm's
message. A `file://` dependency that is on disk but not under `charts/` is put there in a
temporary copy of the chart, as `helm dependency build` would (nothing is fetched); other
dependencies not vendored under `charts/` are named: the binary refuses such a chart; the SDK
renders the rest and the chart is marked `incomplete`, unless the values leave them out
(`condition`, `tags`): then the SDK's output is the whole chart.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from cnmm.facts.kubernetes import KubeObject

RELEASE_NAME = "release"
NAMESPACE = "default"
TIMEOUT_SECONDS = 60
_SOURCE = re.compile(r"^# Source: (.+)$", re.M)
# Helm splits a template's output into manifests at every line starting with `---`, also
# when `{{-` trimmed the newline after it (`---# comment`, `---apiVersion: v1`), which YAML
# would not read as a document start. The binary prints manifests split already; the SDK
# returns each template's raw output, so it is split the same way here.
_MANIFEST_SEPARATOR = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")


def _values_for(chart: Path, values: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for item in values:
        target, sep, file = item.partition("=")
        if not sep:
            files.append(Path(item))
        elif Path(target).resolve() == chart.resolve():
            files.append(Path(file))
    return files


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def find_renderer() -> tuple[str, str | None]:
    """("helm", path) when the helm binary is on PATH, ("helm-python-sdk", None) when that
    package imports, else ("", reason)."""
    if helm := shutil.which("helm"):
        return "helm", helm
    try:
        import helm_python  # noqa: F401
    except Exception as exc:  # ImportError, or its bundled library failing to load
        return "", (
            "neither the helm binary nor the helm-python-sdk package is available "
            f"({type(exc).__name__}: {exc}); install cnmm[helm] to render charts"
        )
    return "helm-python-sdk", None


def _dependencies(chart: Path) -> list[Mapping[str, Any]]:
    """The dependencies of Chart.yaml and of requirements.yaml (apiVersion v1 charts; Helm
    still reads it)."""
    deps: list[Mapping[str, Any]] = []
    for name in ("Chart.yaml", "requirements.yaml"):
        try:
            meta = yaml.load((chart / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        found = meta.get("dependencies") if isinstance(meta, dict) else None
        deps.extend(d for d in (found if isinstance(found, list) else []) if isinstance(d, dict))
    return deps


def _vendored(chart: Path, name: str) -> bool:
    charts = chart / "charts"
    return (charts / name).is_dir() or any(charts.glob(f"{name}-*.tgz"))


def local_dependencies(chart: Path) -> dict[str, Path]:
    """`file://` dependencies not vendored under `charts/` whose chart is on disk: name ->
    its directory. `helm dependency build` would only copy them there, so they render."""
    found: dict[str, Path] = {}
    for dep in _dependencies(chart):
        name, repository = str(dep.get("name") or ""), str(dep.get("repository") or "").strip()
        if not name or not repository.startswith("file://") or _vendored(chart, name):
            continue
        # Joined lexically, as Helm joins it: a relative chart path stays relative, so the
        # dependency's objects are named like the same files read on their own.
        source = Path(os.path.normpath(chart / repository.removeprefix("file://")))
        if (source / "Chart.yaml").is_file():
            found[name] = source
    return found


def _disabled(dep: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether Helm leaves a dependency out under `values`: the first of its `condition`
    paths that holds a boolean decides; else its `tags` (out when one is false and none is
    true)."""
    for condition in str(dep.get("condition") or "").split(","):
        value: Any = values if condition.strip() else None
        for key in condition.strip().split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, bool):
            return not value
    tags, names = values.get("tags"), dep.get("tags")
    if not isinstance(tags, Mapping) or not isinstance(names, list):
        return False
    flags = [tags[n] for n in names if isinstance(tags.get(n), bool)]
    return bool(flags) and not any(flags)


def chart_values(chart: Path, files: Iterable[Path] = ()) -> dict[str, Any]:
    """The chart's values.yaml merged with `files` (later wins); unreadable ones are skipped
    (rendering reports them)."""
    merged: dict[str, Any] = {}
    for file in (chart / "values.yaml", *files):
        with contextlib.suppress(OSError, UnicodeDecodeError, yaml.YAMLError):
            merged = _merge(merged, _read_values(file))
    return merged


def _read_values(file: Path) -> dict[str, Any]:
    """A values file's mapping ({} when it holds none); OSError, UnicodeDecodeError or
    yaml.YAMLError when it cannot be read."""
    loaded = yaml.load(file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return loaded if isinstance(loaded, dict) else {}


def missing_dependencies(
    chart: Path, values: Mapping[str, Any] | None = None
) -> tuple[list[str], list[str]]:
    """Dependencies with neither a directory nor an archive under `charts/`, nor a chart on
    disk that a `file://` repository names (those render, see `local_dependencies`): those
    the chart needs, and those `values` (its condition or tags) leave out."""
    local = local_dependencies(chart)
    needed: list[str] = []
    unneeded: list[str] = []
    for dep in _dependencies(chart):
        name = str(dep.get("name") or "")
        if name and name not in local and not _vendored(chart, name):
            (unneeded if values is not None and _disabled(dep, values) else needed).append(name)
    # One chart used twice under two aliases is one archive to vendor: named once, and
    # needed when either alias is.
    needed = list(dict.fromkeys(needed))
    return needed, [n for n in dict.fromkeys(unneeded) if n not in needed]


@contextlib.contextmanager
def _with_dependencies(chart: Path, local: Mapping[str, Path]) -> Iterator[Path]:
    """The chart directory to render: the chart itself, or with `local` dependencies a
    temporary copy that has them under `charts/` (the scanned tree is never written)."""
    if not local:
        yield chart
        return
    with tempfile.TemporaryDirectory(prefix="cnmm-chart-") as tmp:
        staged = Path(tmp) / chart.name
        shutil.copytree(chart, staged)
        for name, source in local.items():
            shutil.copytree(source, staged / "charts" / name)
        yield staged


def _schema_unloadable(exc: Exception) -> bool:
    """Whether rendering failed because a values schema could not be loaded (not because
    the values break it)."""
    text = str(exc)
    return "values don't meet the specifications of the schema" in text and (
        "failing loading" in text
    )


@contextlib.contextmanager
def _without_schemas(chart: Path) -> Iterator[Path]:
    """A temporary copy of `chart` without `values.schema.json` files (subcharts' too)."""
    with tempfile.TemporaryDirectory(prefix="cnmm-chart-") as tmp:
        staged = Path(tmp) / chart.name
        shutil.copytree(chart, staged)
        for schema in staged.rglob("values.schema.json"):
            schema.unlink()
        yield staged


_KIND_LINE = r"^kind:\s*[\"']?{}[\"']?\s*(#.*)?$"


def template_lines(template: Path, kinds: list[str]) -> list[int | None]:
    """For objects of `kinds` rendered (in order) from one template: the line of their
    top-level `kind:` there, when that is unambiguous (one such line for the kind, or as
    many lines as objects); None otherwise."""
    try:
        text = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return [None] * len(kinds)
    lines_of: dict[str, list[int]] = {}
    for kind in set(kinds):
        pattern = re.compile(_KIND_LINE.format(re.escape(kind)), re.M)
        lines_of[kind] = [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)]
    total = {k: kinds.count(k) for k in lines_of}
    seen: dict[str, int] = {}
    out: list[int | None] = []
    for kind in kinds:
        index = seen.get(kind, 0)
        seen[kind] = index + 1
        found = lines_of[kind]
        if len(found) == 1:
            out.append(found[0])
        elif len(found) == total[kind]:
            out.append(found[index])
        else:
            out.append(None)
    return out


def _objects(
    chart: Path, sources: Iterable[tuple[str, str]], local: Mapping[str, Path]
) -> tuple[list[KubeObject], str | None]:
    from cnmm.collect.manifests import parse_text

    objects: list[KubeObject] = []
    for source, text in sources:
        if not source.endswith((".yaml", ".yml", ".json")) or not text.strip():
            continue
        # Sources are "<chart name>/templates/x.yaml"; point at the file in this chart dir
        # (or in the directory of a `file://` dependency, "<chart>/charts/<dep>/...").
        relative = source.split("/", 1)[1] if "/" in source else source
        path = chart / relative
        parts = relative.split("/", 2)
        if len(parts) == 3 and parts[0] == "charts" and parts[1] in local:
            path = local[parts[1]] / parts[2]
        # Helm reads its output leniently (a repeated key, typically a label both a helper
        # and the template set, keeps its last value) and installs it: so does the scan.
        parsed = parse_text(text, str(path), origin="helm", unique_keys=False)
        if parsed.error:
            return [], f"{relative}: rendered output unreadable: {parsed.error}"
        lines = template_lines(path, [o.kind for o in parsed.objects])
        objects.extend(
            KubeObject(o.api_version, o.kind, o.name, o.namespace, o.body, str(path), line, "helm")
            for o, line in zip(parsed.objects, lines, strict=True)
            if not is_test_hook(o.body)
        )
    return objects, None


_TEST_HOOKS = frozenset({"test", "test-success", "test-failure"})


def is_test_hook(body: Mapping[str, Any]) -> bool:
    """Whether an object is a Helm test (`helm.sh/hook: test`): `helm template` prints it,
    but only `helm test` ever creates it, so it is not part of what a chart deploys (and a
    test Pod judged like a workload would fail probes and replicas for nothing)."""
    metadata = body.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    hooks = annotations.get("helm.sh/hook") if isinstance(annotations, Mapping) else None
    return isinstance(hooks, str) and any(h.strip() in _TEST_HOOKS for h in hooks.split(","))


def _render_binary(
    helm: str, chart: Path, values: list[Path], source: Path, local: Mapping[str, Path]
) -> tuple[list[KubeObject], str | None]:
    command = [helm, "template", RELEASE_NAME, str(source), "--namespace", NAMESPACE]
    for file in values:
        command += ["--values", str(file)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return [], f"timed out after {TIMEOUT_SECONDS} s"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return [], (lines[-1] if lines else f"exit code {done.returncode}")[:500]
    parts = _SOURCE.split(done.stdout)
    # split() gives [preamble, source1, text1, source2, text2, ...]
    return _objects(chart, zip(parts[1::2], parts[2::2], strict=False), local)


def _render_sdk(
    chart: Path, values: list[Path], source: Path, local: Mapping[str, Path]
) -> tuple[list[KubeObject], str | None]:
    import helm_python

    merged: dict[str, Any] = {}
    for file in values:
        try:
            merged = _merge(merged, _read_values(file))
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            return [], f"values file {file}: {exc}"
    try:
        try:
            rendered = helm_python.Chart.load(str(source)).render(
                merged or None, name=RELEASE_NAME, namespace=NAMESPACE
            )
        except Exception as exc:
            if not _schema_unloadable(exc):
                raise
            # A values schema that `$ref`s a URL needs the network: the scan reads no
            # network, so render as `helm template --skip-schema-validation` does.
            with _without_schemas(source) as bare:
                rendered = helm_python.Chart.load(str(bare)).render(
                    merged or None, name=RELEASE_NAME, namespace=NAMESPACE
                )
    except Exception as exc:  # the SDK raises HelmError subclasses with Helm's message
        return [], f"{type(exc).__name__}: {exc}"[:500]
    split = {source: split_manifests(text) for source, text in rendered.items()}
    return _objects(chart, sorted(split.items()), local)


def split_manifests(text: str) -> str:
    """A template's output as Helm itself splits it into manifests, one YAML document
    each."""
    parts = (part.strip() for part in _MANIFEST_SEPARATOR.split(text.strip()))
    return "\n---\n".join(part for part in parts if part)


def render_all(
    charts: list[Path],
    values: Iterable[str] = (),
    renderer: tuple[str, str | None] | None = None,
) -> tuple[list[KubeObject], dict[str, Any]]:
    """Render every chart; objects and a status for `renderers.helm`.

    `renderer` is what `find_renderer()` returns (found when None).
    """
    values = tuple(values)
    if not charts:
        return [], {"status": "not-needed", "charts": []}
    tool, where = renderer or find_renderer()
    if not tool:
        return [], {
            "status": "not-available",
            "reason": where,
            "charts": [{"path": str(c), "status": "not-available"} for c in charts],
        }
    objects: list[KubeObject] = []
    entries: list[dict[str, Any]] = []
    for chart in charts:
        files = _values_for(chart, values)
        local = local_dependencies(chart)
        found: list[KubeObject] = []
        reason: str | None = None
        try:
            with _with_dependencies(chart, local) as source:
                if tool == "helm":
                    assert where is not None
                    found, reason = _render_binary(where, chart, files, source, local)
                else:
                    found, reason = _render_sdk(chart, files, source, local)
        except OSError as exc:  # the copy with its file:// dependencies failed
            reason = f"could not copy the chart with its file:// dependencies: {exc}"[:500]
        objects.extend(found)
        status = "rendered" if reason is None else "failed"
        missing, unneeded = missing_dependencies(chart, chart_values(chart, files))
        if missing:
            note = (
                f"dependencies not vendored under charts/: {', '.join(missing)} "
                "(`helm dependency build` fetches them)"
            )
            if reason is None:
                status, reason = "incomplete", f"rendered without them: {note}"
            elif "missing in charts/" not in reason:  # the binary already says so
                reason = f"{reason}; {note}"
        elif unneeded and reason is not None and "missing in charts/" in reason:
            # The binary refuses a chart whatever its values leave out; the SDK renders it.
            reason = (
                f"{reason} (not needed under these values: {', '.join(unneeded)}; "
                "`helm dependency build` fetches them)"
            )
        entry: dict[str, Any] = {
            "path": str(chart),
            "status": status,
            "objects": len(found),
            "values": [str(f) for f in files],
        }
        if reason:
            entry["reason"] = reason
        entries.append(entry)
    failed = sum(1 for e in entries if e["status"] == "failed")
    incomplete = sum(1 for e in entries if e["status"] == "incomplete")
    return objects, {
        "status": "ok"
        if not failed and not incomplete
        else ("failed" if failed == len(entries) else "partial"),
        "tool": tool,
        "rendered": len(entries) - failed,
        "failed": failed,
        "incomplete": incomplete,
        "charts": entries,
    }
