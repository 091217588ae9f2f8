"""Assessment files: valid ones load; every kind of mistake is named with file:line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cnmm.assessment.loader import (
    MAX_FILE_BYTES,
    AssessmentError,
    assessment_schema,
    check_assessment,
    load_assessment,
)
from tests.scoring.mini import mini_catalog

CATALOG = mini_catalog()

VALID = """\
cnmm: assessment/v1
model: 4.0-beta
scope: {kind: team, name: payments, parent: acme}
assessors:
  - {name: Ana, role: SRE}
date: 2026-11-23
targets: {technology.container-runtime: 3, people: 2}
answers:
  technology.container-runtime:
    criteria:
      technology.container-runtime.l1.c1: met
      technology.container-runtime.l1.c2: {state: partial, note: only in production}
      technology.container-runtime.l2.c1:
    notes: Mostly there.
    evidence: [https://wiki.example.com/runtime]
  people.culture:
    level: 2
    confidence: 0.7
  people.ai:
    level:
"""


def write(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_valid_file_loads_into_the_typed_model(tmp_path: Path) -> None:
    assessment = load_assessment(write(tmp_path, VALID), CATALOG)
    assert assessment.scope.kind == "team"
    assert (assessment.scope.name, assessment.scope.parent) == ("payments", "acme")
    assert assessment.assessors[0].role == "SRE"
    assert assessment.date == date(2026, 11, 23)
    assert assessment.targets == {"technology.container-runtime": 3, "people": 2}
    runtime = assessment.answers["technology.container-runtime"]
    assert runtime.mode == "detailed"
    assert runtime.level is None
    assert runtime.criteria == {
        "technology.container-runtime.l1.c1": "met",
        "technology.container-runtime.l1.c2": "partial",
    }
    assert runtime.criterion_notes == {"technology.container-runtime.l1.c2": "only in production"}
    assert runtime.pending == ("technology.container-runtime.l2.c1",)
    assert runtime.evidence == ("https://wiki.example.com/runtime",)
    culture = assessment.answers["people.culture"]
    assert (culture.mode, culture.level, culture.confidence, culture.criteria) == (
        "quick",
        2,
        0.7,
        {},
    )
    assert assessment.answers["people.ai"].level is None
    assert assessment.pending_count() == 2


def test_the_published_schema_accepts_the_valid_file() -> None:
    import jsonschema
    import yaml

    data = yaml.safe_load(VALID)
    data["date"] = data["date"].isoformat()
    jsonschema.Draft202012Validator.check_schema(assessment_schema())
    jsonschema.Draft202012Validator(assessment_schema()).validate(data)


CASES = [
    # (what, old, new, needle in message, line anchor in the edited text)
    (
        "unknown top-level key",
        "date: 2026",
        "colour: blue\ndate: 2026",
        "unknown key 'colour'",
        "colour",
    ),
    ("unknown key in scope", "parent: acme}", "paren: acme}", "did you mean 'parent'", "scope:"),
    (
        "unknown key in a dimension answer",
        "    notes: Mostly",
        "    note: Mostly",
        "unknown key 'note'",
        "    note: Mostly",
    ),
    (
        "unknown key in a criterion answer",
        "note: only",
        "comment: only",
        "unknown key 'comment'",
        "comment: only",
    ),
    (
        "misspelt dimension",
        "  people.culture:",
        "  people.cultur:",
        "unknown dimension 'people.cultur'; did you mean 'people.culture'?",
        "people.cultur:",
    ),
    (
        "misspelt criterion",
        "container-runtime.l1.c1: met",
        "container-runtime.l1.x1: met",
        "did you mean",
        "l1.x1",
    ),
    (
        "criterion under the wrong dimension",
        "technology.container-runtime.l2.c1:",
        "technology.security-policy.l2.c1:",
        "belongs to dimension 'technology.security-policy'",
        "technology.security-policy.l2.c1",
    ),
    (
        "a criterion as a dimension key",
        "  people.ai:\n",
        "  people.ai.l1.c1:\n",
        "is a criterion, not a dimension",
        "people.ai.l1.c1",
    ),
    (
        "an aspect as a dimension key",
        "  people.ai:\n",
        "  people:\n",
        "is an aspect",
        "  people:\n",
    ),
    ("level above 5", "level: 2", "level: 7", "7 is out of range 0..5", "level: 7"),
    ("level below 0", "level: 2", "level: -1", "-1 is out of range 0..5", "level: -1"),
    ("level not a number", "level: 2", "level: two", "expected a whole number", "level: two"),
    (
        "confidence as percent",
        "confidence: 0.7",
        "confidence: 70",
        "write 0.7 for 70%",
        "confidence: 70",
    ),
    (
        "wrong scope kind",
        "kind: team",
        "kind: squad",
        "scope kind 'squad' is not one of",
        "kind: squad",
    ),
    ("bad state", "l1.c1: met", "l1.c1: done", "'done' is not a state", "l1.c1: done"),
    ("yes is not a state", "l1.c1: met", "l1.c1: yes", "YAML reads this as true", "l1.c1: yes"),
    (
        "bad state inside a mapping",
        "state: partial",
        "state: halfway",
        "'halfway' is not a state",
        "state: halfway",
    ),
    (
        "wrong header",
        "cnmm: assessment/v1",
        "cnmm: assessment/v9",
        "is not a format this cnmm reads",
        "cnmm:",
    ),
    ("missing header", "cnmm: assessment/v1\n", "", "missing the header", "model:"),
    (
        "model version mismatch",
        "model: 4.0-beta",
        "model: '3.0'",
        "does not match the model",
        "model:",
    ),
    (
        "quick and detailed together",
        "    level: 2\n",
        "    level: 2\n    criteria: {}\n",
        "not both",
        "  people.culture:",
    ),
    ("target out of range", "people: 2}", "people: 6}", "6 is out of range 1..5", "targets"),
    ("unknown target", "people: 2}", "peple: 2}", "did you mean 'people'", "targets"),
    (
        "impossible date",
        "date: 2026-11-23",
        "date: 2026-02-30",
        "not a real calendar date",
        "date:",
    ),
    (
        "date in another format",
        "date: 2026-11-23",
        "date: 23/11/2026",
        "expected YYYY-MM-DD",
        "date:",
    ),
    (
        "duplicate key",
        "    confidence: 0.7\n",
        "    confidence: 0.7\n    level: 3\n",
        "duplicate key 'level'",
        "    level: 3",
    ),
    (
        "missing scope name",
        "name: payments, ",
        "",
        "missing required key 'name' in scope",
        "scope:",
    ),
    ("a number where text is expected", "name: Ana", "name: 42", "put it in quotes", "name: 42"),
    (
        "evidence not a list",
        "evidence: [https://wiki.example.com/runtime]",
        "evidence: https://wiki",
        "expected a list",
        "evidence: https",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "needle", "anchor"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_mistake_is_named_with_file_and_line(
    tmp_path: Path, old: str, new: str, needle: str, anchor: str
) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(AssessmentError) as info:
        load_assessment(path, CATALOG)
    line = line_of(text, anchor)
    messages = str(info.value).splitlines()
    assert any(m.startswith(f"{path}:{line}: ") and needle in m for m in messages), messages


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        VALID.replace("kind: team", "kind: squad")
        .replace("level: 2", "level: 9")
        .replace("l1.c1: met", "l1.c1: done")
        .replace("  people.ai:", "  people.aii:")
    )
    _, problems = check_assessment(write(tmp_path, text), CATALOG)
    assert len(problems) == 4
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty file"),
        (b"cnmm: assessment/v1\nscope: {kind: team\n", "invalid YAML"),
        (b"\x00\x01binary\x00", "binary file"),
        (b"cnmm: assessment/v1\nmodel: caf\xe9\n", "not valid UTF-8"),
        (b"- just\n- a list\n", "expected a mapping"),
        (b"[" * 5000 + b"]" * 5000, "nesting depth"),
    ],
    ids=["empty", "invalid-yaml", "binary", "not-utf8", "a-list", "deep"],
)
def test_unreadable_files_are_reported_not_raised(
    tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    assessment, problems = check_assessment(path, CATALOG)
    assert assessment is None
    assert len(problems) == 1
    assert str(problems[0]).startswith(str(path))
    assert needle in problems[0].message


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("level: 2", "level: [2"))
    _, problems = check_assessment(path, CATALOG)
    assert problems[0].line is not None
    assert "invalid YAML" in problems[0].message


def test_huge_and_missing_files_are_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)
    _, problems = check_assessment(huge, CATALOG)
    assert "limited to" in problems[0].message
    _, problems = check_assessment(tmp_path / "missing.yaml", CATALOG)
    assert "cannot read file" in problems[0].message
    _, problems = check_assessment(tmp_path, CATALOG)
    assert "directory" in problems[0].message
