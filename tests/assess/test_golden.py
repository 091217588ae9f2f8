"""Golden files for the example organisation: the assessment JSON and the Markdown report.

What may differ between runs is normalised: the timestamp, the cnmm version and where the
example is installed. The JSON golden leaves out catalog prose (statements, summaries,
remediation) and the free-form inventory, and writes each criterion on one line, so it
changes when verdicts, levels or findings change, not when wording does.

To accept a deliberate change: CNMM_UPDATE_GOLDEN=1 python -m pytest tests/assess/test_golden.py
then review the diff of tests/assess/golden/ like any other change.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from cnmm.cli.assess_cmd import example_dir
from tests.assess.example import ExampleRun
from tests.conftest import run_cnmm

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CNMM_UPDATE_GOLDEN") == "1"
PROSE = {"statement", "summary", "description", "remediation", "focus", "attribution"}


def _criterion_line(c: dict[str, Any]) -> str:
    """One reviewable line per criterion: verdict, basis, answer and evidence counts."""
    line = f"{c['id']}: {c['verdict']} ({c['basis']}"
    if c.get("answer"):
        line += f"; answered {c['answer']}"
    evidence = c.get("evidence")
    if evidence:
        line += f"; evidence {evidence['verdict']} {evidence['passed']}/"
        line += f"{evidence['passed'] + evidence['failed']}"
    return line + ")"


def _normalise(value: Any, root: str) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in PROSE or key == "inventory":
                continue
            if key == "criteria" and isinstance(item, list):
                out[key] = [_criterion_line(c) for c in item]
                continue
            if key == "kpis" and isinstance(item, list) and item and "id" in item[0]:
                out[key] = [k["id"] for k in item]
                continue
            out[key] = _normalise(item, root)
        return out
    if isinstance(value, list):
        return [_normalise(item, root) for item in value]
    if isinstance(value, str):
        return value.replace(root, "<example>")
    return value


def normalise_json(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    data["generated"] = "<generated>"
    data["tool"]["version"] = "<version>"
    for doc in data.get("assessments", [data]):
        doc["generated"] = "<generated>"
        doc["tool"]["version"] = "<version>"
    return dict(_normalise(data, str(example_dir())))


def normalise_text(text: str) -> str:
    text = text.replace(str(example_dir()), "<example>")
    return re.sub(r"generated \S+ by cnmm \S+", "generated <generated> by cnmm <version>", text)


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        pytest.skip(f"updated {path}")
    assert path.exists(), f"{path} is missing: run with CNMM_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} changed; if intended, regenerate (see module docstring)"


def test_example_json_matches_golden(example: ExampleRun) -> None:
    actual = json.dumps(normalise_json(example.data), indent=2, sort_keys=True) + "\n"
    _check("example.json", actual)


def test_example_markdown_matches_golden(example: ExampleRun) -> None:
    proc = run_cnmm("report", str(example.out / "assessment.json"), "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    _check("example.md", normalise_text(proc.stdout))


def test_normalisation_keeps_what_matters(example: ExampleRun) -> None:
    data = normalise_json(example.data)
    text = json.dumps(data)
    assert str(example_dir()) not in text
    assert "<generated>" in text and '"verdict"' in text and '"discrepancies"' in text
