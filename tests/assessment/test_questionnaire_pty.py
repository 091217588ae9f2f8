"""The interactive questionnaire in a real pseudo-terminal (pexpect): answer, Ctrl-C, resume.

The acceptance: an interrupted questionnaire resumes with every earlier answer kept.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from cnmm.assessment.loader import load_assessment
from cnmm.assessment.writer import write_text_atomic
from cnmm.catalog import load_catalog
from tests.conftest import run_cnmm

pytestmark = pytest.mark.timeout(180)
RUNTIME = "technology.container-runtime"


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "cnmm", "questionnaire", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 100),
    )
    child.logfile_read = (cwd / "session.log").open("a", encoding="utf-8")
    return child


def answer(child: pexpect.spawn, prompt: str, text: str) -> None:
    child.expect_exact(prompt)
    child.sendline(text)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None, "the questionnaire was killed by a signal"
    return int(child.exitstatus)


def test_detailed_answers_survive_ctrl_c_and_resume_keeps_them(tmp_path: Path) -> None:
    catalog = load_catalog()
    criteria = [c.id for c in catalog.dimension(RUNTIME).criteria()]
    path = tmp_path / "payments.yaml"
    child = spawn("-o", path.name, cwd=tmp_path)
    answer(child, "Scope kind", "team")
    answer(child, "Name of the team", "payments")
    answer(child, "Part of", "acme")
    answer(child, "Your name", "Ana")
    answer(child, "Your role", "SRE")
    answer(child, "detailed (d)?", "d")
    answer(child, "Enter for all", RUNTIME)
    child.expect_exact(criteria[0])
    for typed in ["m", "m", "p", "t", "staging only", "u", "a", "s", "n"]:
        answer(child, "Note (" if typed == "staging only" else "Answer> ", typed)
    child.expect_exact("Answer> ")
    child.sendintr()
    child.expect_exact("Interrupted")
    assert finish(child) == 130
    assert load_assessment(path, catalog)  # intact and valid
    checked = run_cnmm("validate", str(path))
    assert checked.returncode == 0, checked.stdout
    first = load_assessment(path, catalog).answers[RUNTIME]
    expected = {
        criteria[0]: "met",
        criteria[1]: "met",
        criteria[2]: "partial",
        criteria[3]: "unknown",
        criteria[4]: "not-applicable",
        criteria[6]: "not-met",
    }
    assert first.criteria == expected
    assert first.criterion_notes == {criteria[3]: "staging only"}
    assert criteria[5] in first.pending  # skipped

    child = spawn("--resume", path.name, cwd=tmp_path)
    child.expect_exact("Resuming")
    child.expect_exact(criteria[5])  # the first unanswered item comes first
    remaining = len(criteria) - len(expected)
    for _ in range(remaining):
        answer(child, "Answer> ", "m")
    child.expect_exact("answered")
    assert finish(child) == 0
    done = load_assessment(path, catalog)
    final = done.answers[RUNTIME]
    assert final.pending == ()
    assert {cid: final.criteria[cid] for cid in expected} == expected  # every earlier answer kept
    assert final.criterion_notes == {criteria[3]: "staging only"}
    assert (done.scope.name, done.scope.parent, done.assessors[0].name) == (
        "payments",
        "acme",
        "Ana",
    )
    assert len(final.criteria) == len(criteria)


def test_quick_mode_shows_level_summaries_and_resumes(tmp_path: Path) -> None:
    catalog = load_catalog()
    people = [d.id for d in catalog.dimensions() if d.aspect == "people"]
    child = spawn(
        "--kind", "team", "--name", "Search Team", "--quick", "--aspect", "people", cwd=tmp_path
    )
    answer(child, "Part of", "")
    answer(child, "Your name", "")
    first = catalog.dimension(people[0])
    child.expect_exact(first.level(2).summary.split()[0])
    child.expect_exact("Pick the lower one")
    answer(child, "Level> ", "2")
    answer(child, "How sure", "80")
    answer(child, "Level> ", "t")
    answer(child, "Note", "mostly one team")
    answer(child, "Level> ", "1")
    answer(child, "How sure", "")
    child.expect_exact("Level> ")
    child.sendintr()
    assert finish(child) == 130
    path = tmp_path / "search-team.yaml"  # named after the scope when -o is not given
    saved = load_assessment(path, catalog)
    assert saved.answers[people[0]].level == 2
    assert saved.answers[people[0]].confidence == 0.8
    assert (saved.answers[people[1]].level, saved.answers[people[1]].notes) == (
        1,
        "mostly one team",
    )
    assert saved.pending_count() == len(people) - 2

    child = spawn("--resume", path.name, cwd=tmp_path)
    for _ in range(len(people) - 2):
        answer(child, "Level> ", "3")
        answer(child, "How sure", "")
    child.expect_exact("answered")
    assert finish(child) == 0
    final = load_assessment(path, catalog)
    assert final.pending_count() == 0
    assert final.answers[people[0]].level == 2 and final.answers[people[1]].level == 1
    assert all(final.answers[d].level == 3 for d in people[2:])


def test_q_saves_and_stops_cleanly(tmp_path: Path) -> None:
    child = spawn(
        "-o",
        "x.yaml",
        "--kind",
        "organisation",
        "--name",
        "acme",
        "--quick",
        "--aspect",
        "business",
        cwd=tmp_path,
    )
    answer(child, "Your name", "")
    answer(child, "Level> ", "q")
    child.expect_exact("--resume x.yaml")
    assert finish(child) == 0
    assert run_cnmm("validate", str(tmp_path / "x.yaml")).returncode == 0


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "taken.yaml"
    path.write_text("precious")
    result = run_cnmm("questionnaire", "-o", str(path))
    assert result.returncode == 2
    assert "--resume" in result.stderr
    assert path.read_text() == "precious"
    broken = run_cnmm("questionnaire", "--resume", str(path))
    assert broken.returncode == 2
    assert path.read_text() == "precious"


def test_an_interrupted_save_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    write_text_atomic(path, "first version\n")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(path, "half written \ud800 cannot be encoded")
    assert path.read_text() == "first version\n"
    assert [p.name for p in tmp_path.iterdir()] == ["answers.yaml"]
