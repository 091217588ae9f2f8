"""Rendering Kustomize directories with `kubectl kustomize` (or `kustomize build`).

Only *root* kustomizations are rendered: those no other kustomization in the scan uses as a
resource, base or component (rendering every base again would judge its objects twice and
cost time). Roots render in parallel, each with a timeout; a failure is reported per
directory with kustomize's own message, and the plain files are still read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from cnmm.facts.kubernetes import KubeObject

TIMEOUT_SECONDS = 60
_PATCH_KEYS = ("patchesStrategicMerge", "patchesJson6902", "patches")


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


def _references(directory: Path, doc: Mapping[str, Any]) -> set[Path]:
    refs: set[Path] = set()
    for key in ("resources", "bases", "components"):
        for ref in doc.get(key) or []:
            if (path := _local(directory, ref)) is not None:
                refs.add(path)
    return refs


def roots(kustomizations: Mapping[Path, Mapping[str, Any]]) -> list[Path]:
    """Kustomization directories that no other scanned kustomization refers to."""
    referenced: set[Path] = set()
    for directory, doc in kustomizations.items():
        referenced |= _references(directory, doc)
    return [d for d in kustomizations if d.resolve() not in referenced]


def render(command: list[str], directory: Path) -> tuple[list[KubeObject], str | None]:
    """Render one directory; (objects, None) or ([], reason)."""
    try:
        done = subprocess.run(
            [*command, str(directory)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [], f"timed out after {TIMEOUT_SECONDS} s"
    except OSError as exc:
        return [], f"cannot run {command[0]}: {exc.strerror or exc}"
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        return [], (message[-1] if message else f"exit code {done.returncode}")[:500]
    kustomization = next(
        (directory / n for n in ("kustomization.yaml", "kustomization.yml", "Kustomization")
         if (directory / n).is_file()),
        directory,
    )  # fmt: skip
    try:
        return parse_rendered(done.stdout, str(kustomization)), None
    except yaml.YAMLError as exc:
        return [], f"unreadable output: {exc}"


_CRD_HEAD = re.compile(r"^kind: CustomResourceDefinition$", re.M)


def parse_rendered(text: str, path: str) -> list[KubeObject]:
    """Objects in kustomize output, which kustomize itself has already parsed and validated.

    Kustomize writes each object with sorted keys, so a CRD's bulky `spec.versions` (its
    schemas) comes last and is cut off: only its group and names matter here.
    Rendered objects have no line of their own: they point at the kustomization file.
    """
    from cnmm.collect.manifests import objects_from_document

    objects: list[KubeObject] = []
    for chunk in text.split("\n---\n"):
        if _CRD_HEAD.search(chunk):
            chunk = chunk.split("\n  versions:\n", 1)[0]
        doc = yaml.load(chunk, Loader=yaml.CSafeLoader)
        found, _tools = objects_from_document(doc, path, None, "kustomize")
        objects.extend(found)
    return objects


def render_all(
    kustomizations: Mapping[Path, Mapping[str, Any]], workers: int | None = None
) -> tuple[list[KubeObject], dict[str, Any]]:
    """Render every root kustomization; objects and a status for `renderers.kustomize`."""
    if not kustomizations:
        return [], {"status": "not-needed", "directories": []}
    command = find_renderer()
    if command is None:
        return [], {
            "status": "not-available",
            "reason": "neither kubectl nor kustomize is on PATH; plain files were still read",
            "directories": [],
        }
    targets = roots(kustomizations)
    objects: list[KubeObject] = []
    directories: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1)) as pool:
        for directory, (found, reason) in zip(
            targets, pool.map(lambda d: render(command, d), targets), strict=True
        ):
            objects.extend(found)
            entry: dict[str, Any] = {"path": str(directory), "objects": len(found)}
            entry["status"] = "rendered" if reason is None else "failed"
            if reason:
                entry["reason"] = reason
            directories.append(entry)
    failed = sum(1 for d in directories if d["status"] == "failed")
    return objects, {
        "status": "ok" if not failed else ("partial" if failed < len(directories) else "failed"),
        "tool": f"{Path(command[0]).name} {command[1]}",
        "rendered": len(directories) - failed,
        "failed": failed,
        "directories": directories,
    }
