"""Helpers to break a copy of the catalog and collect what the loader says about it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnmm.catalog import CatalogError, load_catalog_from


def edit_line(path: Path, old: str, new: str) -> int:
    """Replace the first `old` with `new`; return the 1-based line where it was."""
    text = path.read_text()
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


def load_problems(directory: Path) -> list[str]:
    """The problems loading `directory` reports (it must fail)."""
    with pytest.raises(CatalogError) as info:
        load_catalog_from(directory)
    return info.value.problems
