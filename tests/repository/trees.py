"""Small repositories written to disk for the CI and repository collector tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cnmm.collect.ci import CiCollection, collect_pipelines
from cnmm.collect.files import WalkOptions, walk
from cnmm.facts.ci import Pipeline


def write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (repository-relative path -> text or bytes) under `root`; return it."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return root


def collect(root: Path, files: Mapping[str, str | bytes], **options: int) -> CiCollection:
    """Write `files` under `root`, then read its pipelines as the repository collector does."""
    write(root, files)
    return collect_pipelines(root, walk([root], WalkOptions(suffixes=("",))).files, **options)


def only(collection: CiCollection) -> Pipeline:
    """The one pipeline of a collection read without errors."""
    assert not collection.errors, collection.errors
    assert len(collection.pipelines) == 1, collection.pipelines
    return collection.pipelines[0]
