"""Facts + rules + config -> findings, with exemptions applied and rule errors isolated."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from datetime import date

from cnmm.config import Config, ExemptionConfig
from cnmm.facts import Facts
from cnmm.findings import Check, Exemption, Finding, Outcome, Subject
from cnmm.rules.base import Rule

EXEMPT_ANNOTATION = "cnmm.io/exempt"
EXEMPT_REASON_ANNOTATION = "cnmm.io/exempt-reason"


def _config_exemption(
    rule_id: str, subject: Subject, exemptions: Iterable[ExemptionConfig], today: date
) -> Exemption | None:
    found: Exemption | None = None
    for item in exemptions:
        if item.rule not in (rule_id, "*") and not fnmatch.fnmatchcase(rule_id, item.rule):
            continue
        if not fnmatch.fnmatchcase(str(subject), item.subject):
            continue
        expires = item.expires.isoformat() if item.expires else None
        expired = item.expires is not None and item.expires < today
        candidate = Exemption(item.reason, "cnmm.yaml", expires, expired)
        if not expired:
            return candidate
        found = found or candidate  # an expired match is shown only if nothing valid matches
    return found


def _annotation_exemption(rule_id: str, annotations: Mapping[str, str]) -> Exemption | None:
    listed = annotations.get(EXEMPT_ANNOTATION)
    if not listed:
        return None
    rules = {r.strip() for r in listed.split(",") if r.strip()}
    if rule_id not in rules and "*" not in rules:
        return None
    reason = annotations.get(EXEMPT_REASON_ANNOTATION, "").strip()
    return Exemption(reason or f"no reason given ({EXEMPT_REASON_ANNOTATION} missing)",
                     "annotation")  # fmt: skip


def to_finding(rule: Rule, check: Check, config: Config, today: date) -> Finding:
    """A rule's check as a finding: remediation on failures, exemptions attached."""
    exemption = None
    if check.outcome is Outcome.FAIL:  # only a failure has anything to exempt
        exemption = _annotation_exemption(rule.id, check.annotations) or _config_exemption(
            rule.id, check.subject, config.exemptions, today
        )
    return Finding(
        rule=rule.id,
        outcome=check.outcome,
        subject=check.subject,
        message=check.message,
        location=check.location,
        remediation=rule.remediation if check.outcome is Outcome.FAIL else None,
        exemption=exemption,
    )


def evaluate(
    facts: Facts,
    rules: Iterable[Rule] | Mapping[str, Rule],
    config: Config | None = None,
    today: date | None = None,
) -> list[Finding]:
    """Run every rule on the facts it needs (skipped when that source was not scanned).

    A rule that raises yields one ERROR finding instead of stopping the scan.
    """
    config = config or Config()
    today = today or date.today()
    selected = rules.values() if isinstance(rules, Mapping) else rules
    findings: list[Finding] = []
    for rule in selected:
        source = facts.for_source(rule.needs)
        if source is None:
            continue
        try:
            checks = list(rule.check(source))
        except Exception as exc:  # a broken rule must not hide the others' findings
            findings.append(
                Finding(rule.id, Outcome.ERROR, Subject("Rule", rule.id),
                        f"rule failed: {type(exc).__name__}: {exc}")
            )  # fmt: skip
            continue
        findings.extend(to_finding(rule, check, config, today) for check in checks)
    return findings


def expired_exemptions(config: Config, today: date | None = None) -> list[str]:
    """Warnings for exemptions in cnmm.yaml whose expiry date has passed."""
    today = today or date.today()
    return [
        f"exemption for {e.rule} on {e.subject} expired on {e.expires.isoformat()}: "
        "it no longer exempts anything"
        for e in config.exemptions
        if e.expires is not None and e.expires < today
    ]
