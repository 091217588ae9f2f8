"""Evidence and answers combined: verdicts, bases, discrepancies, policy, targets, roll-ups."""

from __future__ import annotations

import pytest

from cnmm.assess import assess, choose_targets, evidence_cap, merge_verdict
from cnmm.assessment.loader import parse_assessment
from cnmm.catalog import Catalog
from cnmm.config import AssessConfig, Config
from cnmm.findings import Finding, Location, Outcome, Subject

DEPLOY = Subject("Deployment", "api", "shop")


def finding(rule: str, outcome: Outcome, line: int = 7) -> Finding:
    return Finding(rule, outcome, DEPLOY, f"{rule} says {outcome.value}",
                   Location("deploy/api.yaml", line))  # fmt: skip


def answers(catalog: Catalog, body: str):
    text = (
        "cnmm: assessment/v1\nmodel: 4.0-beta\nscope: {kind: team, name: shop}\n"
        "date: 2026-11-01\n" + body
    )
    return parse_assessment(text, "shop.yaml", catalog)


def dim(result, dimension_id: str):
    return next(d for d in result.dimensions if d.dimension.id == dimension_id)


@pytest.mark.parametrize(
    ("answer", "evidence", "policy", "expected"),
    [
        (None, "met", "answers-stand", ("met", "evidence")),
        (None, None, "answers-stand", ("unknown", "none")),
        ("unknown", "not-met", "answers-stand", ("not-met", "evidence")),
        ("met", None, "answers-stand", ("met", "answer")),
        ("met", "met", "answers-stand", ("met", "both-agree")),
        ("met", "not-met", "answers-stand", ("met", "conflict")),
        ("met", "not-met", "evidence-overrides", ("not-met", "conflict")),
        ("not-met", "met", "evidence-overrides", ("met", "conflict")),
        ("not-applicable", "not-met", "answers-stand", ("not-applicable", "conflict")),
        ("partial", "not-met", "evidence-overrides", ("partial", "answer")),
        ("met", "unknown", "evidence-overrides", ("met", "answer")),
    ],
)
def test_merge_verdict(answer, evidence, policy, expected) -> None:
    assert merge_verdict(answer, evidence, policy) == expected


def test_conflicting_answer_is_a_discrepancy_with_the_failing_evidence(catalog: Catalog) -> None:
    a = answers(
        catalog,
        """answers:
  technology.application-patterns:
    criteria:
      technology.application-patterns.l1.health-probes: met
""",
    )
    findings = [
        finding("k8s.workload.readiness-probe", Outcome.FAIL, 12),
        finding("k8s.workload.liveness-probe", Outcome.PASS),
    ]
    result = assess(catalog, Config(), findings, a)
    [x] = [x for x in result.discrepancies if x.kind == "criterion"]
    assert x.criterion == "technology.application-patterns.l1.health-probes"
    assert (x.answer, x.evidence) == ("met", "not-met")
    assert x.failing[0]["path"] == "deploy/api.yaml" and x.failing[0]["line"] == 12
    c = dim(result, "technology.application-patterns").criteria[x.criterion]
    assert (c.verdict, c.basis) == ("met", "conflict")  # answers stand by default


def test_evidence_overrides_policy_lets_evidence_win(catalog: Catalog) -> None:
    a = answers(
        catalog,
        """answers:
  technology.application-patterns:
    criteria:
      technology.application-patterns.l1.health-probes: met
""",
    )
    config = Config(assess=AssessConfig(discrepancy_policy="evidence-overrides"))
    result = assess(catalog, config, [finding("k8s.workload.readiness-probe", Outcome.FAIL)], a)
    c = dim(result, "technology.application-patterns").criteria[
        "technology.application-patterns.l1.health-probes"
    ]
    assert (c.verdict, c.basis) == ("not-met", "conflict")
    assert result.discrepancies, "still listed under the other policy"


def test_quick_level_above_evidence_is_flagged_and_capped_on_request(catalog: Catalog) -> None:
    a = answers(catalog, "answers:\n  technology.application-patterns: {level: 3}\n")
    findings = [finding("k8s.workload.replicas", Outcome.FAIL)]  # a level-2 criterion's rule
    stand = assess(catalog, Config(), findings, a)
    d = dim(stand, "technology.application-patterns")
    assert (d.level, d.claimed_level, d.evidence_cap) == (3, 3, 1)
    [x] = [x for x in stand.discrepancies if x.kind == "dimension"]
    assert "supports at most level 1" in x.detail
    override = Config(assess=AssessConfig(discrepancy_policy="evidence-overrides"))
    capped = dim(assess(catalog, override, findings, a), "technology.application-patterns")
    assert capped.level == 1 and capped.capped_by_evidence


def test_evidence_that_proves_nothing_leaves_a_dimension_unassessed(catalog: Catalog) -> None:
    # One level-2 criterion met by evidence; level 1 needs answers nobody gave.
    rules = ("k8s.workload.replicas", "k8s.workload.pdb-coverage", "k8s.workload.topology-spread")
    result = assess(catalog, Config(), [finding(rule, Outcome.PASS) for rule in rules])
    d = dim(result, "technology.application-patterns")
    assert not d.assessed and d.level is None
    assert result.overall.floor is None  # nothing assessed, no floor of 0
    unassessed = {u["dimension"] for u in result.roadmap.unassessed}
    assert "technology.application-patterns" in unassessed


def test_evidence_that_fails_level_one_assesses_level_zero(catalog: Catalog) -> None:
    result = assess(catalog, Config(), [finding("k8s.workload.readiness-probe", Outcome.FAIL)])
    d = dim(result, "technology.application-patterns")
    assert d.assessed and d.level == 0 and d.basis == "evidence"
    assert result.overall.floor == 0


def test_not_applicable_dimension_is_left_out_of_rollups(catalog: Catalog) -> None:
    ids = [c.id for c in catalog.dimension("people.ai").criteria()]
    lines = "\n".join(f"      {cid}: not-applicable" for cid in ids)
    a = answers(catalog, f"answers:\n  people.ai:\n    criteria:\n{lines}\n"
                         "  people.culture: {level: 2}\n")  # fmt: skip
    result = assess(catalog, Config(), [], a)
    assert dim(result, "people.ai").level is None
    assert dict(result.aspects["people"].profile) == {"people.culture": 2}
    assert not [i for i in result.roadmap.items if i.dimension == "people.ai"]


def test_evidence_cap(catalog: Catalog) -> None:
    d = catalog.dimension("technology.application-patterns")
    assert evidence_cap(d, {}) is None
    assert evidence_cap(d, {"technology.application-patterns.l1.health-probes": "met"}) is None
    failed = {"technology.application-patterns.l2.disruption-tolerant": "not-met",
              "technology.application-patterns.l5.elastic-scaling": "not-met"}  # fmt: skip
    assert evidence_cap(d, failed) == 1


def test_targets_most_specific_wins_and_target_flag_overrides(catalog: Catalog) -> None:
    config = Config(targets={"technology": 2, "people.culture": 4})
    a = answers(catalog, "targets: {technology.ai: 1, people: 3}\nanswers: {}\n")
    chosen = choose_targets(catalog, config, a, {"people.culture": 5}, None)
    assert chosen["technology.container-runtime"] == 2  # aspect from cnmm.yaml
    assert chosen["technology.ai"] == 1  # dimension from the answers file
    assert chosen["people.upskilling"] == 3  # aspect from the answers file
    assert chosen["people.culture"] == 5  # --targets FILE beats both files
    assert chosen["process.security"] == 3  # assess.default_target
    assert set(choose_targets(catalog, config, a, {}, 4).values()) == {4}


def test_roadmap_follows_the_gate_and_the_project_policy(catalog: Catalog) -> None:
    a = answers(catalog, "answers:\n  technology.security-policy: {level: 1}\n")
    result = assess(catalog, Config(), [], a, default_target=5)
    items = [i for i in result.roadmap.items if i.dimension == "technology.security-policy"]
    assert {i.level for i in items} == {2, 3, 4, 5}
    horizon = {i.level: i.horizon for i in items}
    assert (horizon[2], horizon[3], horizon[4], horizon[5]) == ("now", "next", "later", "later")
    order = [i.level for i in result.roadmap.items]
    assert order == sorted(order, key=lambda lv: lv)  # nearer levels first
    for item in items:
        maturities = [p["maturity"] for p in item.projects]
        if item.level < 4:
            assert "sandbox" not in maturities
        assert maturities == sorted(maturities, key=["graduated", "incubating", "sandbox",
                                                     "not-cncf"].index)  # fmt: skip
    assert {k["level"] for k in result.roadmap.kpis} == {2, 3}  # now and next


def test_helpful_projects_follow_the_models_inclusion_policy(catalog: Catalog) -> None:
    from cnmm.roadmap import helpful_projects

    by_kind = {}
    for project in catalog.projects.values():
        key = "product" if project.kind == "product" else project.maturity
        by_kind.setdefault(key, project.name)
    sandbox, graduated = by_kind["sandbox"], by_kind["graduated"]
    assert helpful_projects(catalog, [sandbox, graduated], 3) == [
        {"name": graduated, "maturity": "graduated", "url": catalog.projects[graduated].url}
    ]
    assert [p["name"] for p in helpful_projects(catalog, [sandbox, graduated], 4)] == [
        graduated,
        sandbox,
    ]
    if "product" in by_kind:
        assert helpful_projects(catalog, [by_kind["product"]], 5) == []
    if "archived" in by_kind:
        assert helpful_projects(catalog, [by_kind["archived"]], 5) == []
