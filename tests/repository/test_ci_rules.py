"""CI rules on RepositoryFacts built from real pipeline files (one or several scanned roots)."""

from __future__ import annotations

from pathlib import Path

from cnmm.facts.repository import RepositoryFacts, RepositoryRoot
from cnmm.findings import Outcome
from cnmm.rules.base import discover_rules
from tests.repository.trees import collect


def facts_for(roots: dict[Path, dict[str, str]]) -> RepositoryFacts:
    pipelines = []
    for root, files in roots.items():
        collection = collect(root, files)
        assert not collection.errors
        pipelines += collection.pipelines
    return RepositoryFacts(
        roots=tuple(RepositoryRoot(str(r)) for r in roots), pipelines=tuple(pipelines)
    )


def outcomes(rule_id: str, facts: RepositoryFacts) -> dict[str, tuple[Outcome, str]]:
    checks = discover_rules()[rule_id].check(facts)
    return {str(c.subject): (c.outcome, c.message) for c in checks}


def test_presence_rules_judge_each_scanned_directory(tmp_path: Path) -> None:
    tested, untested = tmp_path / "tested", tmp_path / "untested"
    facts = facts_for(
        {
            tested: {".gitlab-ci.yml": "t:\n  script: [go test ./...]\n"},
            untested: {".gitlab-ci.yml": "b:\n  script: [go build ./...]\n"},
        }
    )
    found = outcomes("repo.ci.runs-tests", facts)
    assert found[f"Repository/{tested}"][0] is Outcome.PASS
    assert "go test (.gitlab-ci.yml:2)" in found[f"Repository/{tested}"][1]
    assert found[f"Repository/{untested}"][0] is Outcome.FAIL


def test_token_permissions_top_level_writes(tmp_path: Path) -> None:
    one_job = "on: push\npermissions: {contents: write}\njobs:\n  a: {steps: [{run: make}]}\n"
    two_jobs = one_job + "  b: {steps: [{run: make}]}\n"
    facts = facts_for(
        {tmp_path: {".github/workflows/one.yml": one_job, ".github/workflows/two.yml": two_jobs}}
    )
    found = outcomes("repo.ci.token-permissions", facts)
    one = found[f"Pipeline/{tmp_path / '.github/workflows/one.yml'}"]
    two = found[f"Pipeline/{tmp_path / '.github/workflows/two.yml'}"]
    assert one[0] is Outcome.PASS and "write: contents" in one[1]
    assert two == (Outcome.FAIL, "top-level permissions grant write to contents for all 2 jobs")


def test_actions_pinned_exempts_first_party_local_and_slsa_generator(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: github/codeql-action/init@v3\n      - uses: ./local\n"
        "      - uses: docker://alpine:3.20\n"
        "  provenance:\n    uses: slsa-framework/slsa-github-generator/.github/workflows/"
        "generator_generic_slsa3.yml@v2.1.0\n"
    )
    facts = facts_for({tmp_path: {".github/workflows/ci.yml": workflow}})
    found = outcomes("repo.ci.actions-pinned", facts)
    assert found == {
        f"Pipeline/{tmp_path / '.github/workflows/ci.yml'}": (
            Outcome.FAIL,
            "1 of 1 third-party reference(s) not pinned by commit SHA: docker://alpine:3.20",
        )
    }


def test_supply_chain_rules_need_something_shipped(tmp_path: Path) -> None:
    shipped, library = tmp_path / "shipped", tmp_path / "library"
    facts = facts_for(
        {
            shipped: {".gitlab-ci.yml": "build-image:\n  script: [docker build -t app .]\n"},
            library: {".gitlab-ci.yml": "t:\n  script: [pytest]\n"},
        }
    )
    for rule_id in ("repo.ci.sbom", "repo.ci.signing", "repo.ci.provenance"):
        found = outcomes(rule_id, facts)
        assert found[f"Repository/{shipped}"][0] is Outcome.FAIL, rule_id
        assert found[f"Repository/{library}"][0] is Outcome.NOT_APPLICABLE, rule_id
