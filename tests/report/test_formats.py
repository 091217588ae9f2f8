"""Every report format from the saved example assessment: validity and content."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from cnmm.report.markdown import render_markdown
from cnmm.report.render import DocumentError, render, validate_document
from tests.assess.example import ExampleRun
from tests.conftest import run_cnmm
from tests.report.hostile import JS_LINK, SCRIPT, hostile

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="module")
def saved(example: ExampleRun) -> Path:
    assert example.returncode in (0, 3), example.stderr
    return example.out / "assessment.json"


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "json", "sarif", "junit"])
def test_report_rerenders_the_saved_json_in_every_format(saved: Path, fmt: str) -> None:
    proc = run_cnmm("report", str(saved), "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    expected = {
        "terminal": "Levels side by side",
        "markdown": "# Cloud native maturity: side by side",
        "html": "<!DOCTYPE html>",
        "json": '"schema": "cnmm/assessment-set/v1"',
        "sarif": '"version": "2.1.0"',
        "junit": "<testsuites",
    }[fmt]
    assert expected in out
    if fmt == "json":
        assert json.loads(out) == json.loads(saved.read_text(encoding="utf-8"))


def test_sarif_is_valid_and_points_at_files(saved: Path) -> None:
    proc = run_cnmm("report", str(saved), "--format", "sarif")
    log = json.loads(proc.stdout)
    schema = json.loads((SCHEMAS / "sarif-2.1.0-subset.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(log)
    assert [r["automationDetails"]["id"] for r in log["runs"]] == [
        "cnmm/team/payments/",
        "cnmm/team/checkout/",
    ]
    checkout = log["runs"][1]
    rule_ids = [r["id"] for r in checkout["tool"]["driver"]["rules"]]
    located = [r for r in checkout["results"] if r.get("locations")]
    tag = next(r for r in located if r["ruleId"] == "k8s.image.tag-pinned")
    physical = tag["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("checkout/k8s/deployment.yaml")
    assert physical["region"]["startLine"] >= 1
    for result in checkout["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_junit_is_valid_and_has_one_case_per_criterion(saved: Path, example: ExampleRun) -> None:
    proc = run_cnmm("report", str(saved), "--format", "junit")
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd")))
    tree = etree.fromstring(proc.stdout.encode("utf-8"))
    schema.assertValid(tree)
    checkout = example.scope("checkout")
    criteria = [
        (d, lv, c) for d in checkout["dimensions"] for lv in d["levels"] for c in lv["criteria"]
    ]
    cases = tree.findall(".//testsuite[@name]/testcase")
    mine = [c for c in cases if c.get("classname").startswith("checkout/")]
    assert len(mine) == len(criteria)
    by_name = {c.get("name"): c for c in mine}
    tagging = by_name["technology.container-runtime.l1.registry-tagging"]
    assert tagging.find("skipped") is None and tagging.find("failure") is None  # answered met
    # not met and within the target: a failure; above the target: skipped
    for dim, level, c in criteria:
        node = by_name[c["id"]]
        if c["verdict"] == "not-met":
            expected = "failure" if level["level"] <= (dim["target"] or 5) else "skipped"
            assert node.find(expected) is not None, c["id"]
    total = tree.getroottree().getroot()
    assert int(total.get("tests")) == len(cases)


def test_markdown_neutralises_hostile_text(example: ExampleRun) -> None:
    text = render_markdown(hostile(example.scope("checkout")))
    assert "<script>" not in text and "<img" not in text
    assert not re.search(r"(?<!\\)\[click", text)  # no live link or image
    assert "![img]" not in text
    assert "&lt;script&gt;" in text


def test_hostile_document_still_validates(example: ExampleRun) -> None:
    validate_document(hostile(example.scope("checkout")))


def test_invalid_documents_are_refused_with_a_reason(tmp_path: Path, example: ExampleRun) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "cnmm/assessment-result/v1",\n  "scope": }', encoding="utf-8")
    proc = run_cnmm("report", str(broken))
    assert proc.returncode == 2 and f"{broken}:2" in proc.stderr
    doc = example.scope("checkout")
    doc["dimensions"][0]["level"] = 9
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(doc), encoding="utf-8")
    proc = run_cnmm("report", str(wrong))
    assert proc.returncode == 2
    assert "/dimensions/0/level" in proc.stderr
    other = tmp_path / "scan.json"
    other.write_text(json.dumps({"schema": "cnmm/scan/v1"}), encoding="utf-8")
    proc = run_cnmm("report", str(other))
    assert proc.returncode == 2 and "cnmm/scan/v1" in proc.stderr
    with pytest.raises(DocumentError):
        validate_document([])


def test_terminal_report_fits_80_columns(example: ExampleRun) -> None:
    text = str(render(example.scope("payments"), "terminal", width=80))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Discrepancies" in text and "Next steps" in text


def test_pdf_missing_chromium_is_a_clear_error(saved: Path) -> None:
    proc = run_cnmm("report", str(saved), "--format", "pdf", "-o", "x.pdf",
                    env={"CNMM_CHROMIUM": "/nonexistent/chromium"})  # fmt: skip
    assert proc.returncode == 4
    assert "PDF output needs Chromium" in " ".join(proc.stderr.split())


def test_html_escapes_and_never_links_javascript(example: ExampleRun) -> None:
    page = str(render(hostile(example.scope("checkout")), "html"))
    assert SCRIPT not in page
    assert 'href="javascript' not in page.lower()
    assert JS_LINK in page.replace("&#x27;", "'")  # shown as text, not as a link
