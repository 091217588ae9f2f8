"""JUnit XML for CI dashboards: one test suite per dimension, one test case per criterion (pure).

A criterion up to the dimension's target that is not met (or only partly) is a failure: that
is the agreed gap. Criteria above the target, not applicable, or not known yet are skipped,
with the reason. Several scopes give one suite per scope and dimension.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from cnmm.report.summary import input_roots, scope_title, where


def _case_outcome(criterion: dict[str, Any], level: int, target: int | None) -> tuple[str, str]:
    """("failure" | "skipped" | "passed", why)."""
    verdict = criterion["verdict"]
    if verdict == "met":
        return "passed", ""
    if verdict == "not-applicable":
        return "skipped", "not applicable"
    if verdict == "unknown":
        return "skipped", "not known yet: no answer and no evidence"
    if target is not None and level > target:
        return "skipped", f"{verdict}, above the target level {target}"
    return "failure", verdict


def _suite(
    parent: ET.Element, doc: dict[str, Any], dim: dict[str, Any], prefix: str
) -> dict[str, int]:
    roots = input_roots(doc)
    cases = [(lv, c) for lv in dim["levels"] for c in lv["criteria"]]
    outcomes = [_case_outcome(c, lv["level"], dim.get("target")) for lv, c in cases]
    failures = sum(1 for kind, _ in outcomes if kind == "failure")
    skipped = sum(1 for kind, _ in outcomes if kind == "skipped")
    suite = ET.SubElement(
        parent,
        "testsuite",
        name=f"{prefix}{dim['id']}",
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time="0",
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("scope", scope_title(doc["scope"])),
        ("dimension", dim["name"]),
        ("level", "" if dim["level"] is None else str(dim["level"])),
        ("target", "" if dim.get("target") is None else str(dim["target"])),
        ("basis", dim["basis"]),
    ):
        ET.SubElement(props, "property", name=name, value=value)
    for (level, c), (kind, why) in zip(cases, outcomes, strict=True):
        case = ET.SubElement(
            suite, "testcase", classname=f"{prefix}{dim['id']}", name=c["id"], time="0"
        )
        detail = f"level {level['level']} {level['name']}: {c['statement']} (basis: {c['basis']})"
        if kind == "failure":
            failing = (c.get("evidence") or {}).get("failing") or []
            node = ET.SubElement(case, "failure", message=f"{why}: {detail}", type=why)
            text = "\n".join(
                f"{f['rule']} {f['subject']}"
                + (f" at {where(f, roots)}" if f.get("path") else "")
                + (f": {f['message']}" if f.get("message") else "")
                for f in failing
            )
            node.text = text or detail
        elif kind == "skipped":
            ET.SubElement(case, "skipped", message=f"{why}: {detail}")
    return {"tests": len(cases), "failures": failures, "skipped": skipped}


def render_junit(docs: list[dict[str, Any]]) -> str:
    """The criteria of one or several assessments as JUnit XML."""
    several = len(docs) > 1
    name = "cnmm" if several else f"cnmm {scope_title(docs[0]['scope'])}"
    suites = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for doc in docs:
        prefix = f"{doc['scope'].get('name', '')}/" if several else ""
        for dim in doc["dimensions"]:
            counts = _suite(suites, doc, dim, prefix)
            for key in totals:
                totals[key] += counts[key]
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("errors", "0")
    suites.set("time", "0")
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
