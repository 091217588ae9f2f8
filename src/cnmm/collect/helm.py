"""Rendering Helm charts: `helm template` when on PATH, else the `helm-python-sdk` package.

Each chart renders with its default values plus every `--values` file that applies to it
(`--values FILE` applies to all charts, `--values CHART_DIR=FILE` to one). Rendered objects
point at their template file (from Helm's `# Source:` header), without a line: the template's
lines are not the output's lines. Charts whose dependencies are not vendored, or whose
templates need values the defaults do not give, are reported per chart with Helm's message.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from cnmm.facts.kubernetes import KubeObject

RELEASE_NAME = "release"
NAMESPACE = "default"
TIMEOUT_SECONDS = 60
_SOURCE = re.compile(r"^# Source: (.+)$", re.M)


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


def _objects(
    chart: Path, sources: Iterable[tuple[str, str]]
) -> tuple[list[KubeObject], str | None]:
    from cnmm.collect.manifests import parse_text

    objects: list[KubeObject] = []
    for source, text in sources:
        if not source.endswith((".yaml", ".yml", ".json")) or not text.strip():
            continue
        # Sources are "<chart name>/templates/x.yaml"; point at the file in this chart dir.
        relative = source.split("/", 1)[1] if "/" in source else source
        path = str(chart / relative)
        parsed = parse_text(text, path, origin="helm")
        if parsed.error:
            return [], f"{relative}: rendered output unreadable: {parsed.error}"
        objects.extend(
            KubeObject(o.api_version, o.kind, o.name, o.namespace, o.body, path, None, "helm")
            for o in parsed.objects
        )
    return objects, None


def _render_binary(
    helm: str, chart: Path, values: list[Path]
) -> tuple[list[KubeObject], str | None]:
    command = [helm, "template", RELEASE_NAME, str(chart), "--namespace", NAMESPACE]
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
    return _objects(chart, zip(parts[1::2], parts[2::2], strict=False))


def _render_sdk(chart: Path, values: list[Path]) -> tuple[list[KubeObject], str | None]:
    import helm_python

    merged: dict[str, Any] = {}
    for file in values:
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            return [], f"values file {file}: {exc}"
        if isinstance(loaded, dict):
            merged = _merge(merged, loaded)
    try:
        rendered = helm_python.Chart.load(str(chart)).render(
            merged or None, name=RELEASE_NAME, namespace=NAMESPACE
        )
    except Exception as exc:  # the SDK raises HelmError subclasses with Helm's message
        return [], f"{type(exc).__name__}: {exc}"[:500]
    return _objects(chart, sorted(rendered.items()))


def render_all(
    charts: list[Path], values: Iterable[str] = ()
) -> tuple[list[KubeObject], dict[str, Any]]:
    """Render every chart; objects and a status for `renderers.helm`."""
    values = tuple(values)
    if not charts:
        return [], {"status": "not-needed", "charts": []}
    tool, where = find_renderer()
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
        if tool == "helm":
            assert where is not None
            found, reason = _render_binary(where, chart, files)
        else:
            found, reason = _render_sdk(chart, files)
        objects.extend(found)
        entry: dict[str, Any] = {
            "path": str(chart),
            "status": "rendered" if reason is None else "failed",
            "objects": len(found),
            "values": [str(f) for f in files],
        }
        if reason:
            entry["reason"] = reason
        entries.append(entry)
    failed = sum(1 for e in entries if e["status"] == "failed")
    return objects, {
        "status": "ok" if not failed else ("partial" if failed < len(entries) else "failed"),
        "tool": tool,
        "rendered": len(entries) - failed,
        "failed": failed,
        "charts": entries,
    }
