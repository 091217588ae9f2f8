"""`cnmm assess --example` end to end through the real entry point (the README's command)."""

from __future__ import annotations

import json

from cnmm.report.render import validate_document
from tests.assess.example import SECRET_VALUE, ExampleRun
from tests.conftest import run_cnmm


def test_example_runs_with_no_setup_and_says_where_the_html_is(example: ExampleRun) -> None:
    assert example.returncode == 0, example.stderr
    assert "Team payments (acme)" in example.stdout
    assert "Team checkout (acme)" in example.stdout
    assert "Levels side by side" in example.stdout
    for name in ("assessment.json", "index.html", "payments.html", "checkout.html"):
        assert (example.out / name).is_file(), name
    assert "Open cnmm-report/index.html in a browser" in example.stderr


def test_example_terminal_output_fits_80_columns(example: ExampleRun) -> None:
    too_long = [line for line in example.stdout.splitlines() if len(line) > 80]
    assert too_long == []


def test_example_document_is_valid_and_has_two_teams(example: ExampleRun) -> None:
    data = example.data
    validate_document(data)
    assert data["schema"] == "cnmm/assessment-set/v1"
    assert [d["scope"]["name"] for d in data["assessments"]] == ["payments", "checkout"]
    payments, checkout = example.scope("payments"), example.scope("checkout")
    # payments is the more mature team: a higher floor and median than checkout
    assert payments["overall"]["floor"] > checkout["overall"]["floor"]
    assert payments["overall"]["median"] > checkout["overall"]["median"]


def test_quick_and_detailed_answers_are_both_used(example: ExampleRun) -> None:
    bases = {d["basis"] for d in example.scope("payments")["dimensions"]}
    assert {"self-reported", "evidence+answers"} <= bases
    people_ai = next(d for d in example.scope("payments")["dimensions"] if d["id"] == "people.ai")
    assert people_ai["applicable"] is False and people_ai["level"] is None


def test_answer_contradicted_by_evidence_is_a_discrepancy(example: ExampleRun) -> None:
    checkout = example.scope("checkout")
    tagging = [
        x
        for x in checkout["discrepancies"]
        if x["criterion"] == "technology.container-runtime.l1.registry-tagging"
    ]
    assert len(tagging) == 1
    found = tagging[0]
    assert (found["answer"], found["evidence"]) == ("met", "not-met")
    assert any(
        f["rule"] == "k8s.image.tag-pinned" and f["path"].endswith("checkout/k8s/deployment.yaml")
        for f in found["failing"]
    )
    payments = example.scope("payments")
    digest = [
        x
        for x in payments["discrepancies"]
        if x["criterion"] == "technology.release-operations.l3.images-pinned-by-digest"
    ]
    assert digest and digest[0]["failing"][0]["rule"] == "k8s.image.digest-pinned"


def test_claimed_level_above_the_evidence_is_flagged(example: ExampleRun) -> None:
    patterns = next(
        x
        for x in example.scope("checkout")["discrepancies"]
        if x["kind"] == "dimension" and x["dimension"] == "technology.application-patterns"
    )
    assert patterns["claimed_level"] == 2
    assert patterns["evidence_cap"] == 0  # no probes: level 1 is not reached
    rules = {f["rule"] for f in patterns["failing"]}
    assert "k8s.workload.readiness-probe" in rules


def test_discrepancies_reach_every_report(example: ExampleRun) -> None:
    html = (example.out / "checkout.html").read_text(encoding="utf-8")
    assert "registry-tagging" in html
    assert "contradicted by evidence" in example.stdout


def test_roadmap_has_horizons_kpis_and_the_cost_caveat(example: ExampleRun) -> None:
    roadmap = example.scope("checkout")["roadmap"]
    assert [h["name"] for h in roadmap["horizons"]] == ["now", "next", "later"]
    now = roadmap["horizons"][0]["items"]
    assert now, "checkout is below its targets, so there is work to do now"
    assert all(item["level"] == item["current_level"] + 1 for item in now)
    assert roadmap["kpis"] and all(k["kpis"] for k in roadmap["kpis"])
    assert "Costs may rise before they fall" in roadmap["caveat"]
    assert {u["dimension"] for u in roadmap["unassessed"]} == {
        "people.ai",
        "policy.ai",
        "technology.ai",
    }


def test_no_report_repeats_a_secret_value(example: ExampleRun) -> None:
    outputs = [example.stdout, example.stderr]
    outputs += [p.read_text(encoding="utf-8") for p in example.out.iterdir()]
    for fmt in ("markdown", "sarif", "junit", "terminal"):
        proc = run_cnmm("report", str(example.out / "assessment.json"), "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert not [text for text in outputs if SECRET_VALUE in text]
    # ...while the finding about it is there
    assert "DB_PASSWORD" in (example.out / "checkout.html").read_text(encoding="utf-8")


def test_format_json_prints_the_document_on_stdout(tmp_path) -> None:
    proc = run_cnmm("assess", "--example", "--format", "json", "--out", str(tmp_path / "o"),
                    cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    validate_document(data)
    assert data == json.loads((tmp_path / "o" / "assessment.json").read_text(encoding="utf-8"))
