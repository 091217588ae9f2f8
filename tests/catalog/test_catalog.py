"""The bundled catalog: completeness, integrity, stable IDs and rule citations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cnmm.catalog import LEVEL_NAMES, Catalog, load_catalog, load_catalog_from
from cnmm.catalog.loader import catalog_dir

DIMENSION_IDS = [
    "business.outcomes",
    "people.organizational-change",
    "people.teams-decentralization",
    "people.upskilling",
    "people.security",
    "people.culture",
    "people.ai",
    "process.foundations",
    "process.audit-logs",
    "process.integration-release",
    "process.security",
    "policy.creation",
    "policy.compliance",
    "policy.ai",
    "technology.architecture",
    "technology.platforms-infrastructure",
    "technology.application-patterns",
    "technology.container-runtime",
    "technology.release-operations",
    "technology.testing-detection",
    "technology.security-policy",
    "technology.cost-sustainability",
    "technology.ai",
]
SNAPSHOT = Path(__file__).with_name("criterion_ids.txt")
SEED_FILES = {
    "business_outcomes.md",
    "people.md",
    "process.md",
    "policy.md",
    "prologue.md",
    "technology.md",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_exactly_the_23_dimensions_in_model_order(catalog) -> None:
    assert [d.id for d in catalog.dimensions()] == DIMENSION_IDS
    assert [a.id for a in catalog.aspects] == [
        "business",
        "people",
        "process",
        "policy",
        "technology",
    ]


def test_every_dimension_has_five_named_levels_and_criteria_per_defined_cell(catalog) -> None:
    for dimension in catalog.dimensions():
        assert [lv.level for lv in dimension.levels] == [1, 2, 3, 4, 5]
        for level in dimension.levels:
            assert level.name == LEVEL_NAMES[level.level]
            assert level.summary
            if level.defined:
                assert 2 <= len(level.criteria) <= 8, (dimension.id, level.level)
            else:
                assert level.criteria == ()


def test_only_people_ai_level_5_is_undefined(catalog) -> None:
    undefined = [
        (d.id, lv.level) for d in catalog.dimensions() for lv in d.levels if not lv.defined
    ]
    assert ("people.ai", 5) in undefined


def test_criteria_are_complete_and_cite_the_seed(catalog) -> None:
    for c in catalog.criteria():
        assert re.fullmatch(rf"{re.escape(c.dimension)}\.l{c.level}\.[a-z0-9-]+", c.id)
        assert c.statement and c.question.endswith("?") and c.remediation
        assert c.effort in ("low", "medium", "high")
        assert c.source.file in SEED_FILES and c.source.section
        for name in c.projects:
            assert name in catalog.projects


def test_criterion_ids_match_the_snapshot(catalog) -> None:
    """IDs are a public interface: changing one must be a deliberate snapshot update."""
    current = [c.id for c in catalog.criteria()]
    assert len(current) == len(set(current))
    expected = SNAPSHOT.read_text().split()
    removed = sorted(set(expected) - set(current))
    added = sorted(set(current) - set(expected))
    assert not removed and not added, (
        f"criterion IDs changed (removed {removed}, added {added}); if deliberate, update "
        f"{SNAPSHOT.name} and CHANGELOG.md"
    )


def test_cited_rules_exist_and_every_rule_is_cited(catalog) -> None:
    from cnmm.rules.base import discover_rules

    rules = discover_rules()
    cited = {r for c in catalog.criteria() for r in c.evidence.rules}
    assert cited, "no criterion cites an evidence rule"
    assert sorted(cited - set(rules)) == [], "criteria cite rules that do not exist"
    assert sorted(set(rules) - cited) == [], "rules that no criterion cites"
    load_catalog_from(catalog_dir(), known_rules=rules)  # the loader's own check agrees


def test_cited_rules_have_thresholds(catalog) -> None:
    for c in catalog.criteria():
        if c.evidence.rules:
            assert c.evidence.threshold is not None and 0 < c.evidence.threshold <= 1, c.id


def test_supporting_data_is_present(catalog) -> None:
    assert catalog.version == "4.0-beta"
    assert catalog.kpis and catalog.certifications and catalog.prerequisites
    cert_ids = {c["id"] for c in catalog.certifications}
    assert {"CKA", "CKAD", "CKS"} <= cert_ids
    maturities = {p.maturity for p in catalog.projects.values()}
    assert maturities <= {"graduated", "incubating", "sandbox", "not-cncf", "archived"}
    assert catalog.projects["Kubernetes"].maturity == "graduated"
