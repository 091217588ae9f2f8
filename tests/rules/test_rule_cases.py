"""One harness for every rule case folder: tests/rules/cases/<rule-id>/<outcome>/<case>/.

Each case is a directory scanned with `run_scan` exactly as a user would scan it; every
finding of that rule in the case must have the folder's outcome (pass, fail, not_applicable,
not_available), and there must be at least one. A not_applicable case may instead yield no
finding of the rule at all, provided it holds Kubernetes objects the rule could wrongly have
judged (a ConfigMap or a Knative Service must not get workload findings). Adding a case is
adding a folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnmm.findings import Outcome
from cnmm.scan import ScanRequest, run_scan

CASES = Path(__file__).resolve().parent / "cases"
OUTCOMES = {
    "pass": Outcome.PASS,
    "fail": Outcome.FAIL,
    "not_applicable": Outcome.NOT_APPLICABLE,
    "not_available": Outcome.NOT_AVAILABLE,
}


def _case_dirs() -> list[Path]:
    if not CASES.is_dir():
        return []
    return sorted(p for p in CASES.glob("*/*/*") if p.is_dir() and p.parent.name in OUTCOMES)


@pytest.mark.parametrize(
    "case", _case_dirs(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}"
)
def test_rule_case(case: Path) -> None:
    rule_id, expected = case.parent.parent.name, OUTCOMES[case.parent.name]
    result = run_scan(ScanRequest(paths=(str(case),)))
    findings = [f for f in result.findings if f.rule == rule_id]
    if expected is Outcome.NOT_APPLICABLE and not findings:
        assert result.plain_objects, f"{case}: a not-applicable case needs objects to ignore"
    else:
        assert findings, f"{rule_id} produced no finding in {case}"
    wrong = [(f.outcome.value, str(f.subject), f.message) for f in findings
             if f.outcome is not expected]  # fmt: skip
    assert not wrong, wrong


def test_every_k8s_rule_has_pass_and_fail_cases() -> None:
    from cnmm.rules.base import discover_rules

    for rule_id in discover_rules():
        if not rule_id.startswith("k8s."):
            continue
        for outcome in ("pass", "fail"):
            folder = CASES / rule_id / outcome
            assert folder.is_dir() and any(folder.iterdir()), f"no {outcome} case for {rule_id}"


def test_every_repo_rule_has_pass_and_fail_cases() -> None:
    """Pass and fail cases for every repo.* rule, and a not_applicable case for every rule
    whose documentation says it can be not applicable. repo.delivery.* judge git history,
    which a case folder cannot hold: tests/repository/test_delivery_rules.py builds real
    repositories for them instead."""
    from cnmm.rules.base import discover_rules

    for rule_id, item in discover_rules().items():
        if not rule_id.startswith("repo.") or rule_id.startswith("repo.delivery."):
            continue
        outcomes = ["pass", "fail"]
        if "**Not applicable**: never" not in item.doc:
            outcomes.append("not_applicable")
        for outcome in outcomes:
            folder = CASES / rule_id / outcome
            assert folder.is_dir() and any(folder.iterdir()), f"no {outcome} case for {rule_id}"


def test_rules_page_is_generated_from_the_rule_modules() -> None:
    from tests.rules import rules_doc

    page = Path(__file__).resolve().parents[2] / "docs" / "rules-kubernetes.md"
    assert page.read_text() == rules_doc.render(), (
        "regenerate: python -m tests.rules.rules_doc > docs/rules-kubernetes.md"
    )
