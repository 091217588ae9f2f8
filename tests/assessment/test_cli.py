"""`cnmm validate`, `cnmm score` and `cnmm questionnaire --template/--format markdown`,
through the real entry point (`python -m cnmm`), on the bundled model catalog."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cnmm.catalog import load_catalog
from tests.conftest import run_cnmm

EXAMPLES = Path(__file__).parent / "examples"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CNMM_UPDATE_GOLDEN") == "1"


def header(name: str = "payments") -> str:
    return (
        "cnmm: assessment/v1\nmodel: 4.0-beta\n"
        f"scope: {{kind: team, name: {name}, parent: acme}}\ndate: 2026-11-23\nanswers:\n"
    )


def detailed(dimension_id: str, states: dict[str, str]) -> str:
    lines = [f"  {dimension_id}:", "    criteria:"]
    lines += [f"      {cid}: {state}" for cid, state in states.items()]
    return "\n".join(lines) + "\n"


def acceptance_file(tmp_path: Path) -> Path:
    """Every level-1 and level-2 criterion of container-runtime met, one level-3 not met;
    technology.ai answered not-applicable throughout."""
    catalog = load_catalog()
    runtime = catalog.dimension("technology.container-runtime")
    states = {c.id: "met" for level in runtime.levels[:2] for c in level.criteria}
    states[runtime.level(3).criteria[0].id] = "not-met"
    ai = {c.id: "not-applicable" for c in catalog.dimension("technology.ai").criteria()}
    path = tmp_path / "payments.yaml"
    path.write_text(
        header() + detailed("technology.container-runtime", states) + detailed("technology.ai", ai)
    )
    return path


def by_id(document: dict, index: int = 0) -> dict[str, dict]:
    return {d["id"]: d for d in document["assessments"][index]["dimensions"]}


def test_acceptance_level_two_with_progress_below_one_and_not_applicable(tmp_path: Path) -> None:
    path = acceptance_file(tmp_path)
    result = run_cnmm("score", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    dims = by_id(json.loads(result.stdout))
    runtime = dims["technology.container-runtime"]
    assert runtime["level"] == 2
    assert runtime["progress"] < 1.0
    assert runtime["basis"] == "self-assessed"
    assert runtime["applicable"] is True
    assert dims["technology.ai"]["applicable"] is False
    assert dims["technology.ai"]["level"] is None
    terminal = run_cnmm("score", str(path))
    assert "■■□□□ 2" in terminal.stdout
    assert "n/a" in terminal.stdout


def test_acceptance_misspelt_dimension_fails_validation_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(
        header() + "  people.culture:\n    level: 2\n  technology.contaner-runtime:\n    level: 1\n"
    )
    result = run_cnmm("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:8: unknown dimension 'technology.contaner-runtime'" in result.stdout
    assert "did you mean 'technology.container-runtime'?" in result.stdout


def test_validate_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    good = acceptance_file(tmp_path)
    first = tmp_path / "first.yaml"
    first.write_text(
        header().replace("kind: team", "kind: squad") + "  people.culture:\n    level: 9\n"
    )
    second = tmp_path / "second.yaml"
    second.write_bytes(b"cnmm: assessment/v1\nmodel: \xff\n")
    result = run_cnmm("validate", str(first), str(good), str(second), "--format", "json")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["valid"] is False
    files = {Path(f["file"]).name: f for f in doc["files"]}
    assert files["payments.yaml"]["valid"] is True
    assert [p["line"] for p in files["first.yaml"]["problems"]] == [3, 7]
    assert "not valid UTF-8" in files["second.yaml"]["problems"][0]["message"]
    text = run_cnmm("validate", str(first), str(good), str(second))
    assert text.returncode == 1
    assert f"{first}:3: scope kind 'squad'" in text.stdout
    assert f"{first}:7: people.culture/level: 9 is out of range 0..5" in text.stdout
    assert "3 files, 2 invalid" in text.stdout


def test_validate_exit_codes(tmp_path: Path) -> None:
    assert run_cnmm("validate", *map(str, sorted(EXAMPLES.glob("*.yaml")))).returncode == 0
    assert run_cnmm("validate").returncode == 2
    assert run_cnmm("validate", "x.yaml", "--format", "xml").returncode == 2
    missing = run_cnmm("validate", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 1
    assert "cannot read file" in missing.stdout


def test_score_golden_side_by_side_json() -> None:
    names = ["payments.yaml", "checkout.yaml", "search.yaml"]
    result = run_cnmm("score", *names, "--format", "json", cwd=EXAMPLES)
    assert result.returncode == 0, result.stderr
    golden = GOLDEN / "score-examples.json"
    if UPDATE:
        golden.write_text(result.stdout)
    assert json.loads(result.stdout) == json.loads(golden.read_text())
    doc = json.loads(result.stdout)
    assert [a["scope"]["name"] for a in doc["assessments"]] == ["payments", "checkout", "search"]
    assert set(doc["assessments"][0]) == {"file", "scope", "dimensions", "aspects", "overall"}


def test_score_terminal_fits_80_columns_and_shows_files_side_by_side() -> None:
    names = ["payments.yaml", "checkout.yaml", "search.yaml"]
    result = run_cnmm("score", *names, cwd=EXAMPLES)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    header_row = next(line for line in lines if line.startswith("dimension"))
    assert header_row.split() == ["dimension", "payments", "checkout", "search"]
    row = next(line for line in lines if line.strip().startswith("container-runtime"))
    assert row.split()[1:] == ["■■□□□", "2", "■■■□□", "3*", "■□□□□", "1*?"]
    overall = next(line for line in lines if line.startswith("overall"))
    assert overall.split()[1:] == ["1", "/", "2", "0", "/", "2", "1", "/", "1"]
    single = run_cnmm("score", "payments.yaml", cwd=EXAMPLES)
    assert max(len(line) for line in single.stdout.splitlines()) <= 80
    assert "19% to 3" in single.stdout
    assert "self-reported" in single.stdout and "self-assessed" in single.stdout


def test_names_are_shown_literally_not_as_markup(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(header('"[bold]pay[/] team"') + "  people.culture:\n    level: 2\n")
    result = run_cnmm("score", str(path))
    assert result.returncode == 0, result.stderr
    assert "[bold]pay[/] team (team" in result.stdout


def test_score_completes_despite_one_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(header() + "  people.cultur:\n    level: 2\n")
    result = run_cnmm("score", str(EXAMPLES / "checkout.yaml"), str(bad), "--format", "json")
    assert result.returncode == 3
    doc = json.loads(result.stdout)
    assert [a["scope"]["name"] for a in doc["assessments"]] == ["checkout"]
    assert doc["errors"][0]["line"] == 6
    assert f"{bad}:6: unknown dimension 'people.cultur'" in result.stderr
    only_bad = run_cnmm("score", str(bad))
    assert only_bad.returncode == 2
    assert run_cnmm("score").returncode == 2


def test_score_reads_partial_credit_and_weights_from_cnmm_yaml(tmp_path: Path) -> None:
    (tmp_path / "payments.yaml").write_text((EXAMPLES / "payments.yaml").read_text())
    plain = json.loads(run_cnmm("score", "payments.yaml", "-f", "json", cwd=tmp_path).stdout)
    default = by_id(plain)
    assert plain["assessments"][0]["overall"] == {"floor": 1, "median": 2.0}
    (tmp_path / "cnmm.yaml").write_text(
        "version: 1\nscoring:\n  partial_credit: 1.0\n  quick_confidence: 0.25\n"
    )
    configured = json.loads(run_cnmm("score", "payments.yaml", "-f", "json", cwd=tmp_path).stdout)
    dims = by_id(configured)
    runtime = "technology.container-runtime"
    assert dims[runtime]["progress"] > default[runtime]["progress"]
    assert dims["business.outcomes"]["confidence"] == 0.25
    # levels 1 (business), 2, 3, 2: median 2; with business weighted 5 the median is 1
    (tmp_path / "cnmm.yaml").write_text("version: 1\nscoring:\n  aspect_weights: {business: 5}\n")
    weighted = json.loads(run_cnmm("score", "payments.yaml", "-f", "json", cwd=tmp_path).stdout)
    assert weighted["assessments"][0]["overall"] == {"floor": 1, "median": 1.0}
    (tmp_path / "cnmm.yaml").write_text("version: 1\nscoring:\n  aspect_weights: {peple: 2}\n")
    unknown = run_cnmm("score", "payments.yaml", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "peple" in unknown.stderr
    (tmp_path / "cnmm.yaml").write_text("version: 1\nscoring:\n  partial_credit: 2\n")
    broken = run_cnmm("score", "payments.yaml", cwd=tmp_path)
    assert broken.returncode == 2
    assert "cnmm.yaml:3" in broken.stderr


@pytest.mark.parametrize("mode", ["--quick", "--detailed"])
def test_templates_validate_blank_and_carry_the_models_text(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "team.yaml"
    made = run_cnmm(
        "questionnaire",
        "--template",
        mode,
        "--aspect",
        "technology",
        "--aspect",
        "people.culture",
        "--name",
        "payments",
        "-o",
        str(path),
    )
    assert made.returncode == 0, made.stderr
    text = path.read_text()
    catalog = load_catalog()
    runtime = catalog.dimension("technology.container-runtime")
    if mode == "--detailed":
        assert all(c.statement.split()[0] in text for c in runtime.criteria())
        assert "technology.container-runtime.l3." in text
    else:
        assert runtime.level(3).summary.split(";")[0].split()[0] in text
        assert "Pick the lower one" in text
    assert "process." not in text.split("answers:")[1]
    checked = run_cnmm("validate", str(path), "--format", "json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["files"][0]["unanswered"] > 0
    again = run_cnmm("questionnaire", "--template", "-o", str(path))
    assert again.returncode == 2
    assert "exists" in again.stderr
    assert path.read_text() == text


def test_template_to_stdout_and_markdown_workshop_questionnaire() -> None:
    template = run_cnmm("questionnaire", "--template", "--aspect", "business")
    assert template.returncode == 0
    assert template.stdout.startswith("# cnmm self-assessment")
    assert "  business.outcomes:" in template.stdout
    quick = run_cnmm("questionnaire", "--format", "markdown", "--aspect", "people")
    assert quick.returncode == 0
    assert "## People" in quick.stdout and "## Technology" not in quick.stdout
    assert "Pick the lower one" in quick.stdout
    full = run_cnmm("questionnaire", "--format", "markdown", "--detailed")
    question = load_catalog().dimension("policy.compliance").level(2).criteria[0].question
    assert question.split("?")[0] in full.stdout
    assert full.stdout.count("\n### ") == 23


def test_questionnaire_usage_errors() -> None:
    bad = run_cnmm("questionnaire", "--template", "--aspect", "technolgy")
    assert bad.returncode == 2
    assert "did you mean 'technology'" in " ".join(bad.stderr.split())
    both = run_cnmm("questionnaire", "--resume", "a.yaml", "-o", "b.yaml")
    assert both.returncode == 2


def test_documented_example_is_valid(tmp_path: Path) -> None:
    """The example in docs/assessment-format.md validates against the real catalog."""
    doc = (Path(__file__).parents[2] / "docs" / "assessment-format.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "doc-example.yaml"
    path.write_text(example)
    result = run_cnmm("validate", str(path))
    assert result.returncode == 0, result.stdout
