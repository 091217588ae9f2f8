"""Findings -> criterion evidence verdicts: pooled shares and `match: any` alternatives."""

from __future__ import annotations

from cnmm.evidence import verdict_for
from cnmm.findings import Exemption, Finding, Outcome, Subject


def _finding(rule: str, outcome: Outcome, name: str = "x", exempt: bool = False) -> Finding:
    exemption = Exemption("accepted risk", "cnmm.yaml") if exempt else None
    return Finding(rule, outcome, Subject("Deployment", name, "default"), "m", exemption=exemption)


def test_pooled_share_is_compared_with_the_threshold() -> None:
    findings = [_finding("a", Outcome.PASS, str(i)) for i in range(9)]
    findings.append(_finding("a", Outcome.FAIL, "bad"))
    assert verdict_for("c", ["a"], 0.9, findings).verdict == "met"
    assert verdict_for("c", ["a"], 0.95, findings).verdict == "not-met"
    verdict = verdict_for("c", ["a"], 0.95, findings)
    assert verdict.ratio == 0.9 and verdict.failing[0]["subject"] == "Deployment/default/bad"


def test_exempted_failures_count_as_passes() -> None:
    findings = [_finding("a", Outcome.PASS), _finding("a", Outcome.FAIL, "y", exempt=True)]
    assert verdict_for("c", ["a"], 1.0, findings).verdict == "met"


def test_only_not_applicable_or_nothing() -> None:
    assert verdict_for("c", ["a"], 1.0, [_finding("a", Outcome.NOT_APPLICABLE)]).verdict == (
        "not-applicable"
    )
    assert verdict_for("c", ["a"], 1.0, []).verdict == "unknown"
    assert verdict_for("c", ["a"], 1.0, [_finding("a", Outcome.NOT_AVAILABLE)]).verdict == (
        "unknown"
    )


def test_match_any_needs_one_rule_to_reach_the_threshold_alone() -> None:
    findings = [_finding("terraform", Outcome.PASS), _finding("crossplane", Outcome.FAIL)]
    pooled = verdict_for("c", ["terraform", "crossplane"], 1.0, findings)
    either = verdict_for("c", ["terraform", "crossplane"], 1.0, findings, match="any")
    assert pooled.verdict == "not-met"
    assert either.verdict == "met" and either.ratio == 1.0
    neither = [_finding("terraform", Outcome.FAIL), _finding("crossplane", Outcome.FAIL)]
    assert verdict_for("c", ["terraform", "crossplane"], 1.0, neither, match="any").verdict == (
        "not-met"
    )
