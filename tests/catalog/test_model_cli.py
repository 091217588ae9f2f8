"""`cnmm model ...` through the real entry point."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time

import yaml

from tests.catalog.test_catalog import DIMENSION_IDS
from tests.conftest import run_cnmm


def test_export_json_follows_the_contract() -> None:
    result = run_cnmm("model", "export", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == {**data["model"], "name": data["model"]["name"], "version": "4.0-beta"}
    dims = [d for a in data["aspects"] for d in a["dimensions"]]
    assert [d["id"] for d in dims] == DIMENSION_IDS
    for aspect in data["aspects"]:
        assert {"id", "name", "description", "dimensions"} <= set(aspect)
    for d in dims:
        assert [lv["level"] for lv in d["levels"]] == [1, 2, 3, 4, 5]
        for lv in d["levels"]:
            assert {"level", "name", "summary", "defined", "criteria"} <= set(lv)
            for c in lv["criteria"]:
                assert {
                    "id",
                    "statement",
                    "question",
                    "effort",
                    "evidence",
                    "projects",
                    "source",
                } <= set(c)
                assert c["statement"] and c["question"] and c["source"]["section"]
                for p in c["projects"]:
                    assert p["maturity"] in (
                        "graduated",
                        "incubating",
                        "sandbox",
                        "not-cncf",
                        "archived",
                    )


def test_export_other_formats_parse() -> None:
    as_yaml = yaml.safe_load(run_cnmm("model", "export", "--format", "yaml").stdout)
    assert len([d for a in as_yaml["aspects"] for d in a["dimensions"]]) == 23
    rows = list(csv.DictReader(io.StringIO(run_cnmm("model", "export", "-f", "csv").stdout)))
    assert {r["dimension"] for r in rows} == set(DIMENSION_IDS)
    markdown = run_cnmm("model", "export", "--format", "markdown").stdout
    assert markdown.startswith("# ") and "## Contents" in markdown
    assert "Container and Runtime Management" in markdown


def test_search_gitops_finds_release_operations() -> None:
    result = run_cnmm("model", "search", "GitOps", "--format", "json")
    assert result.returncode == 0
    ids = [r["id"] for r in json.loads(result.stdout)["results"]]
    assert any(i.startswith("technology.release-operations.") for i in ids)
    text = run_cnmm("model", "search", "GitOps").stdout
    assert "technology.release-operations" in text


def test_show_people_ai_marks_level_5_undefined() -> None:
    data = json.loads(run_cnmm("model", "show", "people.ai", "--format", "json").stdout)
    level5 = data["levels"][4]
    assert level5["defined"] is False and level5["criteria"] == []
    text = run_cnmm("model", "show", "people.ai").stdout
    assert "Not defined by the model" in text


def test_show_criterion_aspect_and_unknown_id() -> None:
    listing = json.loads(run_cnmm("model", "list", "--format", "json").stdout)
    dims = [d for a in listing["aspects"] for d in a["dimensions"]]
    assert len(dims) == 23 and all(d["criteria"] > 0 for d in dims)
    first = json.loads(
        run_cnmm("model", "show", "technology.container-runtime", "-f", "json").stdout
    )["levels"][1]["criteria"][0]["id"]
    shown = json.loads(run_cnmm("model", "show", first, "--format", "json").stdout)
    assert shown["id"] == first and shown["level"] == 2
    aspect = run_cnmm("model", "show", "policy")
    assert aspect.returncode == 0 and "policy.creation" in aspect.stdout
    missing = run_cnmm("model", "show", "technology.contaner-runtime")
    assert missing.returncode == 1 and "technology.container-runtime" in missing.stderr


def test_terminal_output_fits_80_columns_and_is_plain_when_piped() -> None:
    for args in (
        ["model", "list"],
        ["model", "show", "technology.security-policy"],
        ["model", "projects"],
        ["model", "search", "policy"],
    ):
        out = run_cnmm(*args).stdout
        assert out and "\x1b[" not in out, args
        assert max(len(line) for line in out.splitlines()) <= 80, args


def test_projects_lists_maturity_and_usage() -> None:
    data = json.loads(run_cnmm("model", "projects", "--format", "json").stdout)["projects"]
    by_name = {p["name"]: p for p in data}
    assert by_name["Kubernetes"]["maturity"] == "graduated"
    assert any(p["criteria"] for p in data)


def test_version_and_help_are_fast_and_light() -> None:
    code = (
        "import sys, time; t=time.perf_counter(); sys.argv=['cnmm','--version'];"
        "from cnmm.cli.entry import main; main(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('yaml','jsonschema','pydantic','typer','rich'))); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith("cnmm ")
    assert lines[1] == "[]", "--version imported heavy modules"
    start = time.perf_counter()
    result = run_cnmm("--help")
    assert result.returncode == 0 and "assess" in result.stdout
    assert time.perf_counter() - start < 3.0  # generous: interpreter start on a busy CI machine
    help_modules = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cnmm.cli.main import build_app; build_app(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('yaml','jsonschema','pydantic','jinja2','kubernetes')))",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert help_modules == "[]", f"building the CLI imported heavy modules: {help_modules}"


def test_supporting_data_commands() -> None:
    kpis = json.loads(run_cnmm("model", "kpis", "--level", "1", "-f", "json").stdout)
    assert [lv["level"] for lv in kpis["levels"]] == [1] and kpis["levels"][0]["kpis"]
    certs = json.loads(run_cnmm("model", "certifications", "-l", "4", "-f", "json").stdout)
    assert [c["id"] for c in certs["certifications"]] == ["CKS"]
    prereq = json.loads(run_cnmm("model", "prerequisites", "-a", "people", "-f", "json").stdout)
    assert [g["aspect"] for g in prereq["readiness"]] == ["people"] and prereq["prerequisites"]
    bad = run_cnmm("model", "prerequisites", "--aspect", "finance")
    assert bad.returncode == 2 and "finance" in bad.stderr
    for args in (["kpis"], ["certifications"], ["prerequisites"], ["show", "business"]):
        out = run_cnmm("model", *args).stdout
        assert out and "\x1b[" not in out, args
        assert max(len(line) for line in out.splitlines()) <= 80, args
    assert "CKAD" in run_cnmm("model", "certifications").stdout
    exported = json.loads(run_cnmm("model", "export").stdout)
    assert exported["kpis"] and exported["certifications"] and exported["prerequisites"]
    assert exported["projects_as_of"] and all("maturity" in p for p in exported["projects"])
    markdown = run_cnmm("model", "export", "-f", "markdown").stdout
    for heading in ("## Business outcome KPIs", "## CNCF certifications", "## Projects"):
        assert heading in markdown and f"(#{heading[3:].lower().replace(' ', '-')})" in markdown


def test_show_level_and_project() -> None:
    level = json.loads(run_cnmm("model", "show", "people.ai.l5", "-f", "json").stdout)
    assert level["dimension"] == "people.ai" and level["defined"] is False
    project = json.loads(run_cnmm("model", "show", "karmada", "-f", "json").stdout)
    assert project["name"] == "Karmada" and project["maturity"] and "as_of" in project
    text = run_cnmm("model", "show", "Falco").stdout
    assert "graduated" in text and max(len(line) for line in text.splitlines()) <= 80


def test_search_terms_may_match_different_fields_and_projects() -> None:
    data = json.loads(run_cnmm("model", "search", "GitOps", "production", "-f", "json").stdout)
    assert data["query"] == "GitOps production" and data["results"]
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)
    found = json.loads(run_cnmm("model", "search", "Crossplane", "-f", "json").stdout)
    kinds = {r["kind"] for r in found["results"]}
    assert {"project", "criterion"} <= kinds
    none = run_cnmm("model", "search", "zzzz-no-such-word")
    assert none.returncode == 0 and "No match" in none.stdout
