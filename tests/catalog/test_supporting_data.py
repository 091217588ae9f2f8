"""Projects, KPIs, certifications and prerequisites: validated like the rest of the catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

from cnmm.catalog import load_catalog, load_catalog_from
from cnmm.catalog.loader import catalog_dir
from tests.catalog.broken import edit_line, load_problems


def test_bundled_supporting_data_is_complete() -> None:
    catalog = load_catalog()
    assert [lv["level"] for lv in catalog.kpis["levels"]] == [1, 2, 3, 4, 5]
    assert all(lv["kpis"] for lv in catalog.kpis["levels"])
    by_id = {c["id"]: c for c in catalog.certifications}
    assert "CKS" in catalog.certification_guidance["guidance"]
    # the model: CKA and CKAD at levels 2 and 3, CKS from level 4 (and CKS needs CKA)
    assert by_id["CKA"]["levels"] == [2, 3] and by_id["CKAD"]["levels"] == [2, 3]
    assert by_id["CKS"]["levels"] == [4] and "CKA" in by_id["CKS"]["requires"]
    aspects = [g["aspect"] for g in catalog.prerequisites["readiness"]]
    assert aspects == [a.id for a in catalog.aspects]
    assert catalog.projects_as_of and catalog.projects["OpenTelemetry"].maturity == "graduated"


def test_every_project_named_by_a_criterion_is_canonical() -> None:
    catalog = load_catalog()
    aliases = {a for p in catalog.projects.values() for a in p.aliases}
    for criterion in catalog.criteria():
        for name in criterion.projects:
            assert name in catalog.projects and name not in aliases, (criterion.id, name)


def test_kpi_level_name_error_names_file_and_line(catalog_copy: Path) -> None:
    path = catalog_copy / "kpis.yaml"
    line = edit_line(path, "name: Scale", "name: Grow")
    assert any(p.startswith(f"{path}:{line}:") for p in load_problems(catalog_copy))


def test_certification_unknown_key_and_bad_level(catalog_copy: Path) -> None:
    path = catalog_copy / "certifications.yaml"
    line = edit_line(path, "levels: [4]", "levels: [7]")
    problems = load_problems(catalog_copy)
    assert any(p.startswith(f"{path}:{line}:") and "levels" in p for p in problems)


def test_prerequisite_question_must_be_a_question(catalog_copy: Path) -> None:
    path = catalog_copy / "prerequisites.yaml"
    text = path.read_text()
    old = next(ln for ln in text.splitlines() if ln.strip().startswith("question:"))
    line = edit_line(path, old, old.rstrip("?"))
    assert any(p.startswith(f"{path}:{line}:") for p in load_problems(catalog_copy))


def test_duplicate_supporting_id_is_reported(catalog_copy: Path) -> None:
    path = catalog_copy / "kpis.yaml"
    edit_line(path, "id: development-cost", "id: infrastructure-spend")
    assert any(
        "duplicate id 'infrastructure-spend'" in p and str(path) in p
        for p in load_problems(catalog_copy)
    )


def test_missing_supporting_file_is_reported(catalog_copy: Path) -> None:
    (catalog_copy / "certifications.yaml").unlink()
    assert any("certifications.yaml" in p and "missing" in p for p in load_problems(catalog_copy))


def test_project_needs_known_maturity(catalog_copy: Path) -> None:
    path = catalog_copy / "projects.yaml"
    line = edit_line(path, "maturity: incubating", "maturity: promising")
    problems = load_problems(catalog_copy)
    assert any(p.startswith(f"{path}:{line}:") and "promising" in p for p in problems)


def test_project_alias_must_not_shadow_a_name(catalog_copy: Path) -> None:
    path = catalog_copy / "projects.yaml"
    line = edit_line(path, "aliases: [KArmada]", "aliases: [KArmada, Kubernetes]")
    problems = load_problems(catalog_copy)
    assert any(p.startswith(f"{path}:{line}:") and "'Kubernetes'" in p for p in problems)


def test_criterion_may_use_an_alias_and_gets_the_canonical_name(catalog_copy: Path) -> None:
    path = catalog_copy / "dimensions" / "people.culture.yaml"
    edit_line(path, "- Flux", "- flux-typo")
    problems = load_problems(catalog_copy)
    assert any("'flux-typo' is not in projects.yaml" in p for p in problems)
    shutil.rmtree(catalog_copy)
    shutil.copytree(catalog_dir(), catalog_copy)
    path = catalog_copy / "dimensions" / "people.upskilling.yaml"
    edit_line(path, "- Crossplane", "- Crossplane\n    - ClusterAPI")
    catalog = load_catalog_from(catalog_copy)
    criterion = catalog.criterion("people.upskilling.l3.ecosystem-projects-adopted")
    assert "Cluster API" in criterion.projects and "ClusterAPI" not in criterion.projects
