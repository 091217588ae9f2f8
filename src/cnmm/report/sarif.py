"""Findings as SARIF 2.1.0 (for GitHub code scanning and other SARIF consumers).

Only failing findings become results (passes are not problems). A result carries a location
only when the finding points at a real file: cluster references and rendered objects without
a file are reported without `locations`, never with an invented path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cnmm.findings import Finding, Outcome

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/cnmm/cnmm"


SRCROOT = "%SRCROOT%"  # relative URIs are relative to the directory cnmm ran in


def _artifact(path: str) -> dict[str, str] | None:
    """An artifactLocation for a real file (None for cluster objects, stdin, missing files)."""
    if not path or path.startswith(("cluster:", "<")):
        return None
    candidate = Path(path)
    if not candidate.is_file():
        return None
    if candidate.is_absolute():
        return {"uri": candidate.as_uri()}
    return {"uri": quote(candidate.as_posix()), "uriBaseId": SRCROOT}


def _rule_descriptor(rule_id: str, rule: Any) -> dict[str, Any]:
    title = getattr(rule, "title", None) or rule_id
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": title},
        "defaultConfiguration": {"level": "warning"},
    }
    remediation = getattr(rule, "remediation", None)
    if remediation:
        descriptor["help"] = {"text": remediation}
    doc = getattr(rule, "doc", None)
    if doc:
        descriptor["fullDescription"] = {"text": doc.splitlines()[0]}
    return descriptor


def findings_to_sarif(findings: Iterable[Finding], rules: Mapping[str, Any]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: failing findings as results, exemptions as suppressions."""
    failing = [f for f in findings if f.outcome is Outcome.FAIL]
    used = sorted({f.rule for f in failing} | set(rules))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    results: list[dict[str, Any]] = []
    for finding in failing:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": "warning",
            "message": {"text": f"{finding.subject}: {finding.message}"},
        }
        artifact = _artifact(finding.location.path) if finding.location else None
        if artifact is not None and finding.location is not None:
            physical: dict[str, Any] = {"artifactLocation": artifact}
            if finding.location.line:
                physical["region"] = {"startLine": finding.location.line}
            result["locations"] = [{"physicalLocation": physical}]
        if finding.exemption is not None and not finding.exemption.expired:
            result["suppressions"] = [
                {
                    "kind": "external" if finding.exemption.origin == "cnmm.yaml" else "inSource",
                    "justification": finding.exemption.reason,
                }
            ]
        results.append(result)
    from cnmm import __version__

    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cnmm",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(r, rules.get(r)) for r in used],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                "results": results,
            }
        ],
    }
