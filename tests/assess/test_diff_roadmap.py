"""`cnmm diff` between two real assessments, and `cnmm roadmap`."""

from __future__ import annotations

import json
from pathlib import Path

from cnmm.cli.assess_cmd import example_dir
from tests.assess.example import ExampleRun
from tests.conftest import run_cnmm

CHECKOUT_REPO = example_dir() / "repos" / "checkout"
CHECKOUT_ANSWERS = example_dir() / "teams" / "checkout.yaml"


def _assess(answers: Path, target: Path) -> Path:
    proc = run_cnmm("assess", str(CHECKOUT_REPO), "--answers", str(answers), "--format", "json")
    assert proc.returncode in (0, 3), proc.stderr
    target.write_text(proc.stdout, encoding="utf-8")
    return target


def test_diff_shows_what_moved(tmp_path: Path) -> None:
    old = _assess(CHECKOUT_ANSWERS, tmp_path / "old.json")
    text = CHECKOUT_ANSWERS.read_text(encoding="utf-8")
    # A quarter later: culture went up, the registry answer was corrected, and the
    # application-patterns claim was lowered to what the evidence shows.
    text = text.replace("people.culture: {level: 2}", "people.culture: {level: 3}")
    text = text.replace(
        "technology.container-runtime.l1.registry-tagging: met",
        "technology.container-runtime.l1.registry-tagging: not-met",
    )
    text = text.replace("technology.application-patterns: {level: 2, confidence: 0.8}",
                        "technology.application-patterns: {level: 0}")  # fmt: skip
    text = text.replace("people.upskilling: {level: 1,", "people.upskilling: {level: 0,")
    newer = tmp_path / "new.yaml"
    newer.write_text(text, encoding="utf-8")
    new = _assess(newer, tmp_path / "new.json")

    proc = run_cnmm("diff", str(old), str(new), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    changes = json.loads(proc.stdout)
    [scope] = changes["scopes"]
    moved = {d["id"]: d for d in scope["dimensions"]}
    assert moved["people.culture"]["direction"] == "up"
    assert (moved["people.culture"]["old_level"], moved["people.culture"]["new_level"]) == (2, 3)
    assert moved["people.upskilling"]["direction"] == "down"
    resolved = {x.get("criterion") or x["dimension"] for x in scope["discrepancies"]["resolved"]}
    assert "technology.container-runtime.l1.registry-tagging" in resolved
    assert "technology.application-patterns" in resolved
    assert scope["discrepancies"]["new"] == []
    assert changes["regressions"] >= 1  # upskilling went down

    text_diff = run_cnmm("diff", str(old), str(new))
    assert "people.culture" not in text_diff.stdout  # names, not ids, for people
    assert "up Culture: level 2 -> 3" in text_diff.stdout
    assert "resolved discrepancy" in text_diff.stdout
    gate = run_cnmm("diff", str(old), str(new), "--fail-on-regression")
    assert gate.returncode == 1
    same = run_cnmm("diff", str(old), str(old), "--fail-on-regression")
    assert same.returncode == 0 and "no change" in same.stdout


def test_diff_refuses_files_that_are_not_assessments(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    proc = run_cnmm("diff", str(bad), str(bad))
    assert proc.returncode == 2 and str(bad) in proc.stderr


def test_roadmap_from_saved_json_and_from_answers(example: ExampleRun) -> None:
    saved = example.out / "assessment.json"
    proc = run_cnmm("roadmap", str(saved), "--format", "json", "--horizon", "now")
    assert proc.returncode == 0, proc.stderr
    roadmaps = json.loads(proc.stdout)["roadmaps"]
    assert [r["scope"]["name"] for r in roadmaps] == ["payments", "checkout"]
    assert all([h["name"] for h in r["roadmap"]["horizons"]] == ["now"] for r in roadmaps)
    text = run_cnmm("roadmap", str(saved)).stdout
    assert "Roadmap for Team checkout (acme)" in text
    assert "Projects that help:" in text and "Costs may rise" in text
    from_answers = run_cnmm("roadmap", str(CHECKOUT_ANSWERS), "--target", "3", "--format",
                            "markdown")  # fmt: skip
    assert from_answers.returncode == 0, from_answers.stderr
    assert from_answers.stdout.startswith("# Roadmap for Team checkout")
    assert "to level 3" in from_answers.stdout.replace("→ level 3", "to level 3")
    assert run_cnmm("roadmap", str(saved), "--horizon", "soon").returncode == 2
