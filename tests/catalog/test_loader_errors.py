"""A broken catalog gives clear errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnmm.catalog import CatalogError, load_catalog_from
from tests.catalog.broken import edit_line


def test_unknown_effort_names_file_and_line(catalog_copy: Path) -> None:
    path = catalog_copy / "dimensions" / "technology.container-runtime.yaml"
    text = path.read_text()
    old = next(line for line in text.splitlines() if line.strip().startswith("effort:"))
    line = edit_line(path, old, old.split(":")[0] + ": enormous")
    with pytest.raises(CatalogError) as info:
        load_catalog_from(catalog_copy)
    assert any(p.startswith(f"{path}:{line}:") and "enormous" in p for p in info.value.problems)


def test_invalid_yaml_names_file_and_line(catalog_copy: Path) -> None:
    path = catalog_copy / "dimensions" / "people.culture.yaml"
    path.write_text(path.read_text() + "\n  - broken: [unclosed\n")
    with pytest.raises(CatalogError) as info:
        load_catalog_from(catalog_copy)
    assert any(p.startswith(f"{path}:") and "invalid YAML" in p for p in info.value.problems)


def test_duplicate_criterion_id_is_reported(catalog_copy: Path) -> None:
    path = catalog_copy / "dimensions" / "process.security.yaml"
    text = path.read_text()
    ids = [
        ln.split("id:")[1].strip()
        for ln in text.splitlines()
        if ln.strip().startswith("- id: process.security.l1.")
    ]
    assert len(ids) >= 2
    edit_line(path, f"id: {ids[1]}", f"id: {ids[0]}")
    with pytest.raises(CatalogError) as info:
        load_catalog_from(catalog_copy)
    assert any("duplicate criterion id" in p and str(path) in p for p in info.value.problems)


def test_missing_dimension_file_and_unknown_rule(catalog_copy: Path) -> None:
    (catalog_copy / "dimensions" / "policy.ai.yaml").unlink()
    with pytest.raises(CatalogError) as info:
        load_catalog_from(catalog_copy, known_rules=set())
    problems = "\n".join(info.value.problems)
    assert "policy.ai.yaml" in problems and "missing" in problems
    assert "cites unknown rule" in problems


def test_wrong_level_name_and_unknown_key(catalog_copy: Path) -> None:
    path = catalog_copy / "dimensions" / "business.outcomes.yaml"
    line = edit_line(path, "name: Scale", "name: Grow")
    with pytest.raises(CatalogError) as info:
        load_catalog_from(catalog_copy)
    assert any(p.startswith(f"{path}:{line}:") for p in info.value.problems)
