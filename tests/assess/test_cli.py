"""`cnmm assess` as a CI gate and with bad input: exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnmm.cli.assess_cmd import example_dir
from tests.conftest import run_cnmm

CHECKOUT_REPO = example_dir() / "repos" / "checkout"
CHECKOUT_ANSWERS = example_dir() / "teams" / "checkout.yaml"


def assess(*args: str, cwd: Path | None = None):
    return run_cnmm("assess", str(CHECKOUT_REPO), "--answers", str(CHECKOUT_ANSWERS), *args,
                    cwd=cwd)  # fmt: skip


@pytest.mark.parametrize(
    ("gates", "code", "message"),
    [
        (["people.culture=2"], 0, None),
        (["people.culture=3"], 1, "checkout: people.culture is at level 2, below 3"),
        (["technology=1"], 1, "checkout: technology is at level 0, below 1"),
        (["overall=0", "process=1"], 0, None),
        (["technology.ai=1"], 1, "technology.ai is not assessed, below 1"),
        (["overall=9"], 2, "expected ID=LEVEL with LEVEL 0..5"),
        (["technology.container-runtme=1"], 2, "did you mean 'technology.container-runtime'"),
    ],
)
def test_fail_under_gates(gates: list[str], code: int, message: str | None) -> None:
    args = [arg for gate in gates for arg in ("--fail-under", gate)]
    proc = assess(*args, "--format", "json")
    assert proc.returncode == code, proc.stderr
    if message:
        assert message in proc.stderr
    if code != 2:
        json.loads(proc.stdout)  # the report is still written before the gate verdict


def test_invalid_answers_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "cnmm: assessment/v1\nmodel: 4.0-beta\nscope: {kind: team, name: x}\n"
        "date: 2026-11-01\nanswers:\n  technology.container-runtme: {level: 2}\n",
        encoding="utf-8",
    )
    proc = run_cnmm("assess", "--answers", str(bad))
    assert proc.returncode == 2
    assert f"{bad}:6" in proc.stderr


def test_one_bad_answers_file_among_several_is_reported_and_the_rest_done(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("cnmm: assessment/v1\nmodel: [\n", encoding="utf-8")
    proc = run_cnmm("assess", "--answers", str(CHECKOUT_ANSWERS), "--answers", str(bad),
                    "--format", "json")  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert str(bad) in proc.stderr
    assert json.loads(proc.stdout)["scope"]["name"] == "checkout"


def test_usage_errors(tmp_path: Path) -> None:
    assert run_cnmm("assess").returncode == 2
    missing = run_cnmm("assess", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert "no such file or directory" in " ".join(missing.stderr.split())
    both = run_cnmm("assess", "--example", "--target", "2", "--targets", "t.yaml")
    assert both.returncode == 2


def test_targets_file_is_checked_and_applied(tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  technology: 4\n  technology.ai: 1\n", encoding="utf-8")
    proc = assess("--targets", str(targets), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    dims = {d["id"]: d for d in json.loads(proc.stdout)["dimensions"]}
    assert dims["technology.container-runtime"]["target"] == 4
    assert dims["technology.ai"]["target"] == 1
    assert dims["people.culture"]["target"] == 2  # from the answers file
    targets.write_text("technology.container-runtime: 7\n", encoding="utf-8")
    bad = assess("--targets", str(targets))
    assert bad.returncode == 2 and f"{targets}:1" in bad.stderr


def test_target_flag_sets_every_dimension() -> None:
    proc = assess("--target", "4", "--format", "json")
    assert proc.returncode == 0
    targets = {d["target"] for d in json.loads(proc.stdout)["dimensions"] if d["applicable"]}
    assert targets == {4}


def test_evidence_only_assessment_of_a_directory(tmp_path: Path) -> None:
    proc = run_cnmm("assess", str(CHECKOUT_REPO), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["scope"] == {"kind": "application", "name": "checkout", "parent": None}
    assert doc["discrepancies"] == []  # nothing to contradict
    assert {d["basis"] for d in doc["dimensions"]} <= {"evidence", "none"}


def test_nothing_readable_exits_4(tmp_path: Path) -> None:
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    proc = run_cnmm("assess", str(tmp_path / "notes.bin"))
    assert proc.returncode == 4, (proc.returncode, proc.stderr)
    assert "no readable input" in " ".join(proc.stderr.split())


def test_help_documents_exit_codes() -> None:
    proc = run_cnmm("assess", "--help")
    assert proc.returncode == 0
    for text in ("Exit codes:", "--fail-under", "--example", "cnmm-report"):
        assert text in proc.stdout


def test_progress_only_on_a_terminal(tmp_path: Path) -> None:
    import sys

    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "cnmm", "assess", "--example", "--format", "json", "--out", str(tmp_path / "t")],
        encoding="utf-8", timeout=120, dimensions=(40, 100), cwd=str(tmp_path),
    )  # fmt: skip
    on_tty = child.read()
    child.close()
    assert "[1/2] payments" in on_tty
    piped = run_cnmm("assess", "--example", "--format", "json", "--out", str(tmp_path / "p"))
    assert "[1/2]" not in piped.stderr and "\x1b[" not in piped.stderr
