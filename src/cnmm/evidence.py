"""Findings -> evidence verdicts for the catalog criteria that cite rules (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from cnmm.findings import Finding, Outcome


@dataclass(frozen=True)
class EvidenceVerdict:
    """How the findings of a criterion's rules measure up to its threshold.

    `verdict`: "met", "not-met", "not-applicable" (every finding was not-applicable) or
    "unknown" (no findings, or only not-available/error ones). Exempted failures count as
    passes; `failing` lists the remaining failures' subjects and locations.
    """

    criterion: str
    verdict: str
    rules: tuple[str, ...]
    threshold: float | None
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    not_available: int = 0
    errors: int = 0
    ratio: float | None = None
    failing: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "criterion": self.criterion,
            "verdict": self.verdict,
            "rules": list(self.rules),
            "threshold": self.threshold,
            "counts": {
                "pass": self.passed,
                "fail": self.failed,
                "not-applicable": self.not_applicable,
                "not-available": self.not_available,
                "error": self.errors,
            },
            "ratio": self.ratio,
            "failing": list(self.failing),
        }


def verdict_for(
    criterion_id: str,
    rules: Iterable[str],
    threshold: float | None,
    findings: Iterable[Finding],
    match: str = "all",
) -> EvidenceVerdict:
    """The verdict of one criterion from the findings of its rules.

    `match="all"` pools every cited rule's findings into one pass share; `match="any"` is met
    when one rule alone reaches the threshold (see `cnmm.catalog.model.Evidence`).
    """
    rule_ids = tuple(rules)
    mine = [f for f in findings if f.rule in rule_ids]
    pooled = _pooled(criterion_id, rule_ids, threshold, mine)
    if match != "any" or len(rule_ids) < 2:
        return pooled
    alone = [_pooled(criterion_id, (r,), threshold, [f for f in mine if f.rule == r])
             for r in rule_ids]  # fmt: skip
    verdicts = {v.verdict for v in alone}
    if "met" in verdicts:
        verdict = "met"
    elif "not-met" in verdicts:
        verdict = "not-met"
    else:
        verdict = pooled.verdict
    ratios = [v.ratio for v in alone if v.ratio is not None]
    return replace(pooled, verdict=verdict, ratio=max(ratios) if ratios else None)


def _pooled(
    criterion_id: str, rule_ids: tuple[str, ...], threshold: float | None, mine: list[Finding]
) -> EvidenceVerdict:
    passed = sum(1 for f in mine if f.outcome is Outcome.PASS or
                 (f.outcome is Outcome.FAIL and not f.counts_as_failure))  # fmt: skip
    failing = [f for f in mine if f.counts_as_failure]
    counts = {o: sum(1 for f in mine if f.outcome is o) for o in Outcome}
    applicable = passed + len(failing)
    ratio = passed / applicable if applicable else None
    if applicable:
        verdict = "met" if ratio is not None and ratio >= (threshold if threshold is not None
                                                          else 1.0) else "not-met"  # fmt: skip
    elif mine and all(f.outcome is Outcome.NOT_APPLICABLE for f in mine):
        verdict = "not-applicable"
    else:
        verdict = "unknown"
    return EvidenceVerdict(
        criterion=criterion_id,
        verdict=verdict,
        rules=rule_ids,
        threshold=threshold,
        passed=passed,
        failed=len(failing),
        not_applicable=counts[Outcome.NOT_APPLICABLE],
        not_available=counts[Outcome.NOT_AVAILABLE],
        errors=counts[Outcome.ERROR],
        ratio=ratio,
        failing=tuple(
            {
                "rule": f.rule,
                "subject": str(f.subject),
                "location": str(f.location) if f.location else None,
            }
            for f in failing
        ),
    )


def criterion_verdicts(catalog: Any, findings: Iterable[Finding]) -> dict[str, EvidenceVerdict]:
    """A verdict for every criterion of the catalog that cites at least one rule."""
    # Index by rule once: a fleet scan has tens of thousands of findings and the catalog
    # hundreds of criteria, so filtering the whole list per criterion would not scale.
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    verdicts: dict[str, EvidenceVerdict] = {}
    for criterion in catalog.criteria():
        if not criterion.evidence.rules:
            continue
        verdicts[criterion.id] = verdict_for(
            criterion.id,
            criterion.evidence.rules,
            criterion.evidence.threshold,
            [f for rule in criterion.evidence.rules for f in by_rule.get(rule, ())],
            criterion.evidence.match,
        )
    return verdicts
